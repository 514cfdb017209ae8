"""scikit-learn's estimator invariants, on image data.

The checks of ``test_common.py`` that feed flat, non-square data are expected
to fail there; here each of their invariants runs for real on 8x8 images, for
every public estimator.
"""

import pickle

import numpy as np
import pytest
from asserts import assert_allclose
from sklearn.base import clone
from toys import lit_bands

from skfashion.augment import MultiObjectComposer, QuadrantExpander
from skfashion.models import CNNClassifier, MultiLabelTransfer

FIT = dict(epochs=1, batch_size=16, random_state=0)


@pytest.fixture(scope="module")
def base():
    items, y = lit_bands(60)
    canvases = QuadrantExpander(random_state=0).fit_transform(items)
    return CNNClassifier(filters=(2,), **FIT).fit(canvases, y)


def _cases(base):
    """(estimator, X, y, output) for each public estimator."""
    items, y = lit_bands(60)
    canvases = QuadrantExpander(random_state=0).fit_transform(items)
    composites, Y = MultiObjectComposer(n_classes=3, random_state=0).fit_resample(
        items, y
    )
    return {
        "QuadrantExpander": (QuadrantExpander(random_state=0), items, None),
        "MultiObjectComposer": (
            MultiObjectComposer(n_classes=3, random_state=0),
            items,
            y,
        ),
        "CNNClassifier": (CNNClassifier(filters=(2,), **FIT), canvases, y),
        "MultiLabelTransfer": (MultiLabelTransfer(base, **FIT), composites, Y),
    }


NAMES = [
    "QuadrantExpander",
    "MultiObjectComposer",
    "CNNClassifier",
    "MultiLabelTransfer",
]


def _output(estimator, X, y):
    """Fit, then what the estimator gives for X."""
    if hasattr(estimator, "fit_resample"):
        return estimator.fit_resample(X, y)[0]
    estimator.fit(X, y)
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X)
    return estimator.transform(X)


def _after_fit(estimator, X):
    """What a fitted estimator gives for X (a sampler composes anew)."""
    if hasattr(estimator, "fit_resample"):
        return estimator.fit_resample(X, np.arange(len(X)) % 3)[0]
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X)
    return estimator.transform(X)


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_refit_gives_the_same_output(name, base):
    estimator, X, y = _cases(base)[name]
    first = _output(estimator, X, y)
    assert_allclose(_output(clone(estimator), X, y), first)


@pytest.mark.parametrize(
    "name", ["QuadrantExpander", "CNNClassifier", "MultiLabelTransfer"]
)
def test_outputs_do_not_depend_on_the_batch(name, base):
    """Subset and order invariance: each image's output is its own."""
    estimator, X, y = _cases(base)[name]
    if name == "QuadrantExpander":
        estimator.set_params(cell=1)  # a random cell depends on the position
    whole = _output(estimator, X, y)
    order = np.random.RandomState(0).permutation(len(X))
    assert_allclose(_after_fit(estimator, X[order]), whole[order])
    assert_allclose(_after_fit(estimator, X[:7]), whole[:7])


@pytest.mark.parametrize("name", NAMES)
def test_pickles_and_predicts_the_same(name, base):
    estimator, X, y = _cases(base)[name]
    before = _output(estimator, X, y)
    loaded = pickle.loads(pickle.dumps(estimator))
    if name == "MultiObjectComposer":
        loaded.set_params(random_state=0)
        before = estimator.fit_resample(X, y)[0]
    assert_allclose(_after_fit(loaded, X), before)


@pytest.mark.parametrize("name", NAMES)
def test_read_only_and_fortran_input(name, base, tmp_path):
    estimator, X, y = _cases(base)[name]
    expected = _output(clone(estimator), X, y)
    path = tmp_path / "X.npy"
    np.save(path, X)
    read_only = np.load(path, mmap_mode="r")
    assert_allclose(_output(clone(estimator), read_only, y), expected)
    assert_allclose(_output(clone(estimator), np.asfortranarray(X), y), expected)


@pytest.mark.parametrize("name", NAMES)
def test_n_features_in_and_wrong_shapes(name, base):
    estimator, X, y = _cases(base)[name]
    _output(estimator, X, y)
    assert estimator.n_features_in_ == X[0].size
    if name != "MultiObjectComposer":  # a sampler refits on every call
        with pytest.raises(ValueError, match="features"):
            _after_fit(estimator, np.zeros((2, 12, 12), dtype=np.uint8))


@pytest.mark.parametrize("name", NAMES)
def test_clone_is_unfitted_with_the_same_parameters(name, base):
    estimator, X, y = _cases(base)[name]
    _output(estimator, X, y)
    copy = clone(estimator)
    assert repr(copy) == repr(estimator)
    fitted = [k for k in vars(copy) if k.endswith("_") and not k.startswith("_")]
    assert fitted == []
