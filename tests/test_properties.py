"""Property-based tests of every input check: good inputs pass, bad ones are named.

hypothesis draws arrays of many shapes, dtypes and value ranges, and parameter
values, for the augmenters and a fitted model's ``predict``. Every good input
must be accepted with the right output; every bad one must raise a
``ValueError`` or ``TypeError`` whose message names the problem. Examples stay
small (items of at most 10x10 pixels) so the suite stays fast.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from toys import lit_bands

from skfashion.augment import MultiObjectComposer, QuadrantExpander
from skfashion.models import CNNClassifier

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

GOOD_DTYPES = st.sampled_from([np.uint8, np.int16, np.int64, np.float32, np.float64])


@st.composite
def good_items(draw, side=None, n=None):
    """(items as given, the same as (n, h, w)): any layout, dtype, value range."""
    n = n or draw(st.integers(1, 5))
    side = side or draw(st.integers(1, 10))
    dtype = draw(GOOD_DTYPES)
    if np.dtype(dtype).kind == "f":
        top = draw(st.sampled_from([1.0, 255.0]))
        values = st.floats(0, top, allow_nan=False, width=32)
    else:
        values = st.integers(0, 255)
    images = draw(hnp.arrays(dtype, (n, side, side), elements=values))
    layout = draw(st.sampled_from(["hw", "hwc", "flat"]))
    given_as = {
        "hw": images,
        "hwc": images[..., np.newaxis],
        "flat": images.reshape(n, -1),
    }[layout]
    return given_as, images


@st.composite
def bad_items(draw):
    """(items, the word the error must contain) for inputs that must fail."""
    n, side = draw(st.integers(1, 4)), draw(st.integers(2, 8))
    kind = draw(
        st.sampled_from(
            [
                "nan",
                "inf",
                "negative",
                "over 255",
                "not square",
                "colour",
                "too many dims",
                "no images",
                "strings",
                "complex",
                "one dim",
            ]
        )
    )
    images = draw(
        hnp.arrays(np.uint8, (n, side, side), elements=st.integers(0, 255))
    ).astype(np.float64)
    where = (draw(st.integers(0, n - 1)), draw(st.integers(0, side - 1)))
    if kind == "nan":
        images[where] = np.nan
        return images, "NaN"
    if kind == "inf":
        images[where] = draw(st.sampled_from([np.inf, -np.inf]))
        return images, "infinity"
    if kind == "negative":
        images = images.astype(np.int64)
        images[where] = draw(st.integers(-(2**40), -1))
        return images, r"\[0, 255\]"
    if kind == "over 255":
        images = images.astype(np.int64)
        images[where] = draw(st.integers(256, 2**40))
        return images, r"\[0, 255\]"
    if kind == "not square":
        width = draw(st.integers(2, 60).filter(lambda w: int(w**0.5) ** 2 != w))
        return np.zeros((n, width)), "square number"
    if kind == "colour":
        return np.zeros((n, side, side, draw(st.integers(2, 4)))), "shape"
    if kind == "too many dims":
        return np.zeros((n, 1, side, side, 1)), "shape"
    if kind == "no images":
        return np.zeros((0, side, side)), "0 sample"
    if kind == "strings":
        return np.full((n, side, side), "a", dtype=object), "string|convert"
    if kind == "complex":
        return images + 1j, "omplex"
    return np.zeros(side), "2D array|one image"


@SETTINGS
@given(data=good_items(), grid=st.tuples(st.integers(1, 3), st.integers(1, 3)))
def test_expander_accepts_every_good_batch(data, grid):
    given_as, images = data
    canvases = QuadrantExpander(grid, random_state=0).fit_transform(given_as)
    assert canvases.dtype == given_as.dtype
    n, h, w = images.shape
    cells = canvases.reshape(n, grid[0], h, grid[1], w).swapaxes(2, 3)
    cells = cells.reshape(n, grid[0] * grid[1], h, w)
    # every item whole in one cell, the rest black
    assert (cells == images[:, np.newaxis]).all(axis=(2, 3)).any(axis=1).all()
    assert (cells.reshape(n, len(cells[0]), -1).any(axis=2).sum(axis=1) <= 1).all()


@SETTINGS
@given(data=good_items(), max_objects=st.integers(0, 4))
def test_composer_accepts_every_good_batch(data, max_objects):
    given_as, images = data
    y = np.arange(len(images)) % 3
    composer = MultiObjectComposer(max_objects=max_objects, n_classes=3, random_state=0)
    canvases, Y = composer.fit_resample(given_as, y)
    assert canvases.dtype == given_as.dtype and len(canvases) == len(Y)
    assert Y.shape[1] == 3
    counts = (composer.layout_ >= 0).sum(axis=1)
    assert counts.max(initial=0) <= max_objects


@SETTINGS
@given(bad=bad_items())
def test_augmenters_name_what_is_wrong(bad):
    X, problem = bad
    y = np.zeros(len(X), dtype=int)
    for run in (
        lambda: QuadrantExpander().fit_transform(X),
        lambda: MultiObjectComposer().fit_resample(X, y),
    ):
        with pytest.raises((ValueError, TypeError), match=problem):
            run()


@SETTINGS
@given(
    grid=st.one_of(
        st.tuples(st.integers(-3, 0), st.integers(1, 3)),
        st.tuples(st.integers(1, 3)),
        st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)),
        st.tuples(st.floats(1, 3), st.integers(1, 3)),
        st.tuples(st.booleans(), st.integers(1, 3)),
    ),
    min_objects=st.integers(0, 6),
    max_objects=st.integers(-2, 6),
)
def test_bad_parameters_are_named(grid, min_objects, max_objects):
    X, y = np.zeros((3, 4, 4), np.uint8), np.zeros(3, int)
    with pytest.raises(ValueError, match="grid"):
        QuadrantExpander(grid).fit(X)
    composer = MultiObjectComposer(min_objects=min_objects, max_objects=max_objects)
    if max_objects < 0:
        problem = "max_objects"
    elif max_objects > 4:
        problem = "exceeds the 4 cells"
    elif min_objects > max_objects:
        problem = "exceeds max_objects"
    else:
        composer.fit_resample(X, y)  # good: accepted
        return
    with pytest.raises(ValueError, match=problem):
        composer.fit_resample(X, y)


@pytest.fixture(scope="module")
def model():
    """A grid-aware model of 8x8 items, and a canvas model of 16x16 canvases."""
    X, y = lit_bands(30)
    cells = CNNClassifier.from_preset(
        "quick", epochs=1, grid=(1, 1), random_state=0
    ).fit(X, y)
    canvases = QuadrantExpander(random_state=0).fit_transform(X)
    canvas = CNNClassifier(filters=(2,), epochs=1, random_state=0).fit(canvases, y)
    return cells, canvas


@SETTINGS
@given(data=good_items(side=8), cells=st.integers(1, 2))
def test_models_predict_every_good_batch(model, data, cells):
    grid_aware, canvas_model = model
    given_as, images = data
    assert grid_aware.predict(given_as).shape == (len(images),)
    # whole canvases of cells, too
    canvases = np.tile(images, (1, cells, cells))
    assert grid_aware.predict(canvases).shape == (len(images),)
    assert canvas_model.predict(QuadrantExpander().fit_transform(given_as)).shape == (
        len(images),
    )


@SETTINGS
@given(bad=bad_items())
def test_models_name_what_is_wrong(model, bad):
    X, problem = bad
    for fitted in model:
        with pytest.raises((ValueError, TypeError), match=problem):
            fitted.predict(X)


@SETTINGS
@given(side=st.integers(3, 20).filter(lambda s: s not in (8, 16)))
def test_models_refuse_items_of_another_size(model, side):
    grid_aware, canvas_model = model
    X = np.zeros((2, side, side), np.uint8)
    with pytest.raises(ValueError, match="8x8 cells"):
        grid_aware.predict(X)
    with pytest.raises(ValueError, match="expecting 256 features"):
        canvas_model.predict(X)
