"""MultiLabelTransfer(head="anywhere"): items found, named and boxed anywhere."""

import numpy as np
import pytest
from PIL import Image
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.model_selection import GridSearchCV
from toys import lit_levels

from skfashion import load, save
from skfashion.anywhere import box_targets, crop_items, decode_boxes
from skfashion.augment import MultiObjectComposer
from skfashion.box_metrics import item_scores, labels_of_boxes
from skfashion.boxes import suppress_overlaps
from skfashion.models import CNNClassifier, MultiLabelTransfer

FIT = dict(epochs=8, batch_size=16, learning_rate=0.01, random_state=0)


def _composer(**params):
    return MultiObjectComposer(
        n_classes=3,
        placement="anywhere",
        canvas_shape=(32, 32),
        scale=(1.0, 1.5),
        max_objects=3,
        **params,
    )


@pytest.fixture(scope="module")
def items():
    return lit_levels(200, 8, 0, frame=1)


@pytest.fixture(scope="module")
def base(items):
    cnn = CNNClassifier(
        architecture="cells", tower="bn", grid=(1, 1), filters=(4, 8), **FIT
    )  # one pooling: the finder's maps are at stride 2
    return cnn.fit(*items)


@pytest.fixture(scope="module")
def head(base, items):
    transfer = MultiLabelTransfer(
        base, head="anywhere", augment=_composer(), threshold=0.3, **FIT
    )
    return transfer.fit(*items)


@pytest.fixture(scope="module")
def test_canvases():
    composer = _composer(n_samples=60, min_gap=1, random_state=3)
    canvases, Y = composer.fit_resample(*lit_levels(60, 8, 5, frame=1))
    return canvases, Y, composer.boxes_


def test_decoding_the_targets_gives_back_the_boxes():
    boxes = np.array([[[1, 3, 4, 19, 14], [2, 20, 9, 31, 30]], [[-1] * 5] * 2])
    targets = box_targets(boxes, (8, 8), 4)
    maps = targets[..., :5].copy()  # the map a perfect finder would draw
    canvas, found, scores = decode_boxes(maps, 4, threshold=0.5)
    np.testing.assert_array_equal(canvas, [0, 0])
    np.testing.assert_allclose(scores, 1.0)
    # the likeliest first: both score 1, so compare as sets of boxes
    assert sorted(map(tuple, np.round(found, 4))) == [(3, 4, 19, 14), (20, 9, 31, 30)]


def test_an_item_cut_by_its_box_is_the_item():
    item = lit_levels(1, 8, 0)[0][0]
    canvas = np.zeros((1, 30, 30), np.uint8)
    canvas[0, 5:13, 17:25] = item
    crop = crop_items(canvas, np.array([0]), np.array([[17, 5, 25, 13]]), (8, 8))
    np.testing.assert_allclose(crop[0], item, atol=1e-3)
    # an item at twice its size is averaged back, 2x2 pixels to one
    canvas[0, 5:21, 5:21] = np.kron(item, np.ones((2, 2), np.uint8))
    crop = crop_items(canvas, np.array([0]), np.array([[5, 5, 21, 21]]), (8, 8))
    np.testing.assert_allclose(crop[0], item, atol=1e-3)


def test_cuts_from_windows_are_cuts_from_whole_canvases():
    # crop_items cuts each square from a window around it; the same square
    # resampled from the whole canvas (pixels beyond its edges black) is the
    # same crop, for squares smaller and larger than the crops, across the
    # edges and larger than the canvas, whatever the chunks
    from skfashion.placement import span_weights

    rng = np.random.RandomState(0)
    canvases = rng.randint(0, 256, (5, 60, 80)).astype(np.uint8)
    canvas = rng.randint(5, size=60)
    corner = rng.uniform(-15, 75, (60, 2))
    sides = np.exp(rng.uniform(np.log(0.3), np.log(90), (60, 2)))
    boxes = np.concatenate([corner, corner + sides], 1)
    side = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    side = np.maximum(side, 1.0)
    rows = span_weights((boxes[:, 1] + boxes[:, 3] - side) / 2, side, 60, 8)
    cols = span_weights((boxes[:, 0] + boxes[:, 2] - side) / 2, side, 80, 6)
    whole = rows @ canvases[canvas].astype(np.float32) @ cols.transpose(0, 2, 1)
    for chunk in (7, 256):
        crops = crop_items(canvases, canvas, boxes, (8, 6), chunk=chunk)
        np.testing.assert_allclose(crops, whole, atol=1e-3)


@pytest.mark.backends
def test_finds_names_and_boxes_the_items(head, test_canvases):
    canvases, Y, boxes = test_canvases
    found = head.predict_boxes(canvases)
    scores = item_scores(boxes, found)
    assert scores["f1"] > 0.9, scores  # 0.983 under TensorFlow, 0.988 JAX
    assert scores["count_accuracy"] > 0.7, scores
    np.testing.assert_array_equal(head.predict(canvases), labels_of_boxes(found, 3))
    np.testing.assert_array_equal(
        head.predict_counts(canvases), [len(f) for f in found]
    )
    assert head.score(canvases, Y) > 0.6


@pytest.mark.backends
@pytest.mark.parametrize("seed", [1, 2])
def test_the_finder_learns_at_every_seed(base, items, test_canvases, seed):
    # Unclipped, a learning rate of 0.01 left the toy finder finding nothing
    # at some seeds (F1 0.864, 0.147, 0.977, 0.681, 0.800 at seeds 0 to 4);
    # the head clips its gradients' norm to 1 (0.965 to 0.994 under
    # TensorFlow, 0.977 to 0.994 under JAX).
    canvases, _, boxes = test_canvases
    params = {**FIT, "random_state": seed}
    transfer = MultiLabelTransfer(
        base, head="anywhere", augment=_composer(), threshold=0.3, **params
    ).fit(*items)
    assert item_scores(boxes, transfer.predict_boxes(canvases))["f1"] > 0.9


def test_items_larger_than_learned_are_found_on_a_pyramid(head):
    # the toy finder learned items of 8 to 12 pixels; these are 16 to 24
    composer = MultiObjectComposer(
        n_classes=3,
        placement="anywhere",
        canvas_shape=(64, 64),
        scale=(2.0, 3.0),
        max_objects=3,
        min_gap=1,
        n_samples=60,
        random_state=4,
    )
    canvases, _ = composer.fit_resample(*lit_levels(60, 8, 6, frame=1))
    f1 = {
        scales: item_scores(
            composer.boxes_, head.predict_boxes(canvases, scales=scales)
        )["f1"]
        for scales in [(1.0,), (1.0, 0.5)]
    }
    # F1 0.0 as they are, 0.74 on the pyramid (0.99 at 0.5 alone: the merge
    # still keeps some boxes of parts found at 1.0)
    assert f1[(1.0, 0.5)] > 0.6 and f1[(1.0,)] < 0.3, f1
    with pytest.raises(ValueError, match="scales must be positive numbers"):
        head.predict_boxes(canvases, scales=(1.0, 0))


def test_boxes_found_at_several_scales_are_one_item():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 10, 10]])
    canvas, scores = np.array([0, 0, 0, 1]), np.array([0.5, 0.9, 0.2, 0.1])
    keep = suppress_overlaps(canvas, boxes, scores)
    assert keep.tolist() == [False, True, True, True]  # another canvas's is kept
    assert suppress_overlaps(canvas[:0], boxes[:0], scores[:0]).shape == (0,)


@pytest.mark.parametrize("shape", [(8, 8), (28, 28), (32, 32), (45, 70), (64, 33)])
def test_predicts_on_canvases_of_any_size(head, shape):
    rng = np.random.RandomState(0)
    canvases = np.zeros((3, *shape), np.uint8)
    item = lit_levels(1, 8, 0)[0][0]
    for canvas in canvases:
        y, x = rng.randint(0, shape[0] - 7), rng.randint(0, shape[1] - 7)
        canvas[y : y + 8, x : x + 8] = item
    for rows in head.predict_boxes(canvases):
        assert rows.shape[1] == 6
        assert (rows[:, 1:3] >= 0).all()
        assert (rows[:, 3] <= shape[1]).all() and (rows[:, 4] <= shape[0]).all()
        assert (np.diff(rows[:, 5]) <= 0).all()  # best first
        assert set(rows[:, 0]) <= {0, 1, 2}


def test_a_list_of_canvases_of_different_sizes(head, test_canvases):
    canvases = test_canvases[0]
    mixed = [canvases[0], canvases[1][:20, :27], canvases[2]]
    found = head.predict_boxes(mixed)
    whole = head.predict_boxes(canvases[[0, 2]])
    assert len(found) == 3
    np.testing.assert_allclose(found[0], whole[0], rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(found[2], whole[1], rtol=1e-5, atol=1e-4)
    assert (found[1][:, 3] <= 27).all() and (found[1][:, 4] <= 20).all()


def _by_box(rows):
    return rows[np.lexsort(rows[:, 1:5].T[::-1])]


def test_the_items_found_are_named_by_other_models(head, base, items, test_canvases):
    canvases = test_canvases[0][:20]
    own = head.predict_boxes(canvases)
    X, y = items
    always_2 = DummyClassifier(strategy="constant", constant=2).fit(X, y)
    found = head.predict_boxes(canvases, namers=always_2)
    assert sum(map(len, found)) == sum(map(len, own)) > 10
    for theirs, ours in zip(found, own, strict=True):
        theirs, ours = _by_box(theirs), _by_box(ours)
        np.testing.assert_allclose(theirs[:, 1:5], ours[:, 1:5])  # the same finder
        assert (theirs[:, 0] == 2).all()
        assert (theirs[:, 5] >= ours[:, 5] - 1e-6).all()  # centre x 1, not x p
    # by the mean of two namers (the base twice): the base's names of the cuts
    found = np.concatenate(
        [_by_box(f) for f in head.predict_boxes(canvases, namers=[base, base])]
    )
    canvas = np.repeat(np.arange(len(canvases)), [len(f) for f in own])
    own = np.concatenate([_by_box(f) for f in own])
    crops = crop_items(canvases, canvas, own[:, 1:5], (8, 8))
    named = base.predict(np.clip(crops, 0, 255).round().astype(np.uint8))
    np.testing.assert_array_equal(found[:, 0], named)
    with pytest.raises(ValueError, match="namers must name the classes"):
        head.predict_boxes(canvases, namers=[DummyClassifier().fit(X, y % 2)])


def test_a_blank_canvas_holds_no_item(head):
    assert [len(rows) for rows in head.predict_boxes(np.zeros((2, 40, 40)))] == [0, 0]


@pytest.mark.parametrize(
    "bad, error, message",
    [
        ([], ValueError, "empty list"),
        (np.zeros((2, 4, 4)), ValueError, "at least 8x8 pixels"),
        (np.full((1, 32, 32), np.nan), ValueError, "NaN"),
        (Image.new("L", (32, 32)), TypeError, "read_picture"),
    ],
)
def test_bad_input_is_named(head, bad, error, message):
    with pytest.raises(error, match=message):
        head.predict_boxes(bad)


def test_what_the_head_needs_is_said(base, items):
    with pytest.raises(ValueError, match="augment=MultiObjectComposer"):
        MultiLabelTransfer(base, head="anywhere", epochs=1).fit(
            np.zeros((6, 32, 32), np.uint8), np.eye(3, dtype=int)[[0, 1, 2] * 2]
        )
    canvas_base = CNNClassifier(filters=(4,), epochs=1, random_state=0)
    canvas_base.fit(*items)
    with pytest.raises(ValueError, match="grid-aware base"):
        MultiLabelTransfer(canvas_base, head="anywhere", augment=_composer()).fit(
            *items
        )
    cells = MultiLabelTransfer(
        base, head="cells", augment=MultiObjectComposer(n_classes=3), epochs=1
    )
    assert not hasattr(cells.fit(*items), "predict_boxes")  # as SVC's predict_proba


def test_saved_cloned_and_searched(head, items, test_canvases, tmp_path):
    canvases = test_canvases[0]
    save(head, tmp_path / "anywhere.skf")
    loaded = load(tmp_path / "anywhere.skf")
    for a, b in zip(
        loaded.predict_boxes(canvases), head.predict_boxes(canvases), strict=True
    ):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-4)
    fresh = clone(head)
    assert fresh.get_params()["head"] == "anywhere" and not hasattr(fresh, "model_")
    search = GridSearchCV(
        clone(head).set_params(epochs=1), {"threshold": [0.4]}, cv=2, refit=False
    )
    search.fit(*items)  # cloned, fitted and scored (subset accuracy) per fold
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_a_checkpointed_run_resumes(base, items, tmp_path):
    params = dict(head="anywhere", augment=_composer(), checkpoint_dir=tmp_path)
    first = MultiLabelTransfer(base, **{**FIT, "epochs": 2}, **params).fit(*items)
    again = MultiLabelTransfer(base, **{**FIT, "epochs": 2}, **params).fit(*items)
    probe = np.zeros((1, 32, 32), np.uint8)
    probe[0, 3:11, 5:13] = items[0][0]
    np.testing.assert_allclose(
        again.predict_boxes(probe)[0], first.predict_boxes(probe)[0], atol=1e-5
    )
    assert len(again.history_["loss"]) == 2
