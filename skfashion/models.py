"""Keras CNNs as scikit-learn classifiers: single-label and multi-label.

:class:`CNNClassifier` is the tutorial's network, one class per image.
:class:`MultiLabelTransfer` reuses a fitted one to name every item on a canvas.
Both are scikeras ``KerasClassifier`` subclasses, repaired for scikit-learn
>= 1.6, so they work in pipelines, cross-validation, grid search and joblib.
"""

from __future__ import annotations

from numbers import Integral, Real

import keras
import numpy as np
from keras import layers
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted

from ._images import check_images, check_labels
from ._keras_base import ImageClassifier, to_network

__all__ = ["CNNClassifier", "MultiLabelTransfer"]

_COMMON_CONSTRAINTS = {
    "learning_rate": [Interval(Real, 0, None, closed="neither")],
    "epochs": [Interval(Integral, 0, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left"), None],
    "validation_split": [Interval(Real, 0, 1, closed="left")],
    "verbose": ["verbose"],
    "random_state": ["random_state"],
}


class CNNClassifier(ImageClassifier):
    """The tutorial's convolutional network as a scikit-learn classifier.

    Conv2D blocks (kernel ``kernel_size``, ``same`` padding, ReLU), each
    followed by 2x2 max-pooling and, but for the last, dropout; then a flatten
    (or global average pooling) and a softmax layer. With the defaults on
    56x56 canvases it has the tutorial's 41,786 parameters. Pixels arrive as
    uint8 (or floats) and are scaled to [0, 1] inside the network.

    Parameters
    ----------
    filters : tuple of int, default=(16, 32, 64)
        Filters of each convolution block.
    kernel_size : int, default=2
        Side of the convolution kernels.
    dropout : float, default=0.3
        Dropout rate after every block but the last.
    pooling : {"flatten", "average"}, default="flatten"
        How the last feature maps reach the classifier: flattened, or global
        average pooling (fewer parameters; the tutorial found it worse).
    learning_rate : float, default=1e-3
        Learning rate of the optimizer (Adam by default).
    augment : QuadrantExpander, default=None
        Draw new canvases from the raw training items every epoch. ``fit``
        then takes raw items, and ``predict`` canvases (raw items are placed
        in a random cell). Validation items are placed once and kept.
    epochs : int, default=15
        Passes over the training data (the tutorial's 15).
    batch_size : int, default=32
        Images per gradient step.
    validation_split : float, default=0.0
        Fraction of the training data, taken from its end, held out to
        validate after each epoch (reported in ``history_``).
    callbacks : list of keras.callbacks.Callback, default=None
        Passed to Keras' ``fit``.
    verbose : int, default=0
        Keras' verbosity.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the dropout and the augmentation.
    **kwargs
        Any other scikeras parameter (``optimizer``, ``loss``, ``metrics``,
        ``warm_start``, routed ``fit__``/``optimizer__`` parameters, ...).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, integers or strings.
    model_ : keras.Model
        The fitted network.
    history_ : dict
        Loss and metrics per epoch.
    input_shape_ : tuple of (int, int)
        Height and width of the images the network takes.
    n_features_in_ : int
        Pixels per training image (per raw item with ``augment``).

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.models import CNNClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randint(0, 256, size=(40, 8, 8), dtype=np.uint8)
    >>> y = np.repeat(["Bag", "Sneaker"], 20)
    >>> X[y == "Bag", :4] = 0
    >>> cnn = CNNClassifier(filters=(4,), epochs=30, random_state=0).fit(X, y)
    >>> cnn.classes_.tolist()
    ['Bag', 'Sneaker']
    >>> cnn.score(X, y) > 0.9
    True
    """

    _parameter_constraints = {
        **_COMMON_CONSTRAINTS,
        "filters": [tuple, list],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "pooling": [StrOptions({"flatten", "average"})],
    }

    def __init__(
        self,
        filters=(16, 32, 64),
        *,
        kernel_size=2,
        dropout=0.3,
        pooling="flatten",
        learning_rate=1e-3,
        augment=None,
        epochs=15,
        batch_size=32,
        validation_split=0.0,
        callbacks=None,
        verbose=0,
        random_state=None,
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=None,
        **kwargs,
    ):
        super().__init__(
            optimizer=optimizer,
            loss=loss,
            metrics=metrics,
            epochs=epochs,
            batch_size=batch_size,
            validation_split=validation_split,
            callbacks=callbacks,
            verbose=verbose,
            random_state=random_state,
            **kwargs,
        )
        self.filters = filters
        self.kernel_size = kernel_size
        self.dropout = dropout
        self.pooling = pooling
        self.learning_rate = learning_rate
        self.augment = augment

    def predict_proba(self, X, **kwargs):
        """Probability of each class in ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n, h, w), (n, h, w, 1) or (n, h * w)
            Images.
        **kwargs
            Passed to Keras' ``predict``.

        Returns
        -------
        proba : ndarray of shape (n, n_classes)
        """
        # scikeras squeezes the result, so one image would give (n_classes,).
        return super().predict_proba(X, **kwargs).reshape(-1, len(self.classes_))

    def _check_targets(self, y):
        y = np.asarray(y)
        kind = type_of_target(y)
        if kind not in ("binary", "multiclass"):
            raise ValueError(
                f"Unknown label type: {kind}. CNNClassifier predicts one class "
                "per image (for multi-hot targets, use MultiLabelTransfer)"
            )
        if len(np.unique(y)) < 2:
            raise ValueError("CNNClassifier needs at least two classes, got 1 class")

    def _keras_build_fn(self, compile_kwargs):
        if not self.filters or min(self.filters) < 1:
            raise ValueError(f"filters must be positive integers, got {self.filters}")
        if self.augment_ is not None and not hasattr(self.augment_, "transform"):
            raise ValueError(
                "CNNClassifier predicts one class per image: augment must be a "
                "QuadrantExpander (a MultiObjectComposer makes multi-label "
                "targets: use MultiLabelTransfer)"
            )
        inputs = keras.Input((*self.input_shape_, 1), name="pixels")
        x = layers.Rescaling(1 / 255, name="scale")(inputs)
        for i, n_filters in enumerate(self.filters):
            x = layers.Conv2D(
                n_filters, self.kernel_size, padding="same", activation="relu"
            )(x)
            x = layers.MaxPool2D(2, padding="same")(x)
            if i < len(self.filters) - 1:
                x = layers.Dropout(self.dropout)(x)
        if self.pooling == "flatten":
            x = layers.Flatten(name="features")(x)
        else:
            x = layers.GlobalAveragePooling2D(name="features")(x)
        outputs = layers.Dense(self.n_classes_, activation="softmax", name="head")(x)
        model = keras.Model(inputs, outputs, name="cnn")
        compile_kwargs["metrics"] = compile_kwargs["metrics"] or ["accuracy"]
        return self._compile(model, compile_kwargs, self.learning_rate)


class _MultiHotTarget(TransformerMixin, BaseEstimator):
    """scikeras target encoder for multi-hot ``Y`` (or item labels to compose)."""

    def __init__(self, n_labels=None):
        self.n_labels = n_labels

    def fit(self, y):
        if y.ndim == 2:
            if np.any((y != 0) & (y != 1)):
                raise ValueError("Y must be a multi-hot indicator of 0s and 1s")
            self.n_classes_ = y.shape[1]
        elif self.n_labels is None:
            raise ValueError(
                "MultiLabelTransfer needs multi-hot Y of shape (n, n_labels); "
                "1-D item labels only with augment=MultiObjectComposer(...)"
            )
        else:
            self.n_classes_ = self.n_labels
        self.classes_ = np.arange(self.n_classes_)
        return self

    def transform(self, y):
        return y.astype(np.float32) if y.ndim == 2 else y

    def inverse_transform(self, y, return_proba=False):
        return y if return_proba else (y >= 0.5).astype(int)

    def get_metadata(self):
        return {"classes_": self.classes_, "n_classes_": self.n_classes_}


def _final_cnn(base):
    """The fitted CNNClassifier in ``base`` (itself, or a Pipeline's last step)."""
    cnn = base.steps[-1][1] if isinstance(base, Pipeline) else base
    if not isinstance(cnn, CNNClassifier):
        raise TypeError(
            "base must be a fitted CNNClassifier or a Pipeline ending in one, "
            f"got {type(base).__name__}"
        )
    check_is_fitted(cnn)
    return cnn


class MultiLabelTransfer(ImageClassifier):
    """Name every item on a canvas, reusing a fitted :class:`CNNClassifier`.

    The base network is copied and cut before its softmax head; what remains
    is frozen and a ``Dense(n_labels, sigmoid)`` head is trained with binary
    cross-entropy on multi-hot targets. With the tutorial's base this leaves
    31,370 trainable and 10,416 frozen parameters. The base estimator itself is
    never changed, and :func:`~sklearn.base.clone` (as in grid search) keeps
    it fitted, as :class:`~sklearn.frozen.FrozenEstimator` would.

    Parameters
    ----------
    base : CNNClassifier or Pipeline
        A fitted CNNClassifier, or a fitted Pipeline ending in one (only its
        network is used: canvases go to it directly).
    fine_tune : bool, default=False
        After ``warmup_epochs`` with the base frozen, unfreeze every layer and
        train on at ``fine_tune_learning_rate``.
    warmup_epochs : int, default=3
        Epochs that train only the new head when ``fine_tune`` is set.
    fine_tune_learning_rate : float, default=1e-4
        Learning rate once every layer trains.
    threshold : float, array-like of shape (n_labels,) or "tuned", default=0.5
        Probability from which a label is predicted. ``"tuned"`` picks, for
        each class, the threshold maximising F1 on the validation data
        (``validation_split`` must then be positive).
    learning_rate : float, default=1e-3
        Learning rate while the base is frozen.
    augment : MultiObjectComposer, default=None
        Compose new canvases every epoch: ``fit`` then takes raw items and
        their integer labels; ``predict`` takes canvases. Validation
        composites are drawn once and kept.
    epochs, batch_size, validation_split, callbacks, verbose, random_state
        As in :class:`CNNClassifier`.
    **kwargs
        Any other scikeras parameter.

    Attributes
    ----------
    base_estimator_ : CNNClassifier
        The fitted network the transfer started from (not modified).
    classes_ : ndarray of shape (n_labels,)
        Column indices of the multi-hot targets.
    threshold_ : ndarray of shape (n_labels,)
        Per-class decision thresholds.
    model_ : keras.Model
        The multi-label network.

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.augment import MultiObjectComposer
    >>> from skfashion.models import CNNClassifier, MultiLabelTransfer
    >>> rng = np.random.RandomState(0)
    >>> items = rng.randint(0, 256, size=(40, 8, 8), dtype=np.uint8)
    >>> labels = np.arange(40) % 2
    >>> canvases, Y = MultiObjectComposer(
    ...     n_classes=2, random_state=0).fit_resample(items, labels)
    >>> base = CNNClassifier(filters=(4,), epochs=1, random_state=0)
    >>> base = base.fit(canvases, Y.argmax(axis=1))
    >>> transfer = MultiLabelTransfer(base, epochs=1, random_state=0)
    >>> transfer.fit(canvases, Y).predict(canvases).shape
    (40, 2)
    """

    _parameter_constraints = {
        **_COMMON_CONSTRAINTS,
        "fine_tune": ["boolean"],
        "warmup_epochs": [Interval(Integral, 0, None, closed="left")],
        "fine_tune_learning_rate": [Interval(Real, 0, None, closed="neither")],
        "threshold": [
            Interval(Real, 0, 1, closed="both"),
            "array-like",
            StrOptions({"tuned"}),
        ],
    }

    def __init__(
        self,
        base=None,
        *,
        fine_tune=False,
        warmup_epochs=3,
        fine_tune_learning_rate=1e-4,
        threshold=0.5,
        learning_rate=1e-3,
        augment=None,
        epochs=15,
        batch_size=32,
        validation_split=0.0,
        callbacks=None,
        verbose=0,
        random_state=None,
        optimizer="adam",
        loss="binary_crossentropy",
        metrics=None,
        **kwargs,
    ):
        super().__init__(
            optimizer=optimizer,
            loss=loss,
            metrics=metrics,
            epochs=epochs,
            batch_size=batch_size,
            validation_split=validation_split,
            callbacks=callbacks,
            verbose=verbose,
            random_state=random_state,
            **kwargs,
        )
        self.base = base
        self.fine_tune = fine_tune
        self.warmup_epochs = warmup_epochs
        self.fine_tune_learning_rate = fine_tune_learning_rate
        self.threshold = threshold
        self.learning_rate = learning_rate
        self.augment = augment

    def __sklearn_clone__(self):
        # Keep the fitted base as it is (FrozenEstimator's idea); clone the rest.
        params = self.get_params(deep=False)
        return type(self)(
            **{k: v if k == "base" else clone(v, safe=False) for k, v in params.items()}
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    @property
    def target_encoder(self):
        return _MultiHotTarget(getattr(self.augment, "n_classes", None))

    def fit(self, X, y, sample_weight=None, **kwargs):
        """Train the multi-label head (and, with ``fine_tune``, every layer).

        Parameters
        ----------
        X : array-like of shape (n, h, w), (n, h, w, 1) or (n, h * w)
            Canvases of the base network's input shape, or raw items with
            ``augment``.
        y : array-like of shape (n, n_labels), or (n,) with ``augment``
            Multi-hot targets, or the items' integer classes.
        sample_weight : array-like of shape (n,), default=None
            Weights of the canvases (not with ``augment``).
        **kwargs
            Passed to Keras' ``fit``.

        Returns
        -------
        self : MultiLabelTransfer
        """
        self.base_estimator_ = _final_cnn(self.base)
        super().fit(X, y, sample_weight=sample_weight, **kwargs)
        self.threshold_ = self._fit_threshold()
        del self._validation
        return self

    def _network_input_shape(self, images, y):
        shape = super()._network_input_shape(images, y)
        if self.augment_ is not None and not hasattr(self.augment_, "fit_resample"):
            raise ValueError("augment must be a MultiObjectComposer")
        if shape != self.base_estimator_.input_shape_:
            raise ValueError(
                f"the base network takes {self.base_estimator_.input_shape_} "
                f"canvases; these data make {shape} canvases"
            )
        return shape

    def _keras_build_fn(self, compile_kwargs):
        base_model = self.base_estimator_.model_
        backbone = keras.models.clone_model(base_model)
        backbone.set_weights(base_model.get_weights())
        for layer in backbone.layers:
            layer.trainable = False
        features = backbone.layers[-2].output  # the input of the softmax head
        outputs = layers.Dense(self.n_classes_, activation="sigmoid", name="labels")(
            features
        )
        model = keras.Model(backbone.inputs, outputs, name="multi_label")
        return self._compile(model, compile_kwargs, self.learning_rate)

    def _train(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        # Both phases share one stream of training data: with ``augment`` the
        # fine-tuning epochs continue it rather than replay the warm-up's.
        if not self.fine_tune or epochs <= self.warmup_epochs:
            return super()._train(
                X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs
            )
        warmup = self.warmup_epochs
        if warmup:
            super()._train(
                X, y, sample_weight, warm_start, warmup, initial_epoch, **kwargs
            )
        for layer in self.model_.layers:
            layer.trainable = True
        self._compile(
            self.model_, self._get_compile_kwargs(), self.fine_tune_learning_rate
        )
        super()._train(
            X, y, sample_weight, True, epochs - warmup, initial_epoch + warmup, **kwargs
        )

    def _fit_threshold(self):
        n_labels = len(self.classes_)
        if not isinstance(self.threshold, str):
            threshold = np.broadcast_to(
                np.asarray(self.threshold, dtype=float), (n_labels,)
            ).copy()
            if np.any((threshold < 0) | (threshold > 1)):
                raise ValueError(f"thresholds must lie in [0, 1], got {self.threshold}")
            return threshold
        if self._validation is None:
            raise ValueError('threshold="tuned" needs validation_split > 0')
        X_val, Y_val = self._validation
        proba = self.model_.predict(X_val, verbose=0)
        candidates = np.linspace(0.05, 0.95, 19)
        scores = [
            f1_score(Y_val, proba >= t, average=None, zero_division=1.0)
            for t in candidates
        ]
        return candidates[np.argmax(scores, axis=0)]

    def predict_proba(self, X, **kwargs):
        """Probability of each label on each canvas.

        Parameters
        ----------
        X : array-like of shape (n, h, w), (n, h, w, 1) or (n, h * w)
            Canvases.
        **kwargs
            Passed to Keras' ``predict``.

        Returns
        -------
        proba : ndarray of shape (n, n_labels)
        """
        check_is_fitted(self)
        return self._predict_raw(X, **kwargs)

    def predict(self, X, **kwargs):
        """Multi-hot labels: where the probability reaches ``threshold_``.

        Parameters
        ----------
        X : array-like of shape (n, h, w), (n, h, w, 1) or (n, h * w)
            Canvases.
        **kwargs
            Passed to Keras' ``predict``.

        Returns
        -------
        Y : ndarray of shape (n, n_labels)
        """
        return (self.predict_proba(X, **kwargs) >= self.threshold_).astype(int)

    def score(self, X, y, sample_weight=None):
        """Subset accuracy: the fraction of canvases with every label right.

        With ``augment`` and raw items with integer labels, the items are
        first composed into canvases (with a fixed seed), as in training.

        Parameters
        ----------
        X : array-like
            Canvases, or raw items with ``augment``.
        y : array-like of shape (n, n_labels), or (n,) with ``augment``
            Multi-hot targets, or item labels.
        sample_weight : array-like of shape (n,), default=None

        Returns
        -------
        score : float
        """
        check_is_fitted(self)
        y = np.asarray(y)
        if y.ndim == 1 and self.augment_ is not None:
            items = check_images(X).images
            labels = check_labels(y, len(items), self.augment_.n_classes)
            canvases, y = self.augment_._draw(items, labels, np.random.RandomState(0))
            X = to_network(canvases)
        return accuracy_score(y, self.predict(X), sample_weight=sample_weight)


_FILE_TAG = "skfashion-model"


def dump(estimator, path) -> None:
    """Save a fitted model (or Pipeline) to ``path`` with joblib, tagged as ours.

    Parameters
    ----------
    estimator : CNNClassifier, MultiLabelTransfer or Pipeline
        A fitted model.
    path : str or path-like
        Where to write it.
    """
    import joblib

    joblib.dump({"format": _FILE_TAG, "estimator": estimator}, path)


def load(path):
    """Load a model saved by :func:`dump` (or ``skfashion train``).

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    estimator : CNNClassifier, MultiLabelTransfer or Pipeline

    Raises
    ------
    ValueError
        If the file is not a model saved by skfashion.
    """
    import joblib

    try:
        content = joblib.load(path)
    except FileNotFoundError:
        raise
    except Exception as exc:  # pickle raises many kinds for a foreign file
        raise ValueError(f"{path} is not a skfashion model file ({exc})") from None
    if not isinstance(content, dict) or content.get("format") != _FILE_TAG:
        raise ValueError(
            f"{path} is not a skfashion model file (save one with skfashion train)"
        )
    return content["estimator"]
