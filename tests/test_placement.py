"""Items anywhere: composites whose labels and boxes match their pixels."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skfashion.augment import MultiObjectComposer
from skfashion.models import CNNClassifier, MultiLabelTransfer
from skfashion.placement import ink_boxes, resize_items, separation, shared_area


def _items(n=30, seed=0):
    """Blobs of ink with a black margin of varied width, in 3 classes."""
    rng = np.random.RandomState(seed)
    items = np.zeros((n, 12, 12), np.uint8)
    for i in range(n):
        top, left = rng.randint(0, 4, size=2)
        items[i, top : top + rng.randint(5, 9), left : left + rng.randint(5, 9)] = 200
    return items, np.arange(n) % 3


def test_an_items_box_is_its_ink_box():
    items, y = _items(1)
    composer = MultiObjectComposer(
        n_samples=1,
        min_objects=1,
        max_objects=1,
        placement="anywhere",
        canvas_shape=(30, 40),
        n_classes=3,
        random_state=0,
    )
    (canvas,), Y = composer.fit_resample(items, y)
    (row,) = composer.boxes_[0]
    assert row[0] == 0 and Y[0].tolist() == [1, 0, 0]
    np.testing.assert_array_equal(row[1:], ink_boxes(canvas[np.newaxis])[0])
    x0, y0, x1, y1 = row[1:]
    # scale 1: the item's ink, pixel for pixel
    (ix0, iy0, ix1, iy1) = ink_boxes(items)[0]
    np.testing.assert_array_equal(canvas[y0:y1, x0:x1], items[0, iy0:iy1, ix0:ix1])


def test_grid_boxes_are_the_ink_boxes_in_their_cells():
    items, y = _items()
    composer = MultiObjectComposer(n_classes=3, random_state=0)
    canvases, _ = composer.fit_resample(items, y)
    placed = zip(canvases, composer.boxes_, composer.layout_, strict=True)
    for canvas, rows, layout in placed:
        for cell, (label, x0, y0, x1, y1) in enumerate(rows):
            assert label == layout[cell]
            if label >= 0:
                r, c = divmod(cell, 2)
                cell_pixels = canvas[r * 12 : r * 12 + 12, c * 12 : c * 12 + 12]
                box = ink_boxes(cell_pixels[np.newaxis])[0] + [c * 12, r * 12] * 2
                np.testing.assert_array_equal([x0, y0, x1, y1], box)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    min_gap=st.sampled_from([-3, 0, 1, 4]),
    low=st.floats(0.5, 1.2),
    spread=st.floats(0.0, 0.8),
    side=st.integers(24, 64),
    max_objects=st.integers(0, 7),
)
def test_composites_anywhere_keep_their_rules(
    seed, min_gap, low, spread, side, max_objects
):
    items, y = _items(seed=seed % 7)
    composer = MultiObjectComposer(
        n_samples=20,
        max_objects=max_objects,
        placement="anywhere",
        canvas_shape=(side, side + 5),
        scale=(low, low + spread),
        min_gap=min_gap,
        n_classes=3,
        random_state=seed,
    )
    canvases, Y = composer.fit_resample(items, y)
    assert canvases.shape == (20, side, side + 5) and canvases.dtype == np.uint8
    assert composer.boxes_.shape == (20, max_objects, 5)
    for canvas, rows, labels in zip(canvases, composer.boxes_, Y, strict=True):
        rows = rows[rows[:, 0] >= 0]
        boxes = rows[:, 1:]
        # every box inside the canvas, and tight: ink on each of its edges
        assert (boxes[:, :2] >= 0).all() and (boxes[:, 2] <= side + 5).all()
        assert (boxes[:, 3] <= side).all() and (boxes[:, 2:] > boxes[:, :2]).all()
        inside = np.zeros(canvas.shape, bool)
        for x0, y0, x1, y1 in boxes:
            inside[y0:y1, x0:x1] = True
            patch = canvas[y0:y1, x0:x1]
            assert patch[0].any() and patch[-1].any()
            assert patch[:, 0].any() and patch[:, -1].any()
        assert not canvas[~inside].any()  # no ink outside the boxes
        # no two items closer than the rule allows
        gaps = separation(boxes[:, None], boxes[None])
        assert (gaps[~np.eye(len(boxes), dtype=bool)] >= min_gap).all()
        # the labels name exactly the items on the canvas
        assert set(np.flatnonzero(labels)) == set(rows[:, 0])


def test_resizing_keeps_levels_and_averages_when_shrinking():
    flat = np.full((2, 12, 12), 90, np.uint8)
    assert (resize_items(flat, (21, 7)) == 90).all()
    stripes = np.zeros((1, 4, 4), np.uint8)
    stripes[:, :, ::2] = 200
    assert (resize_items(stripes, (4, 2)) == 100).all()


def test_bad_settings_are_refused():
    items, y = _items()
    with pytest.raises(ValueError, match="smaller than the smallest item"):
        MultiObjectComposer(placement="anywhere", canvas_shape=(8, 8), n_classes=3).fit(
            items, y
        )
    with pytest.raises(ValueError, match="0 < low <= high"):
        MultiObjectComposer(placement="anywhere", scale=(1.5, 1.0)).fit(items, y)
    with pytest.raises(ValueError, match="has none"):
        MultiObjectComposer(placement="anywhere", n_classes=3).fit(items, y).arrange(
            3, 2, 0
        )


def test_the_cells_head_refuses_items_anywhere():
    items, y = _items()
    canvases, _ = MultiObjectComposer(n_classes=3, random_state=0).fit_resample(
        items, y
    )
    base = CNNClassifier(filters=(2,), epochs=1, random_state=0).fit(canvases, y)
    anywhere = MultiObjectComposer(placement="anywhere", n_classes=3)
    with pytest.raises(ValueError, match="placement='grid'"):
        MultiLabelTransfer(base, head="cells", augment=anywhere, epochs=1).fit(items, y)


def test_clutter_is_specks_and_noise_off_the_labels():
    items, y = _items()
    params = dict(
        n_samples=40,
        max_objects=3,
        placement="anywhere",
        canvas_shape=(40, 40),
        n_classes=3,
        random_state=0,
    )
    clean = MultiObjectComposer(**params)
    canvases, Y = clean.fit_resample(items, y)
    cluttered = MultiObjectComposer(**params, clutter=5)
    noisy, Y_noisy = cluttered.fit_resample(items, y)
    # the same items, labels and boxes: clutter is no item
    np.testing.assert_array_equal(Y_noisy, Y)
    np.testing.assert_array_equal(cluttered.boxes_, clean.boxes_)
    assert noisy.dtype == np.uint8
    inside = np.zeros(canvases.shape, bool)
    for i, rows in enumerate(clean.boxes_):
        for _, x0, y0, x1, y1 in rows[rows[:, 0] >= 0]:
            inside[i, y0:y1, x0:x1] = True
    # inside the boxes only faint noise is added; outside, specks appear
    change = noisy.astype(int) - canvases
    assert (change >= 0).all() and change[inside].max() <= 24
    assert (noisy[~inside] >= 100).sum() > 40  # specks on most canvases


def test_a_later_item_covers_an_earlier_one_and_keeps_its_whole_box():
    # squares of ink, bright and dim, so that what covers what shows
    items = np.zeros((2, 8, 8), np.uint8)
    items[0], items[1] = 250, 60
    params = dict(
        n_samples=300,
        min_objects=4,
        max_objects=4,
        placement="anywhere",
        canvas_shape=(24, 24),
        n_classes=2,
        random_state=0,
    )
    composer = MultiObjectComposer(**params, max_overlap=0.3)
    canvases, _ = composer.fit_resample(items, np.array([0, 1]))
    shared = []
    for canvas, rows in zip(canvases, composer.boxes_, strict=True):
        expected = np.zeros_like(canvas)
        for label, x0, y0, x1, y1 in rows[rows[:, 0] >= 0]:  # in slot order
            expected[y0:y1, x0:x1] = items[label, 0, 0]
        np.testing.assert_array_equal(canvas, expected)
        boxes = rows[rows[:, 0] >= 0, 1:]
        for i in range(len(boxes)):
            shared += [shared_area(boxes[i], boxes[j]) for j in range(i)]
    assert np.mean(np.array(shared) > 0) > 0.1 and max(shared) <= 0.3
    composer.set_params(max_overlap=0.0).fit_resample(items, np.array([0, 1]))
    rows = composer.boxes_
    pairs = [
        separation(r[i, 1:], r[j, 1:])
        for r in rows
        for i in range(4)
        for j in range(i)
        if min(r[i, 0], r[j, 0]) >= 0
    ]
    assert min(pairs) >= 1  # the default: none covers another
