"""MultiLabelTransfer(head="cells"): every item named, counted and located."""

import joblib
import numpy as np
import pytest
from asserts import assert_allclose
from toys import lit_bands

from skfashion.augment import MultiObjectComposer, QuadrantExpander
from skfashion.batches import FreshCells
from skfashion.metrics import (
    cell_accuracy,
    cell_confusion_matrix,
    item_accuracy,
    item_count_accuracy,
)
from skfashion.models import CNNClassifier, MultiLabelTransfer

FIT = dict(epochs=3, batch_size=16, learning_rate=0.01, random_state=0)


def _items(n=90, side=8, seed=0):
    return lit_bands(n, side, seed)


@pytest.fixture(scope="module")
def data():
    items, y = _items()
    composer = MultiObjectComposer(n_classes=3, random_state=1)
    canvases, Y = composer.fit_resample(*_items(seed=1))
    return items, y, canvases, Y, composer.layout_


@pytest.fixture(scope="module", params=["cells", "canvas"])
def base(request, data):
    items, y = data[:2]
    params = dict(filters=(4, 8), **{**FIT, "epochs": 8})
    if request.param == "cells":
        cnn = CNNClassifier(architecture="cells", tower="bn", grid=(1, 1), **params)
        return cnn.fit(items, y)  # raw items: one cell each
    canvases = QuadrantExpander(random_state=0).fit_transform(items)
    return CNNClassifier(**params).fit(canvases, y)


@pytest.fixture(scope="module")
def layout_head(base, data):
    items, y = data[:2]
    transfer = MultiLabelTransfer(
        base, head="cells", augment=MultiObjectComposer(n_classes=3), **FIT
    )
    return transfer.fit(items, y)


@pytest.mark.backends
def test_layout_head_names_counts_and_locates(layout_head, data):
    canvases, layout = data[2], data[4]
    predicted = layout_head.predict_layout(canvases)
    assert predicted.shape == layout.shape and predicted.dtype.kind == "i"
    assert cell_accuracy(layout, predicted) > 0.9
    # Never an item where there is no ink; an item may still be called empty.
    np.testing.assert_array_equal(predicted[layout == -1], -1)
    assert item_count_accuracy(layout, predicted) > 0.75
    np.testing.assert_array_equal(
        layout_head.predict_counts(canvases), (predicted >= 0).sum(axis=1)
    )
    Y_pred = layout_head.predict(canvases)
    for row, cells in zip(Y_pred, predicted, strict=True):
        assert set(np.flatnonzero(row)) == set(cells[cells >= 0])


def test_cell_probabilities(layout_head, data):
    canvases, layout = data[2], data[4]
    proba = layout_head.predict_cell_proba(canvases)
    assert proba.shape == (len(canvases), 4, 4)  # 3 classes and "empty"
    assert_allclose(proba.sum(axis=2), 1, atol=1e-5)
    np.testing.assert_array_equal(proba[layout == -1, -1], 1)
    assert_allclose(layout_head.predict_proba(canvases), proba[..., :-1].max(axis=1))


@pytest.mark.backends
def test_the_head_is_trained_and_the_tower_frozen(layout_head, base):
    network = layout_head.model_
    assert network.output_shape == (None, 4)
    assert not network.get_layer("tower").trainable
    assert layout_head.history_["loss"][-1] < layout_head.history_["loss"][0]
    base_tower = (
        base.model_.get_layer("tower") if base.architecture == "cells" else None
    )
    if base_tower is not None:  # the frozen tower is the base's, copied
        for a, b in zip(
            base_tower.get_weights(),
            network.get_layer("tower").get_weights(),
            strict=True,
        ):
            np.testing.assert_array_equal(a, b)


def test_the_cells_head_starts_from_a_grid_aware_base(base, data):
    items, y, canvases, _, layout = data
    transfer = MultiLabelTransfer(
        base, head="cells", augment=MultiObjectComposer(n_classes=3), **FIT
    )
    transfer.set_params(epochs=0).fit(items, y)  # no training: the start
    kernel, bias = transfer.model_.get_layer("cell_head").get_weights()
    if base.architecture != "cells":
        # a canvas network's head reads other features: a new head, from 0
        assert not bias.any() and kernel.shape[1] == 4
    else:  # the base's own head, and a logit of 0 for "empty"
        base_kernel, base_bias = base.model_.get_layer("head").get_weights()
        np.testing.assert_array_equal(kernel[:, :3], base_kernel)
        np.testing.assert_array_equal(bias, [*base_bias, 0])
        filled = layout >= 0
        cells = canvases.reshape(-1, 2, 8, 2, 8).swapaxes(2, 3).reshape(-1, 4, 8, 8)
        expected = base.predict(cells[filled])
        predicted = transfer.predict_layout(canvases)[filled]
        assert np.mean(predicted == expected) > 0.95  # the base's, but "empty"


def test_training_from_multi_hot_labels_alone(base, data, tmp_path):
    _, _, canvases, Y, layout = data
    transfer = MultiLabelTransfer(base, head="cells", **{**FIT, "epochs": 6})
    transfer.fit(canvases, Y)
    assert transfer.model_.name == "multi_label_cells"
    predicted = transfer.predict_layout(canvases)
    assert item_accuracy(layout, predicted) > 0.5  # chance is 1/3
    assert transfer.score(canvases, Y) > 0.3
    joblib.dump(transfer, tmp_path / "mil.joblib")  # custom layers travel too
    loaded = joblib.load(tmp_path / "mil.joblib")
    np.testing.assert_array_equal(loaded.predict_layout(canvases), predicted)


def test_fine_tuning_the_cells_head_unfreezes_the_tower(base, data):
    items, y = data[:2]
    before = [w.copy() for w in base.model_.get_weights()]
    transfer = MultiLabelTransfer(
        base,
        head="cells",
        augment=MultiObjectComposer(n_classes=3),
        fine_tune=True,
        warmup_epochs=1,
        **FIT,
    ).fit(items, y)
    assert transfer.model_.get_layer("tower").trainable
    assert all(
        np.array_equal(a, b)
        for a, b in zip(before, base.model_.get_weights(), strict=True)
    )


def test_fresh_cells_weigh_empty_cells_in():
    items, y = _items(n=40)
    composer = MultiObjectComposer(n_classes=3).fit(items, y)
    stream = FreshCells(composer, items, y, 10, seed=0)
    cells, targets, weights = stream[0]
    assert cells.shape[1:] == (8, 8, 1) and len(cells) % 10 == 0  # padded
    assert targets[-1] == 3 and not cells[-1].any()  # one black cell: "empty"
    n_items = int((weights[:-1] > 0).sum())
    assert (targets[:n_items] < 3).all() and not weights[n_items:-1].any()
    # the loss is the mean over all 40 cells of the 10 composites
    assert weights.sum() == pytest.approx(len(cells))
    assert weights[-1] * 40 / len(cells) == pytest.approx(40 - n_items)


def test_bad_input_is_refused(base, data):
    canvases, Y = data[2], data[3]
    with pytest.raises(ValueError, match="supervision='layout' needs augment"):
        MultiLabelTransfer(base, head="cells", supervision="layout", **FIT).fit(
            canvases, Y
        )
    transfer = MultiLabelTransfer(base, head="cells", **FIT).fit(canvases, Y)
    with pytest.raises(ValueError, match="1-D item labels only with augment"):
        transfer.score(canvases, Y.argmax(axis=1))
    with pytest.raises(ValueError, match="not a whole number of 8x8 cells"):
        transfer.predict_layout(np.zeros((1, 20, 16), dtype=np.uint8))
    dense = MultiLabelTransfer(base, **FIT)
    if base.architecture == "cells":
        with pytest.raises(ValueError, match="takes head='cells'"):
            dense.fit(canvases, Y)
    else:
        assert not hasattr(dense.fit(canvases, Y), "predict_layout")


def test_layout_metrics_refuse_bad_layouts():
    with pytest.raises(ValueError, match="same shape"):
        cell_accuracy([[0, -1]], [[0, -1, 2]])
    with pytest.raises(ValueError, match="-1 \\(empty\\)"):
        item_count_accuracy([[0, -2]], [[0, -1]])
    with pytest.raises(ValueError, match="-1 \\(empty\\)"):
        cell_confusion_matrix([[0, 10]], [[0, -1]], n_classes=10)
    matrix = cell_confusion_matrix([[0, -1, -1]], [[0, -1, 1]], n_classes=2)
    assert matrix.shape == (3, 3) and matrix[0, 0] == 1 and matrix[0, 2] == 1


def test_cells_are_read_mirrored_too_where_the_base_trained_with_flips(data):
    # as the presets' test_flip: the cells whose largest probability is below
    # UNSURE get the mean of theirs and their mirror image's
    from skfashion.cells import inked_cells
    from skfashion.forward import predict_in_batches
    from skfashion.presets import UNSURE

    items, y, canvases = data[:3]
    params = dict(filters=(4, 8), **{**FIT, "epochs": 2})
    base = CNNClassifier(architecture="cells", tower="bn", grid=(1, 1), flip=True)
    base.set_params(**params).fit(items, y)
    head = MultiLabelTransfer(
        base,
        head="cells",
        augment=MultiObjectComposer(n_classes=3),
        epochs=1,
        batch_size=16,
        learning_rate=1e-3,
        random_state=0,
    ).fit(items, y)  # briefly: unsure of some cells
    cells, inked = inked_cells(head.checked_pixels(canvases), head.cell_shape_)
    cells, inked = cells.reshape(-1, *head.cell_shape_), inked.ravel()
    network = head.head_part.network("cells")
    plain = predict_in_batches(network, cells[..., np.newaxis])
    mirrored = predict_in_batches(network, cells[:, :, ::-1, np.newaxis])
    unsure = plain.max(axis=1) < UNSURE
    assert 0 < unsure.sum() < len(unsure)
    expected = np.where(unsure[:, None], (plain + mirrored) / 2, plain)
    proba = head.predict_cell_proba(canvases).reshape(-1, plain.shape[1])
    assert_allclose(proba[inked], expected[inked], atol=1e-5)
    assert np.abs(proba - plain)[inked & unsure].max() > 1e-3  # not as before
