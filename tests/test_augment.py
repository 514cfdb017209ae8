import numpy as np
import pytest
from sklearn.base import clone
from sklearn.neighbors import KNeighborsClassifier

from skfashion.augment import MultiObjectComposer, QuadrantExpander


def _items(n=40, dtype=np.uint8, seed=0):
    """Distinct, never-blank synthetic items and their labels."""
    rng = np.random.RandomState(seed)
    X = rng.randint(1, 256, size=(n, 28, 28)).astype(dtype)
    return X, np.arange(n) % 10


def _cells(canvases, grid=(2, 2)):
    """(n, 56, 56) canvases as (n, cells, 28, 28) tiles, row-major."""
    rows, cols = grid
    n, H, W = canvases.shape
    tiles = canvases.reshape(n, rows, H // rows, cols, W // cols)
    return tiles.transpose(0, 1, 3, 2, 4).reshape(n, rows * cols, H // rows, -1)


def test_expander_puts_each_item_in_exactly_one_cell():
    X, _ = _items()
    canvases = QuadrantExpander(random_state=0).fit_transform(X)
    assert canvases.shape == (40, 56, 56) and canvases.dtype == np.uint8
    tiles = _cells(canvases)
    filled = tiles.any(axis=(2, 3))
    np.testing.assert_array_equal(filled.sum(axis=1), 1)
    np.testing.assert_array_equal(tiles[filled], X)


def test_expander_cells_are_uniform_and_reproducible():
    X = np.ones((4000, 28, 28), dtype=np.uint8)
    expander = QuadrantExpander(random_state=1).fit(X)
    first, again = expander.transform(X), expander.transform(X)
    np.testing.assert_array_equal(first, again)
    cells = _cells(first).any(axis=(2, 3)).argmax(axis=1)
    counts = np.bincount(cells, minlength=4)
    assert counts.min() > 900 and counts.max() < 1100  # about 1000 each
    other = QuadrantExpander(random_state=2).fit_transform(X)
    assert not np.array_equal(first, other)


@pytest.mark.parametrize(
    "shape, expected",
    [
        ((5, 28, 28), (5, 56, 56)),
        ((5, 28, 28, 1), (5, 56, 56, 1)),
        ((5, 784), (5, 3136)),
    ],
)
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
def test_augmenters_keep_layout_and_dtype(shape, expected, dtype):
    X = np.ones(shape, dtype=dtype)
    assert QuadrantExpander().fit_transform(X).shape == expected
    assert QuadrantExpander().fit_transform(X).dtype == dtype
    canvases, Y = MultiObjectComposer(random_state=0).fit_resample(X, np.arange(5))
    assert canvases.shape == expected and canvases.dtype == dtype
    assert Y.shape == (5, 10)


def test_expander_fixed_cell_and_other_grids():
    X, _ = _items(6)
    tiles = _cells(QuadrantExpander(cell=2).fit_transform(X))
    np.testing.assert_array_equal(tiles[:, 2], X)
    assert not tiles[:, [0, 1, 3]].any()
    wide = QuadrantExpander(grid=(1, 3), random_state=0).fit_transform(X)
    assert wide.shape == (6, 28, 84)
    with pytest.raises(ValueError, match="outside"):
        QuadrantExpander(cell=4).fit(X)
    with pytest.raises(ValueError, match="grid"):
        QuadrantExpander(grid=(2, 0)).fit(X)


def test_expander_refuses_other_image_sizes():
    expander = QuadrantExpander().fit(np.zeros((2, 28, 28)))
    with pytest.raises(ValueError, match="expecting 784 features"):
        expander.transform(np.zeros((2, 14, 14)))


def test_composer_labels_name_exactly_the_visible_items():
    X, y = _items(50)
    composer = MultiObjectComposer(500, random_state=0)
    canvases, Y = composer.fit_resample(X, y)
    tiles = _cells(canvases)
    occupied = composer.sample_indices_ >= 0
    # Every occupied cell shows its whole item; every other cell is black.
    np.testing.assert_array_equal(
        tiles[occupied], X[composer.sample_indices_[occupied]]
    )
    assert not tiles[~occupied].any()
    # Y is the set of classes of the items on the canvas: no hidden labels.
    visible = np.zeros_like(Y)
    rows, cells = np.nonzero(occupied)
    visible[rows, y[composer.sample_indices_[rows, cells]]] = 1
    np.testing.assert_array_equal(Y, visible)
    np.testing.assert_array_equal(
        composer.layout_[occupied], y[composer.sample_indices_[occupied]]
    )
    assert (composer.layout_[~occupied] == -1).all()


def test_composer_counts_follow_min_and_max():
    X, y = _items()
    composer = MultiObjectComposer(5000, random_state=0)
    composer.fit_resample(X, y)
    counts = (composer.layout_ >= 0).sum(axis=1)
    frequencies = np.bincount(counts, minlength=5) / len(counts)
    np.testing.assert_allclose(frequencies, 0.2, atol=0.03)  # uniform on 0..4
    composer = MultiObjectComposer(300, min_objects=2, max_objects=3, random_state=0)
    composer.fit_resample(X, y)
    assert set((composer.layout_ >= 0).sum(axis=1)) == {2, 3}
    composer = MultiObjectComposer(50, min_objects=6, max_objects=9, grid=(3, 3))
    canvases, _ = composer.fit_resample(X, y)
    assert canvases.shape == (50, 84, 84)


def test_composer_is_reproducible():
    X, y = _items()
    a = MultiObjectComposer(random_state=3).fit_resample(X, y)
    b = MultiObjectComposer(random_state=3).fit_resample(X, y)
    c = MultiObjectComposer(random_state=4).fit_resample(X, y)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    assert len(a[0]) == len(X)  # n_samples=None: one canvas per item


def test_composer_in_imblearn_pipeline():
    imblearn_pipeline = pytest.importorskip("imblearn.pipeline")
    X, y = _items(60)
    pipe = imblearn_pipeline.make_pipeline(
        MultiObjectComposer(200, random_state=0), KNeighborsClassifier(1)
    )
    pipe.fit(X.reshape(60, -1), y)
    canvases, Y = MultiObjectComposer(20, random_state=1).fit_resample(
        X.reshape(60, -1), y
    )
    assert canvases.shape == (20, 3136)
    assert pipe.predict(canvases).shape == Y.shape  # multi-label predictions
    assert clone(pipe).get_params()["multiobjectcomposer__n_samples"] == 200


@pytest.mark.parametrize(
    "X, y, error, match",
    [
        (np.zeros((3, 28)), None, ValueError, "square number of columns"),
        (np.zeros((3, 785)), None, ValueError, "square number of columns"),
        (np.zeros(784), None, ValueError, "2D array"),
        (np.zeros((3, 28, 28, 3)), None, ValueError, r"\(n, h, w, 1\)"),
        (np.zeros((3, 2, 28, 28, 1)), None, ValueError, "got shape"),
        (np.full((3, 784), np.nan), None, ValueError, "NaN"),
        (np.full((3, 784), -1), None, ValueError, r"\[0, 255\]"),
        (np.full((3, 784), 256), None, ValueError, r"\[0, 255\]"),
        (np.zeros((0, 784)), None, ValueError, "0 sample"),
        (np.array([["a"] * 4]), None, ValueError, "numeric"),
        (np.zeros((3, 784)), [0, 1], ValueError, "3 images but y has 2"),
        (np.zeros((3, 784)), [0, 1, 10], ValueError, r"labels must lie in \[0, 9\]"),
        (np.zeros((3, 784)), [0, 1, -1], ValueError, r"labels must lie in \[0, 9\]"),
        (np.zeros((3, 784)), [0, 1, 2.5], TypeError, "integer class"),
        (np.zeros((3, 784)), [[0], [1], [2]], ValueError, "1-D"),
    ],
)
def test_bad_input_is_named(X, y, error, match):
    with pytest.raises(error, match=match):
        MultiObjectComposer().fit_resample(X, np.zeros(len(X), int) if y is None else y)
    if y is None:
        with pytest.raises(error, match=match):
            QuadrantExpander().fit_transform(X)


def test_composer_refuses_impossible_counts():
    X, y = _items(5)
    with pytest.raises(ValueError, match="exceeds the 4 cells"):
        MultiObjectComposer(max_objects=5).fit(X, y)
    with pytest.raises(ValueError, match="min_objects=3 exceeds"):
        MultiObjectComposer(min_objects=3, max_objects=2).fit(X, y)
    with pytest.raises(ValueError, match="n_samples"):
        MultiObjectComposer(0).fit(X, y)


@pytest.mark.realdata
def test_real_composites_label_only_visible_items(fashion_train):
    X, y = fashion_train.images, fashion_train.target
    composer = MultiObjectComposer(random_state=0)
    canvases, Y = composer.fit_resample(X, y)
    assert canvases.shape == (60_000, 56, 56) and canvases.dtype == np.uint8
    tiles = _cells(canvases)
    occupied = composer.sample_indices_ >= 0
    # Each labelled class has an item of that class showing in some cell.
    shown = tiles.reshape(*occupied.shape, -1).any(axis=2)
    np.testing.assert_array_equal(shown, occupied)
    visible = np.zeros_like(Y)
    rows, cells = np.nonzero(shown)
    visible[rows, composer.layout_[rows, cells]] = 1
    np.testing.assert_array_equal(Y, visible)
    # About 1.8 distinct classes per canvas (2 items on average, some repeats).
    assert 1.7 < Y.sum(axis=1).mean() < 1.9
