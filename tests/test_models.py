import joblib
import keras
import numpy as np
import pytest
from asserts import assert_allclose
from sklearn.base import clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import Pipeline

from skfashion.augment import MultiObjectComposer, QuadrantExpander
from skfashion.batches import predict_in_batches
from skfashion.models import CNNClassifier, MultiLabelTransfer

FIT = dict(epochs=2, batch_size=16, learning_rate=0.01, random_state=0)
TINY = dict(filters=(4,), **FIT)


def _bars(n=60, side=8, seed=0):
    """A learnable toy: the class says which row band of the image is lit."""
    rng = np.random.RandomState(seed)
    y = np.arange(n) % 3
    X = rng.randint(0, 40, size=(n, side, side)).astype(np.uint8)
    band = side // 3
    for c in range(3):
        X[y == c, c * band : (c + 1) * band] = 255
    return X, y


def _n_weights(weights):
    return sum(int(np.prod(w.shape)) for w in weights)


def _weights(model):
    return [w.copy() for w in model.get_weights()]


@pytest.fixture(scope="module")
def canvases():
    """Multi-object canvases of 8x8 items (16x16) and the items themselves."""
    items, labels = _bars(90)
    composer = MultiObjectComposer(n_classes=3, random_state=0)
    X, Y = composer.fit_resample(items, labels)
    return items, labels, X, Y


@pytest.fixture(scope="module")
def base(canvases):
    """A CNN fitted on single-item canvases of the same size."""
    items, labels, _, _ = canvases
    X = QuadrantExpander(random_state=0).fit_transform(items)
    return CNNClassifier(**{**TINY, "epochs": 10}).fit(X, labels)


@pytest.mark.backends
def test_tutorial_architecture_parameter_count():
    X = np.zeros((4, 56, 56), dtype=np.uint8)
    cnn = CNNClassifier().initialize(X, np.arange(4) % 10 + np.arange(4) * 0)
    # initialize() saw 4 classes; the tutorial's head has 10.
    cnn = CNNClassifier().initialize(np.zeros((10, 56, 56)), np.arange(10))
    assert cnn.model_.count_params() == 41_786
    assert [layer.name for layer in cnn.model_.layers][-2:] == ["features", "head"]
    average = CNNClassifier(pooling="average").initialize(
        X.repeat(3, 0)[:10], np.arange(10)
    )
    assert average.model_.count_params() == 80 + 2080 + 8256 + 650


@pytest.mark.parametrize(
    "shape", [(10, 28, 28), (10, 784), (10, 28, 28, 1)], ids=["hw", "flat", "hwc"]
)
def test_input_shape_comes_from_X(shape):
    cnn = CNNClassifier(filters=(2,)).initialize(np.zeros(shape), np.arange(10))
    assert cnn.model_.input_shape == (None, 28, 28, 1)
    assert cnn.input_shape_ == (28, 28) and cnn.n_features_in_ == 784


def test_is_a_classifier_with_stratified_folds():
    X, y = _bars(36)
    order = np.argsort(
        y, kind="stable"
    )  # sorted labels: KFold would hold out whole classes
    X, y = X[order], y[order]
    cnn = CNNClassifier(**TINY)
    assert is_classifier(cnn)
    result = cross_validate(cnn, X, y, cv=3, return_indices=True)
    for test in result["indices"]["test"]:
        np.testing.assert_array_equal(np.bincount(y[test]), [4, 4, 4])
    assert len(result["test_score"]) == 3


def test_learns_string_labels():
    X, y = _bars(90)
    names = np.array(["Trouser", "Bag", "Sneaker"])[y]
    cnn = CNNClassifier(**{**TINY, "epochs": 15}).fit(X, names)
    assert cnn.classes_.tolist() == ["Bag", "Sneaker", "Trouser"]
    assert set(cnn.predict(X)) <= set(names)
    proba = cnn.predict_proba(X)
    assert proba.shape == (90, 3)
    assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(cnn.classes_[proba.argmax(axis=1)], cnn.predict(X))
    assert cnn.score(X, names) > 0.9
    assert cnn.predict_proba(X[:1]).shape == (1, 3)  # scikeras would squeeze it


@pytest.mark.backends
def test_scales_pixels_inside_the_network():
    X, y = _bars()
    cnn = CNNClassifier(**TINY).fit(X, y)
    assert cnn.model_.layers[1].name == "scale" and cnn.pixel_scale_ == 1
    # The tutorial's float pixels in [0, 1], seen at fit, are scaled to
    # [0, 255] at fit and at every later call alike.
    floats = CNNClassifier(**TINY).fit(X.astype(np.float64) / 255, y)
    assert floats.pixel_scale_ == 255
    proba = predict_in_batches(floats.model_, X[..., np.newaxis].astype(np.float32))
    assert_allclose(floats.predict_proba(X / 255), proba)


def test_the_pixel_scale_is_decided_at_fit_not_guessed_per_batch():
    X, y = _bars()
    cnn = CNNClassifier(**TINY).fit(X.astype(np.float32), y)  # floats in [0, 255]
    assert cnn.pixel_scale_ == 1
    dark = np.minimum(X, 1).astype(np.float32)  # a dark batch: its maximum is 1
    proba = predict_in_batches(cnn.model_, dark[..., np.newaxis])
    assert_allclose(cnn.predict_proba(dark), proba)  # not multiplied by 255


def test_grid_search_over_dropout_and_filters_in_a_pipeline():
    X, y = _bars(48)
    pipe = Pipeline(
        [("expand", QuadrantExpander(random_state=0)), ("cnn", CNNClassifier(**TINY))]
    )
    grid = {"cnn__dropout": [0.0, 0.5], "cnn__filters": [(2,), (4, 8)]}
    search = GridSearchCV(pipe, grid, cv=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_params_["cnn__filters"] in grid["cnn__filters"]
    cnn = search.best_estimator_.named_steps["cnn"]
    assert cnn.model_.input_shape == (None, 16, 16, 1)
    assert search.predict(X).shape == (48,)


def test_validates_parameters_and_targets():
    X, y = _bars(12)
    with pytest.raises(ValueError, match="dropout"):
        CNNClassifier(dropout=1.5).fit(X, y)
    with pytest.raises(ValueError, match="pooling"):
        CNNClassifier(pooling="max").fit(X, y)
    with pytest.raises(ValueError, match="Unknown label type"):
        CNNClassifier(**TINY).fit(X, np.linspace(0, 1, 12))
    with pytest.raises(ValueError, match="1 class"):
        CNNClassifier(**TINY).fit(X, np.zeros(12))
    with pytest.raises(ValueError, match="square"):
        CNNClassifier(**TINY).fit(X.reshape(12, -1)[:, :50], y)
    with pytest.raises(NotFittedError):
        CNNClassifier().predict(X)
    cnn = CNNClassifier(**TINY).fit(X, y)
    with pytest.raises(ValueError, match="expecting 64 features"):
        cnn.predict(np.zeros((2, 10, 10)))


# -- MultiLabelTransfer -----------------------------------------------------------


def test_transfer_parameter_counts_match_the_tutorial():
    canvases = np.zeros((10, 56, 56), dtype=np.uint8)
    base = CNNClassifier().initialize(canvases, np.arange(10))
    Y = np.eye(10, dtype=int)[np.arange(10)] | np.eye(10, dtype=int)[::-1]
    transfer = MultiLabelTransfer(base, epochs=1, random_state=0).fit(canvases, Y)
    assert _n_weights(transfer.model_.trainable_weights) == 31_370
    assert _n_weights(transfer.model_.non_trainable_weights) == 10_416
    assert transfer.model_.layers[-1].activation.__name__ == "sigmoid"
    assert transfer.model_.loss.__name__ == "binary_crossentropy"


def test_transfer_never_changes_the_base(base, canvases):
    _, _, X, Y = canvases
    before, predictions = _weights(base.model_), base.predict_proba(X)
    transfer = MultiLabelTransfer(base, **FIT).fit(X, Y)
    for w, w_before in zip(_weights(base.model_), before, strict=True):
        np.testing.assert_array_equal(w, w_before)
    np.testing.assert_array_equal(base.predict_proba(X), predictions)
    assert transfer.base_estimator_ is base
    # The frozen layers kept the base's weights; only the head moved.
    for new, old in zip(
        transfer.model_.layers[:-1], base.model_.layers[:-1], strict=True
    ):
        for w_new, w_old in zip(new.get_weights(), old.get_weights(), strict=True):
            np.testing.assert_array_equal(w_new, w_old)


def test_transfer_from_a_pipeline(base, canvases):
    _, _, X, Y = canvases
    pipe = Pipeline([("expand", QuadrantExpander()), ("cnn", base)])
    transfer = MultiLabelTransfer(pipe, **FIT).fit(X, Y)
    assert transfer.base_estimator_ is base
    with pytest.raises(TypeError, match="CNNClassifier"):
        MultiLabelTransfer(Pipeline([("expand", QuadrantExpander())])).fit(X, Y)
    with pytest.raises(NotFittedError):
        MultiLabelTransfer(CNNClassifier()).fit(X, Y)


def test_clone_keeps_the_fitted_base(base, canvases):
    _, _, X, Y = canvases
    transfer = MultiLabelTransfer(base, **FIT)
    assert clone(transfer).base is base
    search = GridSearchCV(transfer, {"learning_rate": [1e-3, 1e-2]}, cv=2).fit(X, Y)
    assert search.best_estimator_.base_estimator_ is base
    assert search.best_estimator_.predict(X).shape == Y.shape


@pytest.mark.backends
def test_fine_tuning_unfreezes_after_warm_up(base, canvases):
    _, _, X, Y = canvases
    transfer = MultiLabelTransfer(
        base, fine_tune=True, warmup_epochs=1, **{**FIT, "epochs": 3}
    ).fit(X, Y)
    assert not transfer.model_.non_trainable_weights
    assert len(transfer.history_["loss"]) == 3
    conv = transfer.model_.layers[2].get_weights()[0]
    assert not np.array_equal(conv, base.model_.layers[2].get_weights()[0])


def test_thresholds(base, canvases):
    _, _, X, Y = canvases
    transfer = MultiLabelTransfer(base, threshold=[0.2, 0.5, 0.8], **FIT).fit(X, Y)
    np.testing.assert_array_equal(transfer.threshold_, [0.2, 0.5, 0.8])
    proba = transfer.predict_proba(X)
    np.testing.assert_array_equal(transfer.predict(X), proba >= transfer.threshold_)
    assert transfer.score(X, Y) == np.mean((transfer.predict(X) == Y).all(axis=1))
    tuned = MultiLabelTransfer(
        base, threshold="tuned", validation_split=0.3, **FIT
    ).fit(X, Y)
    assert tuned.threshold_.shape == (3,)
    assert ((tuned.threshold_ > 0) & (tuned.threshold_ < 1)).all()
    with pytest.raises(ValueError, match="validation_split"):
        MultiLabelTransfer(base, threshold="tuned", **FIT).fit(X, Y)
    with pytest.raises(ValueError, match="multi-hot"):
        MultiLabelTransfer(base, **FIT).fit(X, Y.argmax(axis=1))
    with pytest.raises(ValueError, match=r"takes \(16, 16\)"):
        MultiLabelTransfer(base, **FIT).fit(np.zeros((4, 8, 8)), Y[:4])


# -- fresh data every epoch -------------------------------------------------------


class _RecordingExpander(QuadrantExpander):
    """Logs every draw: the items it was given and the canvases it made."""

    log: list = []

    def draw(self, images, y, random_state):
        canvases, y = super().draw(images, y, random_state)
        self.log.append((images.copy(), canvases.copy()))
        return canvases, y


def test_fresh_canvases_every_epoch_and_fixed_validation():
    X, y = _bars(40)
    X[np.arange(40), 0, 0] = np.arange(40)  # a pixel that names each item
    _RecordingExpander.log = []
    cnn = CNNClassifier(
        augment=_RecordingExpander(), validation_split=0.25, **{**TINY, "epochs": 3}
    ).fit(X, y)
    validation, *training = _RecordingExpander.log
    # Validation: the last quarter of the items, placed once and kept.
    np.testing.assert_array_equal(validation[0][:, 0, 0], np.arange(30, 40))
    names = np.concatenate([items[:, 0, 0] for items, _ in training])
    assert set(names) == set(range(30))  # never a validation item
    # Each epoch (2 batches of 16 and 14) draws every training item once more,
    # in a new cell: item k's cell differs between draws.
    counts = np.bincount(names, minlength=30)
    assert counts.min() >= 3
    cells = np.concatenate(
        [
            c.reshape(-1, 2, 8, 2, 8).any(axis=(2, 4)).reshape(-1, 4).argmax(1)
            for _, c in training
        ]
    )
    moved = [len(set(cells[names == k])) > 1 for k in range(30)]
    assert np.mean(moved) > 0.8
    assert len(cnn.history_["val_loss"]) == 3
    assert cnn.model_.input_shape == (None, 16, 16, 1)
    # predict takes canvases, or raw items placed for it.
    canvases = QuadrantExpander(random_state=1).fit_transform(X)
    assert cnn.predict(canvases).shape == (40,)
    assert cnn.predict(X).shape == (40,)


def test_fresh_canvases_in_grid_search_only_train_folds():
    X, y = _bars(40)
    _RecordingExpander.log = []
    search = GridSearchCV(
        CNNClassifier(augment=_RecordingExpander(), **TINY),
        {"dropout": [0.0, 0.3]},
        cv=2,
        refit=False,
    ).fit(X, y)
    assert len(search.cv_results_["mean_test_score"]) == 2
    # Batches of 16 and 4 from the 20 items of a training fold; never more.
    assert {len(items) for items, _ in _RecordingExpander.log} == {16, 4}


def test_fresh_composites_for_multi_label(base, canvases):
    items, labels, X, Y = canvases
    transfer = MultiLabelTransfer(
        base, augment=MultiObjectComposer(n_classes=3), **FIT
    ).fit(items, labels)
    assert transfer.predict(X).shape == Y.shape
    assert 0 <= transfer.score(items, labels) <= 1  # composes the items to score
    assert transfer.score(X, Y) == np.mean((transfer.predict(X) == Y).all(axis=1))
    with pytest.raises(ValueError, match="MultiObjectComposer"):
        MultiLabelTransfer(base, augment=QuadrantExpander(), **FIT).fit(items, labels)
    with pytest.raises(ValueError, match="QuadrantExpander"):
        CNNClassifier(augment=MultiObjectComposer(), **TINY).fit(items, labels)


class _RecordingComposer(MultiObjectComposer):
    log: list = []

    def draw(self, images, labels, random_state):
        canvases, Y = super().draw(images, labels, random_state)
        self.log.append(canvases.tobytes())
        return canvases, Y


def test_fine_tuning_continues_the_stream_of_fresh_composites(base, canvases):
    items, labels, _, _ = canvases
    _RecordingComposer.log = []
    MultiLabelTransfer(
        base,
        augment=_RecordingComposer(n_classes=3),
        fine_tune=True,
        warmup_epochs=1,
        **{**FIT, "epochs": 2},
    ).fit(items, labels)
    # The fine-tuning epoch draws new batches; it does not replay the warm-up's.
    # (Keras also asks for each phase's first batches once more, to learn
    # their shapes: the same batches again.)
    assert len(set(_RecordingComposer.log)) == 2 * 6  # 2 epochs of 6 batches


# -- persistence ------------------------------------------------------------------


@pytest.mark.backends
def test_joblib_round_trip(base, canvases, tmp_path):
    items, labels, X, Y = canvases
    pipe = Pipeline(
        [("expand", QuadrantExpander(random_state=0)), ("cnn", CNNClassifier(**TINY))]
    ).fit(items, labels)
    transfer = MultiLabelTransfer(base, threshold=[0.3, 0.5, 0.7], **FIT).fit(X, Y)
    for model, data in [(pipe, items), (base, X), (transfer, X)]:
        path = tmp_path / "model.joblib"
        joblib.dump(model, path)
        loaded = joblib.load(path)
        np.testing.assert_array_equal(loaded.predict(data), model.predict(data))
        proba = loaded.predict_proba(data)
        assert_allclose(proba, model.predict_proba(data), rtol=1e-6)
    assert _n_weights(loaded.model_.non_trainable_weights) == _n_weights(
        transfer.model_.non_trainable_weights
    )
    np.testing.assert_array_equal(loaded.threshold_, [0.3, 0.5, 0.7])
    assert isinstance(loaded.model_, keras.Model)


@pytest.mark.realdata
def test_pipeline_on_real_fashion_mnist_beats_chance(fashion_train, fashion_test):
    pipe = Pipeline(
        [
            ("expand", QuadrantExpander(random_state=0)),
            ("cnn", CNNClassifier(epochs=2, random_state=0)),
        ]
    )
    pipe.fit(fashion_train.images[:3000], fashion_train.target[:3000])
    accuracy = pipe.score(fashion_test.images[:1000], fashion_test.target[:1000])
    assert accuracy > 0.5  # chance is 0.1


def test_a_warm_start_keeps_the_classes(base, canvases):
    items, labels, X, Y = canvases
    cnn = clone(base).set_params(warm_start=True)
    expanded = QuadrantExpander(random_state=0).fit_transform(items)
    cnn.fit(expanded, labels)
    first = _weights(cnn.model_)
    cnn.fit(expanded, labels)  # continues the same network
    np.testing.assert_array_equal(cnn.classes_, [0, 1, 2])
    assert cnn.predict(expanded).shape == (90,)
    after = _weights(cnn.model_)
    assert any(not np.array_equal(a, b) for a, b in zip(first, after, strict=True))
    transfer = MultiLabelTransfer(base, warm_start=True, **FIT).fit(X, Y)
    transfer.fit(X, Y)
    assert transfer.threshold_.shape == (3,) and transfer.predict(X).shape == Y.shape


@pytest.mark.backends
def test_fit_never_changes_the_users_optimizer(canvases):
    # scikit-learn's rule: fit changes no parameter. scikeras compiled with the
    # user's very object: its learning rate then read 0.0, its iterations 5.
    items, labels, _, _ = canvases
    adam = keras.optimizers.Adam(learning_rate=0.0123)
    cnn = CNNClassifier(optimizer=adam, **{**TINY, "epochs": 1}).fit(items, labels)
    assert cnn.optimizer is adam
    assert int(keras.ops.convert_to_numpy(adam.iterations)) == 0
    np.testing.assert_allclose(
        float(keras.ops.convert_to_numpy(adam.learning_rate)), 0.0123, rtol=1e-6
    )
    assert int(keras.ops.convert_to_numpy(cnn.model_.optimizer.iterations)) > 0
