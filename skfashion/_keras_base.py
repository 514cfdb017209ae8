"""What every skfashion network shares: scikeras repaired, images, augmentation.

scikeras 0.13 is unmaintained. With scikit-learn >= 1.6 its ``KerasClassifier``
lists ``ClassifierMixin`` after ``BaseEstimator`` and has no
``__sklearn_tags__``, so ``is_classifier()`` is False and an integer ``cv``
silently means ``KFold``. :class:`ImageClassifier` repairs that once, takes
images in any of our layouts, and can draw fresh canvases every epoch.
"""

from __future__ import annotations

import inspect
import math

import keras
import numpy as np
from scikeras.wrappers import KerasClassifier
from sklearn.base import clone
from sklearn.utils import check_random_state
from sklearn.utils._tags import ClassifierTags
from sklearn.utils.validation import check_is_fitted

from ._images import cell_grid, check_images


def _same(value, default) -> bool:
    try:
        return value is default or bool(
            type(value) is type(default) and value == default
        )
    except (TypeError, ValueError):  # arrays and the like
        return False


def _op_determinism(enabled):
    """Whether TensorFlow's op determinism is on; with a bool, set it first."""
    if keras.backend.backend() != "tensorflow":
        return None
    from tensorflow.python.framework import config  # as scikeras does

    if enabled is False:
        config.disable_op_determinism()
    return config.is_op_determinism_enabled()


def to_network(images: np.ndarray) -> np.ndarray:
    """(n, h, w) pixels as the network takes them: (n, h, w, 1) in [0, 255].

    uint8 passes through without a copy (the network rescales it). Float
    pixels in [0, 1], the tutorial's scaling, are brought back to [0, 255].
    """
    if images.dtype == np.uint8:
        return images[..., np.newaxis]
    if images.dtype.kind in "biu":
        return images.astype(np.uint8)[..., np.newaxis]
    images = images.astype(np.float32)
    if images.size and images.max() <= 1.0:
        images = images * 255
    return images[..., np.newaxis]


def predict_in_batches(model, X, *, batch_size=1024, **kwargs) -> np.ndarray:
    """``model``'s outputs for ``X``, in large batches and without a progress bar.

    Each batch goes through Keras' ``predict_on_batch``, whose compiled
    function is kept between calls. The last batch is padded to a power of two,
    so a few batch shapes serve every call and nothing is traced again (JAX
    compiles once per shape). Other ``kwargs`` (callbacks, ...) fall back to
    Keras' ``predict``.
    """
    kwargs.pop("verbose", None)
    if kwargs:
        return model.predict(X, batch_size=batch_size, verbose=0, **kwargs)
    outputs = []
    for start in range(0, len(X), batch_size):
        batch = X[start : start + batch_size]
        size = len(batch)
        padded = min(batch_size, 1 << (size - 1).bit_length())
        if padded != size:
            batch = np.concatenate(
                [batch, np.zeros((padded - size, *batch.shape[1:]), batch.dtype)]
            )
        outputs.append(keras.ops.convert_to_numpy(model.predict_on_batch(batch))[:size])
    if not outputs:
        return np.zeros((0, *model.output_shape[1:]), dtype=np.float32)
    return np.concatenate(outputs)


class FreshCanvases(keras.utils.PyDataset):
    """Training batches of canvases, each drawn afresh from the raw items.

    Items are taken in a random order, each once per pass over the data, and
    every batch is augmented when Keras asks for it, so no two epochs see the
    same canvases. Drawing per batch, rather than in ``on_epoch_end``, keeps
    this true when Keras prefetches the next epoch's first batches.

    Parameters
    ----------
    augment : fitted augmenter
        A fitted :class:`~skfashion.augment.QuadrantExpander` or
        :class:`~skfashion.augment.MultiObjectComposer`.
    items : ndarray of shape (n, h, w)
        Raw items.
    targets : ndarray of shape (n, ...)
        Their targets, passed to the augmenter with them.
    batch_size : int
    rng : RandomState
        Source of every draw.
    """

    def __init__(self, augment, items, targets, batch_size, rng):
        super().__init__()
        self.augment = augment
        self.items = items
        self.targets = targets
        self.batch_size = batch_size
        self.rng = rng
        self._order = np.empty(0, dtype=np.intp)

    def __len__(self):
        return math.ceil(len(self.items) / self.batch_size)

    def _next_items(self, size):
        """The next ``size`` item indices of an endless shuffled stream."""
        while len(self._order) < size:
            self._order = np.concatenate(
                [self._order, self.rng.permutation(len(self.items))]
            )
        taken, self._order = self._order[:size], self._order[size:]
        return taken

    def _batch_items(self, index):
        """Indices of the items of batch ``index``."""
        return self._next_items(
            min(self.batch_size, len(self.items) - index * self.batch_size)
        )

    def __getitem__(self, index):
        chosen = self._batch_items(index)
        canvases, targets = self.augment._draw(
            self.items[chosen], self.targets[chosen], self.rng
        )
        return to_network(canvases), targets


class FreshCells(FreshCanvases):
    """Training batches of the cells of fresh composites, with per-cell targets.

    Every batch arranges ``batch_size`` composites (as
    :class:`~skfashion.augment.MultiObjectComposer` would) without drawing
    them: each placed item is a cell whose target is its class, and the empty
    cells, all alike, are one black cell of target ``n_classes`` weighted by
    their number. The loss is the same as on every cell of the composites,
    for the cost of the items alone.
    """

    def __getitem__(self, index):
        chosen = self._batch_items(index)
        size = len(chosen)
        _, _, sources = self.augment._arrange(size, size, self.rng)
        n_cells = int(np.prod(self.augment.grid_))
        n_empty = size * n_cells - len(sources)
        black = np.zeros((1, *self.items.shape[1:]), dtype=self.items.dtype)
        cells = np.concatenate([self.items[chosen[sources]], black])
        targets = np.append(self.targets[chosen[sources]], self.augment.n_classes)
        weights = np.append(np.ones(len(sources)), n_empty) * (
            (len(sources) + 1) / (size * n_cells)
        )
        return to_network(cells), targets, weights.astype(np.float32)


class ImageClassifier(KerasClassifier):
    """A scikeras ``KerasClassifier`` that is a scikit-learn classifier again.

    Subclasses build their network in ``_keras_build_fn(compile_kwargs)`` with
    input shape ``self.input_shape_`` and set ``augment``.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags(poor_score=True)
        tags.target_tags.required = True
        tags.input_tags.three_d_array = True
        return tags

    def __repr__(self):
        # scikit-learn's repr shows the parameters that differ from their
        # defaults; scikeras' own are not in our signatures, so look them up.
        defaults = {
            **inspect.signature(KerasClassifier.__init__).parameters,
            **inspect.signature(type(self).__init__).parameters,
        }
        changed = []
        for name, value in self.get_params(deep=False).items():
            default = defaults.get(name)
            if default is None or not _same(value, default.default):
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_is_fitted__(self):
        return hasattr(self, "model_")

    # -- inputs ---------------------------------------------------------------
    def _validate_data(self, X=None, y=None, reset=False, y_numeric=False):
        """Check images (and targets) and return them in the network's layout."""
        if reset:
            self._validate_params()
            if y is None and X is not None:
                raise ValueError(
                    f"{type(self).__name__} requires y to be passed, but the "
                    "target y is None"
                )
            self._check_targets(y)
        if y is not None:
            _, y = super()._validate_data(None, y, reset=reset, y_numeric=y_numeric)
        if X is None:
            return X, y
        images = check_images(X).images
        if y is not None and len(y) != len(images):
            raise ValueError(f"X has {len(images)} images but y has {len(y)} targets")
        if reset:
            self.X_dtype_ = images.dtype
            self.image_shape_ = images.shape[1:]
            self.n_features_in_ = images[0].size
            self.augment_ = None
            self.cell_shape_ = None  # set by networks that read cells
            self._n_fit_images = len(images)  # for schedules over the whole fit
            self.input_shape_ = self._network_input_shape(images, y)
            images = self._training_images(images)
        elif images.shape[1:] != self.input_shape_:
            images = self._place_items(images)
        return to_network(images), y

    def _training_images(self, images):
        """What the network trains on, from the checked images (subclasses)."""
        return images

    def _check_targets(self, y):
        """Refuse targets this network cannot learn (subclasses)."""

    def _network_input_shape(self, images, y):
        """Input shape of the network; with ``augment``, the canvas shape."""
        if self.augment is None:
            return images.shape[1:]
        self.augment_ = clone(self.augment).fit(images, y)
        rows, cols = self.augment_.grid_
        return (rows * images.shape[1], cols * images.shape[2])

    def _place_items(self, images):
        """Images other than canvases: raw items, each alone on a canvas.

        A network that reads cells takes any whole number of cells as it is.
        """
        if getattr(self, "cell_shape_", None) is not None:
            cell_grid(images.shape[1:], self.cell_shape_)
            return images
        if self.augment_ is None or images.shape[1:] != self.image_shape_:
            rows, cols = np.divmod(self.input_shape_, images.shape[1:])[0]
            hint = (
                f"; to put items on canvases, use QuadrantExpander(({rows}, {cols}))"
                " (in a Pipeline before the model)"
                if images.shape[1] * rows == self.input_shape_[0]
                and images.shape[2] * cols == self.input_shape_[1]
                and rows * cols > 1
                else ""
            )
            raise ValueError(
                f"X has {images[0].size} features, but {type(self).__name__} is "
                f"expecting {int(np.prod(self.input_shape_))} features as input "
                f"(images of shape {self.input_shape_}, got {images.shape[1:]})" + hint
            )
        from .augment import QuadrantExpander

        expander = QuadrantExpander(self.augment_.grid_, random_state=0)
        return expander.fit_transform(images)

    # -- training ---------------------------------------------------------------
    def _fit(self, *args, **kwargs):
        # scikeras 0.13 seeds TensorFlow by turning op determinism on, but sets
        # TF_DETERMINISTIC_OPS before asking whether it was on, so it never
        # turns it off: every later unseeded random op in the process fails.
        was_deterministic = _op_determinism(None)
        try:
            super()._fit(*args, **kwargs)
        finally:
            _op_determinism(was_deterministic)

    def _split_validation(self, X, y):
        """Hold out the last ``validation_split`` of the data, as Keras does."""
        n_val = int(len(X) * self.validation_split)
        if n_val == 0:
            return (X, y), None
        return (X[:-n_val], y[:-n_val]), (X[-n_val:], y[-n_val:])

    def _fit_keras_model(
        self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs
    ):
        """Prepare the training data once, then :meth:`_train` on it.

        The validation data is split off here rather than by Keras, so that it
        is known afterwards and, with ``augment``, drawn once from held-out
        items and then kept fixed. With ``augment``, ``X`` becomes a
        :class:`FreshCanvases` stream of batches.
        """
        (X, y), validation = self._split_validation(X, y)
        kwargs["validation_split"] = 0.0
        if sample_weight is not None:
            sample_weight = sample_weight[: len(X)]
        if self._draws_canvases:
            if sample_weight is not None:
                raise ValueError("sample_weight is not supported with augment")
            rng = check_random_state(self.random_state)
            if validation is not None:
                items, targets = validation
                validation = self._draw_validation(
                    items[..., 0], targets, np.random.RandomState(rng.randint(2**31))
                )
            X = self._training_stream(X[..., 0], y, rng)
            y = None
            kwargs.update(batch_size=None, shuffle=False)
        self._validation = validation  # for subclasses; not kept after fit
        if validation is not None:
            kwargs["validation_data"] = validation
        self._train(X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs)

    def _draw_validation(self, items, targets, rng):
        """Validation data drawn once from held-out raw items."""
        canvases, targets = self.augment_._draw(items, targets, rng)
        return to_network(canvases), targets

    def _training_stream(self, items, targets, rng):
        """Training batches drawn afresh from raw items."""
        return FreshCanvases(self.augment_, items, targets, self.batch_size or 32, rng)

    @property
    def _draws_canvases(self) -> bool:
        """Whether training draws fresh canvases from raw items every batch."""
        return self.augment_ is not None

    def _train(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        """Run Keras' ``fit`` on prepared data (subclasses may train in phases)."""
        super()._fit_keras_model(
            X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs
        )

    # -- predicting ---------------------------------------------------------------
    def _predict_raw(self, X, **kwargs):
        """The network's outputs for ``X``: large batches, silent, no retracing."""
        check_is_fitted(self)
        X, _ = self._validate_data(X)
        return self._predict_network(X, **kwargs)

    def _predict_network(self, X, **kwargs):
        """Run ``model_`` on prepared inputs (subclasses may skip work)."""
        return predict_in_batches(self.model_, X, **kwargs)

    def _compile(self, model, compile_kwargs, learning_rate):
        """Compile with the optimizer scikeras made, at our learning rate."""
        optimizer = compile_kwargs["optimizer"]
        if isinstance(learning_rate, keras.optimizers.schedules.LearningRateSchedule):
            # An optimizer made with a float rate cannot take a schedule.
            config = {**optimizer.get_config(), "learning_rate": learning_rate}
            compile_kwargs["optimizer"] = type(optimizer).from_config(config)
        elif isinstance(optimizer, keras.optimizers.Optimizer):
            optimizer.learning_rate = learning_rate
        model.compile(**compile_kwargs)
        return model
