"""Items cut as a finder cuts them, and the namer that learns from them."""

import numpy as np
import pytest
from toys import lit_levels

from skfashion import recipes
from skfashion.augment import MultiObjectComposer
from skfashion.cuts import ItemCutter
from skfashion.models import CNNClassifier


def _items():
    # three items, each of its own class, inked to their edges: a cut of its
    # true box at scale 1 is the item itself
    items = np.stack([np.full((8, 8), level, np.uint8) for level in (60, 140, 220)])
    items[:, 2:4, 3:5] = 255
    return items, np.array([0, 1, 2])


def test_a_cut_of_an_item_alone_and_unresized_is_the_item():
    items, labels = _items()
    composer = MultiObjectComposer(
        n_classes=3,
        placement="anywhere",
        canvas_shape=(20, 20),
        min_objects=1,
        max_objects=1,
    )
    cutter = ItemCutter(composer, n_samples=30, jitter=0.0, random_state=0)
    cuts, classes = cutter.fit_resample(items, labels)
    assert cuts.shape == (30, 8, 8) and cuts.dtype == np.uint8
    assert set(classes.tolist()) == {0, 1, 2}
    np.testing.assert_array_equal(cuts, items[classes])


def test_cuts_are_named_as_their_items_at_every_size_and_touching():
    items, labels = lit_levels(60, 8, 0, frame=1)
    composer = MultiObjectComposer(
        n_classes=3,
        placement="anywhere",
        canvas_shape=(32, 32),
        scale=(0.6, 2.0),
        min_objects=1,
        max_objects=4,
        min_gap=0,
        max_overlap=0.3,
    )
    cuts, classes = ItemCutter(composer, n_samples=500, random_state=0).fit_resample(
        items, labels
    )
    assert len(cuts) == 500 and set(np.unique(classes)) == {0, 1, 2}
    # the class of a lit_levels item is its brightness, which a cut keeps
    # (beside its neighbours and jittered): the cut's middle says its class
    middle = cuts[:, 2:6, 2:6].mean(axis=(1, 2))
    assert (np.digitize(middle, [100, 180]) == classes).mean() > 0.9


def test_cuts_keep_the_items_layout_and_seed():
    items, labels = lit_levels(30, 8, 0, frame=1)
    flat = items.reshape(30, -1)
    cutter = ItemCutter(
        MultiObjectComposer(n_classes=3, placement="anywhere", canvas_shape=(24, 24)),
        random_state=0,
    )
    cuts, classes = cutter.fit_resample(flat, labels)
    assert cuts.shape == (30, 64) and classes.shape == (30,)
    again, same = cutter.fit_resample(flat, labels)
    np.testing.assert_array_equal(again, cuts)
    np.testing.assert_array_equal(same, classes)
    assert cutter.image_shape_ == (8, 8) and cutter.n_features_in_ == 64


def test_a_grid_composer_is_refused_with_the_fix():
    with pytest.raises(ValueError, match="placement='anywhere'"):
        ItemCutter(MultiObjectComposer(n_classes=3)).fit_resample(*lit_levels(9, 8, 0))


def test_a_namer_learns_on_from_its_base_which_stays_as_it_was():
    items, labels = lit_levels(120, 8, 0, frame=1)
    base = CNNClassifier(
        architecture="cells",
        tower="bn",
        grid=(1, 1),
        filters=(4, 8),
        epochs=2,
        batch_size=16,
        random_state=0,
    ).fit(items, labels)
    weights = [w.copy() for w in base.model_.get_weights()]
    namer = recipes.namer(base, learning_rate=1e-3)
    recipes.fit_namer(namer, items, labels, draws=1)
    for before, after in zip(weights, base.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)
    moved = [
        not np.array_equal(a, b)
        for a, b in zip(weights, namer.model_.get_weights(), strict=True)
    ]
    assert any(moved) and namer.warm_start is False
    assert namer.score(items, labels) > 0.9
