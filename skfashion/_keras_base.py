"""What every skfashion network shares: scikeras repaired, images, augmentation.

scikeras 0.13 is unmaintained. With scikit-learn >= 1.6 its ``KerasClassifier``
lists ``ClassifierMixin`` after ``BaseEstimator`` and has no
``__sklearn_tags__``, so ``is_classifier()`` is False and an integer ``cv``
silently means ``KFold``. :class:`ImageClassifier` repairs that once, takes
images in any of our layouts, and can draw fresh canvases every epoch.
"""

from __future__ import annotations

import contextlib
import inspect
import math
from collections import defaultdict

import keras
import numpy as np
from scikeras.utils import metric_name
from scikeras.wrappers import KerasClassifier
from sklearn.base import clone
from sklearn.utils import check_random_state
from sklearn.utils._tags import ClassifierTags
from sklearn.utils.validation import check_is_fitted

from ._images import cell_grid, check_images
from .checkpoint import TrainingCheckpoint, fingerprint


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


class ShuffledBatches(keras.utils.PyDataset):
    """Training batches of items in a new random order every epoch.

    Every batch is a function of the seed, the epoch and its index alone, so
    a run resumed at any epoch sees the batches an uninterrupted run would.

    Parameters
    ----------
    items : ndarray of shape (n, ...)
        The items, as the network takes them (batches are slices of them).
    targets : ndarray of shape (n, ...)
        Their targets.
    batch_size : int
    seed : int
        Source of every draw.
    sample_weight : ndarray of shape (n,), default=None
    """

    def __init__(self, items, targets, batch_size, seed, sample_weight=None):
        super().__init__()
        self.items = items
        self.targets = targets
        self.batch_size = batch_size
        self.seed = seed
        self.sample_weight = sample_weight
        self.start_at(0)

    def start_at(self, epoch: int) -> None:
        """Make the next ``fit`` call's first epoch ``epoch`` of the stream."""
        self._start = epoch
        self._asked = None  # times each batch was asked for since training began
        self._orders = {}

    def __len__(self):
        return math.ceil(len(self.items) / self.batch_size)

    def epochs_callback(self) -> keras.callbacks.Callback:
        """A callback for ``fit`` that tells the stream when training begins.

        Keras asks for a first batch or two before training, to learn their
        shapes, and asks for the next epoch's first batches before the epoch
        begins. The n-th time a batch is asked for once training has begun,
        it is the batch of the n-th epoch.
        """
        return _StreamEpochs(self)

    def _batch(self, index):
        """The items of batch ``index`` and the generator of its draws."""
        epoch = self._start
        if self._asked is not None:
            epoch += self._asked[index]
            self._asked[index] += 1
        if epoch not in self._orders:
            self._orders = {
                e: order for e, order in self._orders.items() if e >= epoch - 1
            }
            generator = np.random.RandomState([self.seed, epoch])
            self._orders[epoch] = generator.permutation(len(self.items))
        size = self.batch_size
        chosen = self._orders[epoch][index * size : (index + 1) * size]
        return chosen, np.random.RandomState([self.seed, epoch, index + 1])

    def __getitem__(self, index):
        chosen, _ = self._batch(index)
        batch = (self.items[chosen], self.targets[chosen])
        if self.sample_weight is not None:
            batch += (self.sample_weight[chosen],)
        return batch


class FreshCanvases(ShuffledBatches):
    """Training batches of canvases, each drawn afresh from the raw items.

    Items are taken in a random order, each once per epoch, and every batch
    is augmented when Keras asks for it, so no two epochs see the same
    canvases.

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
    seed : int
        Source of every draw.
    """

    def __init__(self, augment, items, targets, batch_size, seed):
        super().__init__(items, targets, batch_size, seed)
        self.augment = augment

    def __getitem__(self, index):
        chosen, rng = self._batch(index)
        canvases, targets = self.augment._draw(
            self.items[chosen], self.targets[chosen], rng
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
        chosen, rng = self._batch(index)
        size = len(chosen)
        _, _, sources = self.augment._arrange(size, size, rng)
        n_cells = int(np.prod(self.augment.grid_))
        n_empty = size * n_cells - len(sources)
        black = np.zeros((1, *self.items.shape[1:]), dtype=self.items.dtype)
        cells = np.concatenate([self.items[chosen[sources]], black])
        targets = np.append(self.targets[chosen[sources]], self.augment.n_classes)
        weights = np.append(np.ones(len(sources)), n_empty) * (
            (len(sources) + 1) / (size * n_cells)
        )
        return to_network(cells), targets, weights.astype(np.float32)


class _StreamEpochs(keras.callbacks.Callback):
    """Counts the epochs of a :class:`ShuffledBatches` stream from the start."""

    def __init__(self, stream):
        super().__init__()
        self.stream = stream

    def on_train_begin(self, logs=None):
        self.stream._asked = np.zeros(len(self.stream), dtype=np.intp)

    def on_train_end(self, logs=None):
        self.stream._asked = None


class _SaveEachEpoch(keras.callbacks.Callback):
    """Writes the training checkpoint at the end of every epoch."""

    def __init__(self, checkpoint, seed, history):
        super().__init__()
        self.checkpoint = checkpoint
        self.seed = seed
        self.history = {key: list(values) for key, values in history.items()}

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            if not (key == "loss" or key.startswith("val_")):
                with contextlib.suppress(ValueError):  # as scikeras names keys
                    key = metric_name(key)
            self.history.setdefault(key, []).append(float(value))
        self.checkpoint.write(
            self.model, epochs=epoch + 1, history=self.history, seed=int(self.seed)
        )


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

    def fit(self, X, y, sample_weight=None, **kwargs):
        """Fit the network; with ``warm_start``, continue the fitted one."""
        super().fit(X, y, sample_weight=sample_weight, **kwargs)
        if self.classes_ is None:
            # scikeras clears classes_ in fit and, on a warm start, whose
            # target encoder is kept, never sets it again.
            self.classes_ = self.target_encoder_.classes_
        return self

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
        :class:`FreshCanvases` stream of batches; with ``checkpoint_dir``, a
        :class:`ShuffledBatches` stream at least, whose batches do not depend
        on where a run was resumed.
        """
        checkpoint = self._open_checkpoint(X, y, sample_weight)
        (X, y), validation = self._split_validation(X, y)
        kwargs["validation_split"] = 0.0
        if sample_weight is not None:
            sample_weight = sample_weight[: len(X)]
        rng = check_random_state(self.random_state)
        if self._draws_canvases:
            if sample_weight is not None:
                raise ValueError("sample_weight is not supported with augment")
            if validation is not None:
                items, targets = validation
                validation = self._draw_validation(
                    items[..., 0], targets, np.random.RandomState(rng.randint(2**31))
                )
        if self._draws_canvases or checkpoint is not None:
            seed = rng.randint(2**31)
            if checkpoint is not None and checkpoint.seed is not None:
                seed = checkpoint.seed  # the saved run's, even unseeded
            if self._draws_canvases:
                X = self._training_stream(X[..., 0], y, seed)
            else:
                X = ShuffledBatches(X, y, self.batch_size or 32, seed, sample_weight)
            y = sample_weight = None
            kwargs.update(batch_size=None, shuffle=False)
        self._validation = validation  # for subclasses; not kept after fit
        self._checkpoint = checkpoint  # not kept after fit either
        if validation is not None:
            kwargs["validation_data"] = validation
        try:
            self._train(
                X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs
            )
        finally:
            del self._checkpoint

    def _open_checkpoint(self, X, y, sample_weight):
        """The run's :class:`~skfashion.checkpoint.TrainingCheckpoint`, or None."""
        if self.checkpoint_dir is None:
            return None
        skipped = {"verbose", "checkpoint_dir", "callbacks", "warm_start"}
        params = self.get_params(deep=False)
        weights = [  # a base network is part of the run: its weights count
            keras.ops.convert_to_numpy(w)
            for value in params.values()
            if hasattr(value, "model_")
            for w in value.model_.weights
        ]
        key = fingerprint(
            type(self).__name__,
            sorted((k, v) for k, v in params.items() if k not in skipped),
            X,
            y,
            sample_weight if sample_weight is not None else "no weights",
            *weights,
        )
        return TrainingCheckpoint(self.checkpoint_dir, key)

    def _draw_validation(self, items, targets, rng):
        """Validation data drawn once from held-out raw items."""
        canvases, targets = self.augment_._draw(items, targets, rng)
        return to_network(canvases), targets

    def _training_stream(self, items, targets, seed):
        """Training batches drawn afresh from raw items."""
        return FreshCanvases(self.augment_, items, targets, self.batch_size or 32, seed)

    @property
    def _draws_canvases(self) -> bool:
        """Whether training draws fresh canvases from raw items every batch."""
        return self.augment_ is not None

    def _train(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        """Run Keras' ``fit`` for epochs ``initial_epoch`` on, resuming if saved.

        Subclasses may train in phases, each one call. A phase the checkpoint
        has finished only takes its weights; one it stopped in resumes after
        its last finished epoch, weights and optimizer restored.
        """
        callbacks = []
        checkpoint = getattr(self, "_checkpoint", None)
        if checkpoint is not None:
            end, done = initial_epoch + epochs, checkpoint.epochs
            if done > initial_epoch:
                checkpoint.restore(self.model_, optimizer=done < end)
                self.history_ = defaultdict(list, checkpoint.history)
                if done >= end:
                    return
                epochs, initial_epoch, warm_start = end - done, done, True
            past = getattr(self, "history_", {}) if initial_epoch else {}
            callbacks.append(_SaveEachEpoch(checkpoint, X.seed, past))
        if isinstance(X, ShuffledBatches):
            X.start_at(initial_epoch)
            callbacks.insert(0, X.epochs_callback())
        before = self._fit_callbacks
        self._fit_callbacks = [*before, *callbacks]
        try:
            super()._fit_keras_model(
                X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs
            )
        finally:
            self._fit_callbacks = before

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
