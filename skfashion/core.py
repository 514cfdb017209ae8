"""What every skfashion network estimator shares: images in, a training run out.

:class:`ImageClassifier` is the base of :class:`~skfashion.models.CNNClassifier`
and :class:`~skfashion.models.MultiLabelTransfer`. It does three things, each
in one method:

``_validate_data``
    Checks images (and targets) and decides, once at ``fit``, their layout
    and pixel scale (``pixel_scale_``), then gives the same to every later
    batch. Every training call, fresh, warm or ``partial_fit``, prepares its
    items the same way (``_training_items``).
``_fit_keras_model``
    Splits off validation data, makes the training stream
    (:mod:`skfashion.batches`) and runs the subclass's phases of training
    (``_phases``), each resumed from a checkpoint where one holds it
    (:mod:`skfashion.checkpoint`).
``_predict_raw``
    Runs the network over checked images (``_predict_network``).

scikeras' faults are repaired in :mod:`skfashion._scikeras`, not here.

A subclass builds its network in ``_keras_build_fn`` and may override the
hooks named in the methods' docstrings.
"""

from __future__ import annotations

import contextlib
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._images import as_pixels, check_images, pixel_scale
from ._scikeras import KerasClassifier, keras
from .augment import QuadrantExpander
from .batches import FreshCanvases, ShuffledBatches
from .cells import cell_grid
from .checkpoint import TrainingCheckpoint, run_key
from .forward import predict_in_batches
from .networks import WarmupCosine

__all__ = ["ImageClassifier", "Phase"]


@dataclass
class Phase:
    """One stretch of training: ``epochs`` epochs, after ``prepare()`` (if any).

    ``prepare`` changes the network before the phase (unfreezes it and
    compiles it again, say). It runs even when a checkpoint holds the whole
    phase, so that a resumed network is the same network.
    """

    epochs: int
    prepare: Callable[[], None] | None = None


@dataclass
class _TrainingData:
    """What one training call learns from, prepared once."""

    items: np.ndarray  # (n, h, w) pixels in [0, 255], or cells
    targets: np.ndarray
    sample_weight: np.ndarray | None
    validation: tuple | None  # (inputs, targets) as the network takes them
    seed: int | None  # of the stream of batches; None: Keras shuffles arrays


class _SaveEachEpoch(keras.callbacks.Callback):
    """Writes the training checkpoint at the end of every epoch."""

    def __init__(self, checkpoint, seed, history):
        super().__init__()
        self.checkpoint = checkpoint
        self.seed = seed
        self.history = {key: list(values) for key, values in history.items()}

    def on_epoch_end(self, epoch, logs=None):
        from scikeras.utils import metric_name  # imported by _scikeras, quietly

        for key, value in (logs or {}).items():
            if not (key == "loss" or key.startswith("val_")):
                with contextlib.suppress(ValueError):  # as scikeras names keys
                    key = metric_name(key)
            self.history.setdefault(key, []).append(float(value))
        self.checkpoint.write(
            self.model, epochs=epoch + 1, history=self.history, seed=int(self.seed)
        )


class ImageClassifier(KerasClassifier):
    """A scikeras classifier of images, trained from arrays or fresh canvases.

    Parameters
    ----------
    learning_rate : float
        Learning rate of the first phase of training.
    augment : augmenter or None
        Draws training canvases from raw items (:mod:`skfashion.augment`).
    checkpoint_dir : str, path-like or None
        Folder of the run's checkpoint (:mod:`skfashion.checkpoint`).
    **kwargs
        scikeras' parameters.
    """

    def __init__(
        self, *, learning_rate=1e-3, augment=None, checkpoint_dir=None, **kwargs
    ):
        super().__init__(**kwargs)
        self.learning_rate = learning_rate
        self.augment = augment
        self.checkpoint_dir = checkpoint_dir

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    # -- inputs ---------------------------------------------------------------
    def _validate_data(self, X=None, y=None, reset=False, y_numeric=False):
        """Images as the network takes them; with ``y``, as training takes them.

        With ``reset`` (a new fit), decide the layout: ``pixel_scale_``,
        ``image_shape_``, ``augment_``, ``input_shape_`` and, for networks of
        cells, ``cell_shape_``. Training inputs are (n, h, w) pixels in
        [0, 255] made by ``_training_items``; inputs to predict are (n, h, w)
        pixels of ``input_shape_`` (or whole cells).
        """
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
            self._fit_layout(images, y)
        if y is not None:
            if images.shape[1:] != self.image_shape_:
                raise ValueError(
                    f"X has {images[0].size} features, but {type(self).__name__} "
                    f"is expecting {self.n_features_in_} features as input (it "
                    f"was fitted on images of shape {self.image_shape_}, got "
                    f"{images.shape[1:]}); fit it afresh, without warm_start, "
                    "for another shape"
                )
            pixels = as_pixels(images, self.pixel_scale_of(images))
            return self._training_items(pixels), y
        if images.shape[1:] != self.input_shape_:
            images = self._place_items(images)
        return as_pixels(images, self.pixel_scale_of(images)), y

    def pixel_scale_of(self, images) -> float:
        """The pixel scale decided at fit (files of 0.1.0: guessed per batch)."""
        scale = getattr(self, "pixel_scale_", None)
        return scale if scale is not None else pixel_scale(images)

    def checked_pixels(self, X) -> np.ndarray:
        """``X`` checked, as (n, h, w) pixels in [0, 255] the network takes.

        Raw items are placed on canvases as :meth:`predict` would.
        """
        check_is_fitted(self)
        return self._validate_data(X)[0]

    @property
    def network_seed(self) -> int | None:
        """The seed of the network's own random layers: ``random_state``'s.

        An integer ``random_state`` as it is; a ``RandomState``'s draw (made
        once per fit, in :mod:`skfashion._scikeras`); None when unseeded.
        """
        seed = getattr(self, "_random_state", self.random_state)
        return int(seed) if isinstance(seed, Integral) else None

    def _fit_layout(self, images, y):
        """Decide, once per fit, how images map to the network."""
        self.X_dtype_ = images.dtype
        self.pixel_scale_ = pixel_scale(images)
        self.image_shape_ = images.shape[1:]
        self.n_features_in_ = images[0].size
        self.augment_ = None
        if self.augment is not None:
            self._check_augment(self.augment)
            self.augment_ = clone(self.augment).fit(images, y)
        self.input_shape_ = self._canvas_shape(images)
        self.cell_shape_ = self._cell_shape()

    def _check_augment(self, augment) -> None:
        """Refuse an augmenter of the wrong kind (subclasses)."""

    def _canvas_shape(self, images) -> tuple[int, int]:
        """Height and width of the canvases: the images', or ``augment_``'s."""
        if self.augment_ is None:
            return images.shape[1:]
        if self.augment_.canvas_shape_ is not None:
            return tuple(self.augment_.canvas_shape_)
        rows, cols = self.augment_.grid_
        return (rows * images.shape[1], cols * images.shape[2])

    def _cell_shape(self) -> tuple[int, int] | None:
        """Height and width of a cell, for networks that read cells (subclasses)."""
        return None

    def _check_targets(self, y):
        """Refuse targets this network cannot learn (subclasses)."""

    def _training_items(self, images):
        """What the network trains on, from checked pixels (subclasses)."""
        return images

    def _place_items(self, images):
        """Images other than canvases: raw items, each alone on a canvas.

        A network that reads cells takes any whole number of cells as it is.
        """
        if self.cell_shape_ is not None:
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
        expander = QuadrantExpander(self.augment_.grid_, random_state=0)
        return expander.fit_transform(images)

    # -- training -------------------------------------------------------------
    def _draws_canvases(self) -> bool:
        """Whether training draws fresh canvases from raw items every batch."""
        return self.augment_ is not None

    def _phases(self, epochs: int, initial_epoch: int) -> list[Phase]:
        """The phases of a training call of ``epochs`` from ``initial_epoch`` on."""
        return [Phase(epochs)]

    def _after_training(self, validation) -> None:
        """Fit what is decided from the validation data (subclasses)."""

    def _training_stream(self, data, first_epoch, n_epochs):
        """The batches of epochs ``first_epoch`` on, a pure function of the seed."""
        batch_size = self.batch_size or 32
        if self._draws_canvases():
            return FreshCanvases(
                self.augment_,
                data.items,
                data.targets,
                batch_size,
                data.seed,
                first_epoch=first_epoch,
                n_epochs=n_epochs,
            )
        return ShuffledBatches(
            data.items[..., np.newaxis],
            data.targets,
            batch_size,
            data.seed,
            data.sample_weight,
            first_epoch=first_epoch,
            n_epochs=n_epochs,
        )

    def _validation_data(self, items, targets, rng):
        """Validation data drawn once from held-out raw items (subclasses)."""
        canvases, targets = self.augment_.draw(items, targets, rng)
        return canvases[..., np.newaxis], targets

    def _training_data(self, X, y, sample_weight) -> _TrainingData:
        """Hold out the last ``validation_split`` of the data, as Keras does."""
        n_val = int(len(X) * self.validation_split)
        validation = None
        if n_val:
            validation = (X[-n_val:], y[-n_val:])
            X, y = X[:-n_val], y[:-n_val]
            if sample_weight is not None:
                sample_weight = sample_weight[:-n_val]
        rng = check_random_state(self.random_state)
        if self._draws_canvases():
            if sample_weight is not None:
                raise ValueError("sample_weight is not supported with augment")
            if validation is not None:
                validation = self._validation_data(
                    *validation, np.random.RandomState(rng.randint(2**31))
                )
        elif validation is not None:
            validation = (validation[0][..., np.newaxis], validation[1])
        seed = None
        if self._draws_canvases() or self.checkpoint_dir is not None:
            seed = rng.randint(2**31)
        return _TrainingData(X, y, sample_weight, validation, seed)

    def _fit_keras_model(
        self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs
    ):
        """Prepare the training data once, then run each phase of training.

        The validation data is split off here rather than by Keras, so that
        it is drawn once (with ``augment``, from held-out items) and used
        after training (``_after_training``) without being kept.
        """
        checkpoint = None
        if self.checkpoint_dir is not None:
            key = run_key(self, X, y, sample_weight)
            checkpoint = TrainingCheckpoint(self.checkpoint_dir, key)
        data = self._training_data(X, y, sample_weight)
        if checkpoint is not None and checkpoint.seed is not None:
            data.seed = checkpoint.seed  # the saved run's, even unseeded
        self._start_schedule(len(data.items), epochs)
        if checkpoint is not None and checkpoint.epochs > initial_epoch + epochs:
            raise ValueError(
                f"{checkpoint.folder} holds {checkpoint.epochs} epochs, more than "
                f"this run's {initial_epoch + epochs}: remove it to train afresh"
            )
        start = initial_epoch
        for phase in self._phases(epochs, initial_epoch):
            end = start + phase.epochs
            if phase.prepare is not None and end > start:
                phase.prepare()
            first = start
            if checkpoint is not None and checkpoint.epochs > start:
                done = checkpoint.epochs
                checkpoint.restore(self.model_, optimizer=done < end)
                self.history_ = defaultdict(list, checkpoint.history)
                first, warm_start = min(done, end), True
            if end > first:
                self._run_keras(data, checkpoint, warm_start, first, end, kwargs)
            warm_start, start = True, end
        self._after_training(data.validation)

    def _start_schedule(self, n_items, epochs):
        """Start the learning-rate schedule of this training call (if any)."""
        schedule = self._learning_rate_schedule(self._steps_per_epoch(n_items) * epochs)
        if schedule is None:
            return
        optimizer = self.model_.optimizer
        steps_done = int(keras.ops.convert_to_numpy(optimizer.iterations))
        optimizer.learning_rate = WarmupCosine(start_step=steps_done, **schedule)
        self.model_.train_function = None  # traced again with the new schedule

    def _steps_per_epoch(self, n_items: int) -> int:
        """Training batches per epoch of ``n_items`` items (subclasses)."""
        return math.ceil(n_items / (self.batch_size or 32))

    def _learning_rate_schedule(self, steps: int) -> dict | None:
        """Arguments of a :class:`~skfashion.networks.WarmupCosine` (subclasses)."""
        return None

    def warmup_cosine(self, steps: int) -> dict:
        """A warm-up over 5% of ``steps`` to ``learning_rate``, then a cosine to 0.

        The arguments of a :class:`~skfashion.networks.WarmupCosine`.
        """
        steps = max(1, steps)
        return dict(
            peak=self.learning_rate, warmup_steps=steps // 20, total_steps=steps
        )

    def _run_keras(self, data, checkpoint, warm_start, first, end, kwargs):
        """Keras' ``fit`` for epochs ``first`` to ``end - 1``."""
        kwargs = dict(kwargs, validation_split=0.0)
        if data.validation is not None:
            kwargs["validation_data"] = data.validation
        callbacks = []
        if data.seed is None:  # arrays: Keras batches and shuffles them
            X, y = data.items[..., np.newaxis], data.targets
            sample_weight = data.sample_weight
        else:
            X = self._training_stream(data, first, end - first)
            y = sample_weight = None
            kwargs.update(
                batch_size=None, shuffle=False, steps_per_epoch=X.steps_per_epoch
            )
        if checkpoint is not None:
            past = getattr(self, "history_", {}) if first else {}
            callbacks.append(_SaveEachEpoch(checkpoint, data.seed, past))
        before = self._fit_callbacks
        self._fit_callbacks = [*before, *callbacks]
        try:
            super()._fit_keras_model(
                X, y, sample_weight, warm_start, end - first, first, **kwargs
            )
        finally:
            self._fit_callbacks = before

    # -- predicting -------------------------------------------------------------
    def _predict_raw(self, X, **kwargs):
        """The network's outputs for ``X``: large batches, silent, no retracing."""
        return self._predict_network(self.checked_pixels(X), **kwargs)

    def _predict_network(self, images, **kwargs):
        """Run ``model_`` on checked (n, h, w) pixels (subclasses may skip work)."""
        return predict_in_batches(self.model_, images[..., np.newaxis], **kwargs)

    # -- building -----------------------------------------------------------------
    def compile_network(
        self, model, compile_kwargs: dict, learning_rate: float, *, metrics=()
    ):
        """Compile ``model`` with the optimizer scikeras made, at ``learning_rate``.

        ``compile_kwargs`` are scikeras' (``_get_compile_kwargs``); ``metrics``
        are the default when the user gave none. Returns ``model``.
        """
        optimizer = compile_kwargs["optimizer"]
        if isinstance(optimizer, keras.optimizers.Optimizer):
            optimizer.learning_rate = learning_rate
        compile_kwargs["metrics"] = compile_kwargs["metrics"] or list(metrics)
        model.compile(**compile_kwargs)
        return model
