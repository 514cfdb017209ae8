"""The grid-aware network, its towers and recipes, and fast prediction."""

import joblib
import keras
import numpy as np
import pytest
from asserts import assert_allclose
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from toys import lit_bands

from skfashion.augment import QuadrantExpander
from skfashion.batches import predict_in_batches
from skfashion.models import PRESETS, CNNClassifier
from skfashion.networks import (
    SmoothedSparseCrossentropy,
    WarmupCosine,
    build_canvas_network,
    build_cell_network,
    build_grid_network,
    build_tower,
    tower_of,
)

FIT = dict(epochs=3, batch_size=16, learning_rate=0.01, random_state=0)
CELLS = dict(architecture="cells", tower="bn", filters=(4, 8), **FIT)


def _items(n=60, side=8, seed=0):
    return lit_bands(n, side, seed)


@pytest.fixture(scope="module")
def cells_cnn():
    items, y = _items()
    return CNNClassifier(augment=QuadrantExpander(), **CELLS).fit(items, y)


def test_tutorial_defaults_are_unchanged():
    cnn = CNNClassifier()
    assert cnn.architecture == "canvas" and cnn.tower == "tutorial"
    assert (cnn.epochs, cnn.batch_size, cnn.learning_rate) == (15, 32, 1e-3)
    assert cnn.lr_schedule == "constant" and cnn.label_smoothing == 0
    cnn.initialize(np.zeros((10, 56, 56), dtype=np.uint8), np.arange(10))
    assert cnn.model_.count_params() == 41_786
    assert [type(layer).__name__ for layer in cnn.model_.layers] == [
        "InputLayer",
        "Rescaling",
        *["Conv2D", "MaxPooling2D", "Dropout"] * 2,
        "Conv2D",
        "MaxPooling2D",
        "Flatten",
        "Dense",
    ]
    assert CNNClassifier.from_preset("tutorial").get_params() == cnn.get_params()


def test_towers_and_networks_shapes():
    assert build_tower((28, 28), "tutorial").output.shape == (None, 4 * 4 * 64)
    bn = build_tower((28, 28), "bn", filters=(32, 64, 64))
    assert bn.output.shape == (None, 7 * 7 * 64)
    assert any(
        isinstance(layer, keras.layers.BatchNormalization) for layer in bn.layers
    )
    net = build_cell_network((28, 28), 10, filters=(32, 64, 64))
    assert net.input_shape == (None, 28, 28, 1) and net.output_shape == (None, 10)
    assert net.count_params() <= 250_000
    assert build_canvas_network((56, 56), 10).count_params() == 41_786
    with pytest.raises(ValueError, match="tower must be one of"):
        build_tower((28, 28), "resnet")
    with pytest.raises(ValueError, match="filters must be positive"):
        build_tower((28, 28), "bn", filters=(0,))


@pytest.mark.backends
def test_cells_network_trains_on_the_items(cells_cnn):
    assert cells_cnn.cell_shape_ == (8, 8) and cells_cnn.input_shape_ == (16, 16)
    assert cells_cnn.model_.input_shape == (None, 8, 8, 1)
    items, y = _items(seed=1)
    assert cells_cnn.score(QuadrantExpander().fit_transform(items), y) > 0.9


def test_prediction_does_not_depend_on_the_cell(cells_cnn):
    items, _ = _items(seed=2)
    on_items = cells_cnn.predict_proba(items)  # raw items: one cell each
    for cell in range(4):
        canvases = QuadrantExpander(cell=cell).fit_transform(items)
        np.testing.assert_array_equal(cells_cnn.predict_proba(canvases), on_items)
    wide = QuadrantExpander((1, 3), cell=2).fit_transform(items)  # other grids too
    assert_allclose(cells_cnn.predict_proba(wide), on_items, atol=1e-6)


@pytest.mark.backends
def test_skipping_empty_cells_equals_computing_them(cells_cnn):
    items, _ = _items(n=12, seed=3)
    canvases = QuadrantExpander(random_state=0).fit_transform(items)
    canvases[0] = 0  # no item at all
    canvases[1, 8:, 8:] = items[5]  # two items: the mean of the two cells
    every_cell = build_grid_network(cells_cnn.model_, (2, 2))
    computed = every_cell.predict(canvases[..., None], verbose=0)
    assert_allclose(cells_cnn.predict_proba(canvases), computed, atol=1e-6)
    black = cells_cnn.model_.predict(np.zeros((1, 8, 8, 1)), verbose=0)
    assert_allclose(computed[0], black[0], atol=1e-6)


def test_cells_network_from_canvases_without_augment():
    items, y = _items()
    canvases = QuadrantExpander(random_state=0).fit_transform(items)
    cnn = CNNClassifier(**CELLS).fit(canvases, y)
    assert cnn.cell_shape_ == (8, 8)
    again = CNNClassifier(augment=QuadrantExpander(), **CELLS).fit(items, y)
    # the same items, wherever they were: the same network
    for a, b in zip(cnn.model_.get_weights(), again.model_.get_weights(), strict=True):
        assert_allclose(a, b, atol=1e-5)
    with pytest.raises(ValueError, match="grid of whole cells"):
        CNNClassifier(**{**CELLS, "grid": (3, 3)}).fit(canvases, y)


def test_images_that_are_not_whole_cells_are_refused(cells_cnn):
    with pytest.raises(ValueError, match="not a whole number of 8x8 cells"):
        cells_cnn.predict(np.zeros((2, 12, 12), dtype=np.uint8))


def test_cells_network_in_pipeline_grid_search_and_joblib(tmp_path):
    items, y = _items()
    pipe = Pipeline([("expand", QuadrantExpander()), ("cnn", CNNClassifier(**CELLS))])
    search = GridSearchCV(pipe, {"cnn__dropout": [0.0, 0.2]}, cv=2).fit(items, y)
    assert search.best_score_ > 0.5
    path = tmp_path / "pipe.joblib"
    joblib.dump(search.best_estimator_, path)
    loaded = joblib.load(path)
    assert_allclose(
        loaded.predict_proba(items), search.best_estimator_.predict_proba(items)
    )


@pytest.mark.backends
def test_cosine_schedule_spans_the_whole_fit():
    items, y = _items()
    cnn = CNNClassifier(
        **{**CELLS, "lr_schedule": "cosine", "validation_split": 0.2, "grid": (1, 1)}
    ).fit(items, y)
    schedule = cnn.model_.optimizer._learning_rate
    assert isinstance(schedule, WarmupCosine) and schedule.start_step == 0
    steps = cnn.epochs * int(np.ceil(48 / 16))  # 48 items left after validation
    assert schedule.total_steps == steps
    assert float(schedule(steps)) == pytest.approx(0.0, abs=1e-7)
    assert float(schedule(schedule.warmup_steps)) == pytest.approx(0.01)
    # a warm start runs a cycle of its own from where the optimizer is
    cnn.set_params(warm_start=True).fit(items, y)
    again = cnn.model_.optimizer._learning_rate
    assert again.start_step == steps and again.total_steps == steps
    assert float(again(steps + again.warmup_steps)) == pytest.approx(0.01)


@pytest.mark.backends
def test_label_smoothing_loss():
    y = np.array([0, 2, 1])
    proba = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.3, 0.4, 0.3]], "float32")
    plain = keras.losses.SparseCategoricalCrossentropy()(y, proba)
    assert float(SmoothedSparseCrossentropy(0.0)(y, proba)) == pytest.approx(
        float(plain), rel=1e-5
    )
    one_hot = keras.utils.to_categorical(y, 3)
    smoothed = keras.losses.CategoricalCrossentropy(label_smoothing=0.1)(one_hot, proba)
    assert float(SmoothedSparseCrossentropy(0.1)(y, proba)) == pytest.approx(
        float(smoothed), rel=1e-5
    )
    items, labels = _items()
    cnn = CNNClassifier(**{**CELLS, "label_smoothing": 0.1, "grid": (1, 1)})
    cnn.initialize(items, labels)
    assert isinstance(cnn.model_.loss, SmoothedSparseCrossentropy)


def test_raw_items_need_a_grid_of_one_cell():
    items, y = _items()
    with pytest.raises(ValueError, match="set grid=\\(1, 1\\)"):
        CNNClassifier(**CELLS).fit(items, y)  # 8x8 items are not 2x2 canvases
    cnn = CNNClassifier(**{**CELLS, "grid": (1, 1)}).fit(items, y)
    assert cnn.cell_shape_ == (8, 8)


@pytest.mark.backends
def test_flips_only_while_training():
    items, y = _items()
    cnn = CNNClassifier(**{**CELLS, "flip": True, "grid": (1, 1)}).fit(items, y)
    assert "flip" in [layer.name for layer in cnn.model_.layers]
    once, twice = cnn.predict_proba(items), cnn.predict_proba(items)
    np.testing.assert_array_equal(once, twice)
    with pytest.raises(ValueError, match="flip augments items in their cell"):
        CNNClassifier(filters=(2,), epochs=1, flip=True).fit(items, y)


@pytest.mark.backends
def test_shifts_and_erasing_change_items_only_while_training():
    net = build_cell_network((28, 28), 10, shift=3, erase=1.0, seed=0)
    augment = keras.Model(net.input, net.get_layer("erase").output)
    items = np.zeros((64, 28, 28, 1), np.float32)
    items[:, 8:20, 8:20] = 255
    trained = keras.ops.convert_to_numpy(augment(items, training=True))[..., 0]
    ink = trained > 0
    assert (ink.sum(axis=(1, 2)) < 144).mean() > 0.5  # erased (or shifted out)
    rows = np.flatnonzero(ink.any(axis=(0, 2)))
    assert rows.min() < 8 or rows.max() > 19  # moved
    assert rows.min() >= 5 and rows.max() <= 22  # by at most 3 pixels
    assert set(np.unique(trained)) <= {0.0, 1.0}  # whole pixels, black border
    served = keras.ops.convert_to_numpy(augment(items, training=False))
    np.testing.assert_array_equal(served, items / 255)


@pytest.mark.backends
def test_the_residual_tower_and_flip_test_time_augmentation():
    from skfashion.anywhere import feature_network
    from skfashion.networks import multiply_adds

    tower = build_tower((28, 28), "res", filters=(32, 64, 128), pooling="average")
    assert tower.output.shape == (None, 128)
    assert sum(isinstance(layer, keras.layers.Add) for layer in tower.layers) == 2
    net = build_cell_network((28, 28), 10, tower="res", filters=(32, 64, 128))
    assert multiply_adds(net) > 6 * multiply_adds(build_cell_network((28, 28), 10))
    features = feature_network(net)  # a graph, not a stack of layers
    assert features.compute_output_shape((1, 96, 64, 1)) == (1, 24, 16, 128)
    items, y = _items()
    cnn = CNNClassifier(**{**CELLS, "tower": "res", "grid": (1, 1)}).fit(items, y)
    proba = cnn.predict_proba(items)
    mirrored = cnn.predict_proba(items[:, :, ::-1])
    cnn.set_params(test_flip=True)
    assert_allclose(cnn.predict_proba(items), (proba + mirrored) / 2, atol=1e-6)
    # a number: only the items the network is less sure of than it are mirrored
    unsure = np.median(proba.max(axis=1))
    cnn.set_params(test_flip=float(unsure))
    expected = np.where(
        proba.max(axis=1, keepdims=True) < unsure, (proba + mirrored) / 2, proba
    )
    assert 0 < (proba.max(axis=1) < unsure).sum() < len(items)
    assert_allclose(cnn.predict_proba(items), expected, atol=1e-6)
    with pytest.raises(ValueError, match="largest probability"):
        predict_in_batches(features, np.zeros((2, 8, 8, 1), np.float32), mirror=0.5)


def test_presets():
    fast = CNNClassifier.from_preset("fast", epochs=1)
    assert fast.architecture == "cells" and fast.epochs == 1
    assert CNNClassifier.from_preset("quick").epochs < PRESETS["fast"]["epochs"]
    with pytest.raises(ValueError, match="preset must be one of"):
        CNNClassifier.from_preset("huge")
    fast.set_params(tower="mlp")
    with pytest.raises(ValueError, match="tower"):
        fast.set_params(grid=(1, 1)).fit(*_items())


@pytest.mark.backends
def test_predict_in_batches_matches_keras():
    model = build_cell_network((8, 8), 3, tower="tutorial", filters=(2,))
    X = np.random.RandomState(0).randint(0, 256, size=(37, 8, 8, 1)).astype("uint8")
    expected = model.predict(X, verbose=0)
    # other batch shapes than Keras': equal up to float32 rounding, not bits
    assert_allclose(predict_in_batches(model, X, batch_size=16), expected)
    assert predict_in_batches(model, X[:0]).shape == (0, 3)


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="counts tf.function traces, which only TensorFlow has",
)
def test_predict_in_batches_keeps_its_trace():
    model = build_cell_network((8, 8), 3, tower="tutorial", filters=(2,))
    X = np.random.RandomState(0).randint(0, 256, size=(37, 8, 8, 1)).astype("uint8")
    predict_in_batches(model, X[:8])
    traced = model.predict_function.experimental_get_tracing_count()
    for n in (5, 6, 7, 8):  # all padded to a batch of 8: nothing traced again
        predict_in_batches(model, X[:n])
    assert model.predict_function.experimental_get_tracing_count() == traced


def test_tower_of_a_tutorial_network_reads_cells():
    canvas_net = build_canvas_network((56, 56), 10)
    tower = tower_of(canvas_net, (28, 28))
    assert tower.input_shape == (None, 28, 28, 1)
    conv = [layer for layer in canvas_net.layers if "conv" in layer.name]
    copied = [layer for layer in tower.layers if "conv" in layer.name]
    for a, b in zip(conv, copied, strict=True):
        for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
            np.testing.assert_array_equal(wa, wb)
    flat = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten()])
    with pytest.raises(ValueError, match="no convolution tower"):
        tower_of(flat, (8, 8))


def test_errors_point_to_the_fix():
    from skfashion.plotting import TrainingHistoryDisplay

    items, y = _items()
    canvases = QuadrantExpander(random_state=0).fit_transform(items)
    cnn = CNNClassifier(filters=(2,), epochs=1).fit(canvases, y)
    with pytest.raises(ValueError, match=r"pass a batch of one: X\[np.newaxis\]"):
        cnn.predict(items[0])
    with pytest.raises(ValueError, match=r"use QuadrantExpander\(\(2, 2\)\)"):
        cnn.predict(items)
    with pytest.raises(ValueError, match=r"no metric 'acc'.*\['accuracy', 'loss'\]"):
        TrainingHistoryDisplay.from_estimator(cnn).plot(metric="acc")
