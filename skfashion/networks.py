"""Keras networks of skfashion: convolution towers, and the networks built on them.

The estimators in :mod:`skfashion.models` train these; this module only builds
them (Keras 3 layers and ``keras.ops``, any backend).

A **tower** turns one image into a feature vector. Two are available:

``"tutorial"``
    The tutorial's stack: per block a ``kernel_size`` convolution (ReLU),
    2x2 max-pooling and, but after the last block, dropout.
``"bn"``
    Per block a 3x3 convolution, then (but in the last block) 2x2
    max-pooling, batch normalisation and ReLU; dropout on the flattened
    features. With filters (16, 64, 64) on 28x28 items and a 10-class head
    (the ``fast`` preset): 78,170 parameters and 3.8 M multiply-adds per item
    (``docs/benchmarks.md``).
``"res"``
    A residual network in the manner of the fast CIFAR-10 ResNets: a 3x3
    convolution of the first filters, then per later block 2x2 max-pooling,
    a 3x3 convolution to the block's filters and a residual unit of two more
    (each with batch normalisation and ReLU). With filters (32, 64, 128) on
    28x28 items: 0.46 M parameters and 36 M multiply-adds per item.

Two networks use them:

:func:`build_canvas_network`
    The tutorial's: the tower reads the whole canvas, a softmax head names it.
:func:`build_cell_network`
    Grid-aware: the network reads one **cell** (one item's place on the
    canvas). The estimator applies it to every non-empty cell of a canvas and
    averages the cells' probabilities, so a prediction does not depend on
    where an item lies, and empty cells cost nothing.
    :func:`build_grid_network` does the same inside one Keras model (every
    cell computed, empty ones masked out), for export and as a reference.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ._quiet import import_keras_quietly

import_keras_quietly()  # before Keras: no TensorFlow start-up lines

import keras  # noqa: E402
from keras import layers, ops  # noqa: E402

__all__ = [
    "TOWERS",
    "GridOfCells",
    "SmoothedSparseCrossentropy",
    "WarmupCosine",
    "build_canvas_network",
    "build_cell_network",
    "build_grid_network",
    "build_tower",
    "multiply_adds",
    "tower_of",
]

TOWERS = ("tutorial", "bn", "res")


def _conv_bn_relu(x, n_filters: int, *, pool: bool = False):
    """A 3x3 convolution, with ``pool`` 2x2 max-pooling, batch normalisation, ReLU.

    Pooling before the normalisation normalises a quarter of the values: on
    two cores, Keras' batch normalisation of the largest maps cost about as
    much as the convolutions (``docs/benchmarks.md``).
    """
    x = layers.Conv2D(n_filters, 3, padding="same", use_bias=False)(x)
    if pool:
        x = layers.MaxPool2D(2, padding="same")(x)
    # momentum 0.9: the moving statistics settle within short schedules.
    x = layers.BatchNormalization(momentum=0.9)(x)
    return layers.ReLU()(x)


def _tower_layers(
    x, tower: str, filters: Sequence[int], kernel_size: int, dropout: float, pooling
):
    """Apply the layers of ``tower`` to the tensor ``x``; returns the features."""
    if tower not in TOWERS:
        raise ValueError(f"tower must be one of {TOWERS}, got {tower!r}")
    if not filters or min(filters) < 1:
        raise ValueError(f"filters must be positive integers, got {tuple(filters)}")
    for i, n_filters in enumerate(filters):
        if tower == "tutorial":
            x = layers.Conv2D(
                n_filters, kernel_size, padding="same", activation="relu"
            )(x)
            x = layers.MaxPool2D(2, padding="same")(x)
            if i < len(filters) - 1:
                x = layers.Dropout(dropout)(x)
        elif tower == "bn":  # halve the resolution between blocks
            x = _conv_bn_relu(x, n_filters, pool=i < len(filters) - 1)
        else:
            if i:
                x = layers.MaxPool2D(2, padding="same")(x)
            x = _conv_bn_relu(x, n_filters)
            if i:
                x = layers.Add()(
                    [x, _conv_bn_relu(_conv_bn_relu(x, n_filters), n_filters)]
                )
    if pooling == "flatten":
        x = layers.Flatten(name="features")(x)
    else:
        x = layers.GlobalAveragePooling2D(name="features")(x)
    if tower != "tutorial" and dropout:
        x = layers.Dropout(dropout)(x)
    return x


def build_tower(
    input_shape: tuple[int, int],
    tower: str = "tutorial",
    *,
    filters: Sequence[int] = (16, 32, 64),
    kernel_size: int = 2,
    dropout: float = 0.3,
    pooling: str = "flatten",
) -> keras.Model:
    """A convolution tower as its own model: scaled pixels in, features out.

    Parameters
    ----------
    input_shape : tuple of (int, int)
        Height and width of the images it reads.
    tower : {"tutorial", "bn", "res"}, default="tutorial"
        Which stack of layers (see the module's description).
    filters : sequence of int, default=(16, 32, 64)
        Filters of each block.
    kernel_size : int, default=2
        Kernel side of the ``"tutorial"`` tower (the others use 3).
    dropout : float, default=0.3
        Dropout rate.
    pooling : {"flatten", "average"}, default="flatten"
        Flatten the last feature maps, or average them.

    Returns
    -------
    tower : keras.Model
        Named ``"tower"``; takes ``(h, w, 1)`` pixels scaled to [0, 1].

    Examples
    --------
    >>> from skfashion.networks import build_tower
    >>> build_tower((28, 28)).output.shape
    (None, 1024)
    """
    inputs = keras.Input((*input_shape, 1), name="scaled")
    features = _tower_layers(inputs, tower, filters, kernel_size, dropout, pooling)
    return keras.Model(inputs, features, name="tower")


def build_canvas_network(
    input_shape: tuple[int, int],
    n_classes: int,
    *,
    filters: Sequence[int] = (16, 32, 64),
    kernel_size: int = 2,
    dropout: float = 0.3,
    pooling: str = "flatten",
    tower: str = "tutorial",
) -> keras.Model:
    """The tutorial's network: one tower over the whole canvas, a softmax head.

    With the defaults on 56x56 canvases and 10 classes it has the tutorial's
    41,786 parameters. Its layers are in one flat model, as the tutorial wrote
    them.

    Examples
    --------
    >>> from skfashion.networks import build_canvas_network
    >>> build_canvas_network((56, 56), 10).count_params()
    41786
    """
    inputs = keras.Input((*input_shape, 1), name="pixels")
    x = layers.Rescaling(1 / 255, name="scale")(inputs)
    x = _tower_layers(x, tower, filters, kernel_size, dropout, pooling)
    outputs = layers.Dense(n_classes, activation="softmax", name="head")(x)
    return keras.Model(inputs, outputs, name="cnn")


def build_cell_network(
    cell_shape: tuple[int, int],
    n_classes: int,
    *,
    tower: str = "bn",
    filters: Sequence[int] = (32, 64, 64),
    kernel_size: int = 2,
    dropout: float = 0.3,
    pooling: str = "flatten",
    flip: bool = False,
    shift: int = 0,
    erase: float = 0.0,
    seed: int | None = None,
    tower_network: keras.Model | None = None,
    head: str = "head",
) -> keras.Model:
    """The grid-aware network: reads one cell, names its item.

    Layers: ``scale`` (pixels to [0, 1]); while training only, the
    augmentations asked for (``flip``, ``shift``, ``erase``); the ``tower``
    sub-model; and a softmax ``head``.

    Parameters
    ----------
    cell_shape : tuple of (int, int)
        Height and width of a cell (of one item).
    n_classes : int
        Outputs of the softmax head.
    tower, filters, kernel_size, dropout, pooling
        As in :func:`build_tower`.
    flip : bool, default=False
        Flip items left to right at random while training.
    shift : int, default=0
        Move items by up to this many pixels in each direction at random
        while training (the uncovered border is black).
    erase : float, default=0.0
        Probability of blacking out a random rectangle of an item while
        training (random erasing, Zhong et al. 2017).
    seed : int, default=None
        Seed of the augmentations.
    tower_network : keras.Model, default=None
        A tower to use (for example :func:`tower_of` a fitted network) instead
        of a new one.
    head : str, default="head"
        Name of the softmax layer.

    Returns
    -------
    network : keras.Model
        Named ``"cell_network"``; takes ``(h, w, 1)`` pixels in [0, 255].

    Examples
    --------
    >>> from skfashion.networks import build_cell_network
    >>> net = build_cell_network((28, 28), 10, tower="tutorial", filters=(16, 32, 64))
    >>> net.get_layer("tower").count_params(), net.count_params()
    (10416, 20666)
    """
    inputs = keras.Input((*cell_shape, 1), name="cell")
    x = layers.Rescaling(1 / 255, name="scale")(inputs)
    if flip:
        x = layers.RandomFlip("horizontal", seed=seed, name="flip")(x)
    if shift:
        height, width = (shift / side for side in cell_shape)
        x = layers.RandomTranslation(
            (-height, height),
            (-width, width),
            fill_mode="constant",
            interpolation="nearest",
            seed=seed,
            name="shift",
        )(x)
    if erase:
        x = layers.RandomErasing(
            (erase, erase), fill_value=0.0, value_range=(0, 1), seed=seed, name="erase"
        )(x)
    if tower_network is None:
        tower_network = build_tower(
            cell_shape,
            tower,
            filters=filters,
            kernel_size=kernel_size,
            dropout=dropout,
            pooling=pooling,
        )
    features = tower_network(x)
    outputs = layers.Dense(n_classes, activation="softmax", name=head)(features)
    return keras.Model(inputs, outputs, name="cell_network")


@keras.saving.register_keras_serializable(package="skfashion")
class GridOfCells(layers.Layer):
    """Apply a cell network to every cell of a canvas, and combine the cells.

    A cell is empty when all its pixels are 0.

    Parameters
    ----------
    cell_network : keras.Model
        Takes ``(h, w, 1)`` cells; returns ``(k,)`` outputs.
    grid : tuple of (int, int)
        Rows and columns of cells in a canvas.
    reduction : {"mean", "max", None}, default="mean"
        ``"mean"``: the mean of the non-empty cells' outputs (a canvas without
        any item gets its first cell's). ``"max"``: for every output but the
        last (the "empty" class of a cell-wise head), its largest value over
        the cells. ``None``: every cell's outputs, ``(rows * cols, k)``.
    """

    def __init__(self, cell_network, grid, reduction="mean", **kwargs):
        super().__init__(**kwargs)
        if reduction not in ("mean", "max", None):
            raise ValueError(
                f"reduction must be 'mean', 'max' or None, got {reduction!r}"
            )
        self.cell_network = cell_network
        self.grid = tuple(int(g) for g in grid)
        self.reduction = reduction

    def call(self, canvases):
        """The cells' outputs for ``(n, rows * h, cols * w, 1)`` canvases."""
        rows, cols = self.grid
        height, width = canvases.shape[1] // rows, canvases.shape[2] // cols
        cells = ops.reshape(canvases, (-1, rows, height, cols, width))
        cells = ops.transpose(cells, (0, 1, 3, 2, 4))
        cells = ops.reshape(cells, (-1, height, width, 1))
        outputs = self.cell_network(cells)
        outputs = ops.reshape(outputs, (-1, rows * cols, outputs.shape[-1]))
        if self.reduction is None:
            return outputs
        if self.reduction == "max":
            return ops.max(outputs[..., :-1], axis=1)
        ink = ops.reshape(ops.abs(cells), (-1, rows * cols, height * width))
        filled = ops.max(ink, axis=-1) > 0
        first = ops.arange(rows * cols) == 0
        filled = ops.logical_or(
            filled, ops.logical_and(first, ~ops.any(filled, axis=1, keepdims=True))
        )
        weights = ops.cast(filled, outputs.dtype)[..., None]
        return ops.sum(outputs * weights, axis=1) / ops.sum(weights, axis=1)

    def get_config(self):
        """The layer's settings, its cell network serialised (Keras saving)."""
        return {
            **super().get_config(),
            "cell_network": keras.saving.serialize_keras_object(self.cell_network),
            "grid": self.grid,
            "reduction": self.reduction,
        }

    @classmethod
    def from_config(cls, config):
        """The layer from :meth:`get_config`'s settings (Keras saving)."""
        config["cell_network"] = keras.saving.deserialize_keras_object(
            config["cell_network"]
        )
        return cls(**config)


def multiply_adds(network: keras.Model) -> int:
    """Multiply-adds of one forward pass of ``network`` on one image.

    Counts the convolutions (inside sub-models too) and dense layers; the
    rest (normalisation, activations, pooling) costs far less. A network of
    images of any size raises a ValueError.

    Examples
    --------
    >>> from skfashion.networks import build_cell_network, multiply_adds
    >>> multiply_adds(build_cell_network((28, 28), 10))
    5676160
    """
    total = 0
    for layer in network.layers:
        if isinstance(layer, keras.Model):
            total += multiply_adds(layer)
        elif isinstance(layer, layers.Conv2D):
            height, width, channels = layer.output.shape[1:]
            if height is None or width is None:
                raise ValueError(
                    f"{network.name!r} reads images of any size: its "
                    "multiply-adds depend on the image's"
                )
            size = math.prod(layer.kernel_size) * layer.input.shape[-1]
            total += height * width * channels * size
        elif isinstance(layer, layers.Dense):
            total += math.prod(layer.kernel.shape)
    return int(total)


def tower_of(network: keras.Model, cell_shape: tuple[int, int]) -> keras.Model:
    """A copy of ``network``'s convolution tower, with its weights, for cells.

    A grid-aware network's ``tower`` is copied as it is. The tutorial's flat
    network has its layers from after ``scale`` to ``features`` copied onto an
    input of ``cell_shape``: convolutions do not depend on the image size, so
    its filters read a cell as they read the canvas around the item.

    Parameters
    ----------
    network : keras.Model
        From :func:`build_cell_network` or :func:`build_canvas_network`.
    cell_shape : tuple of (int, int)
        Height and width of a cell.

    Returns
    -------
    tower : keras.Model
        Named ``"tower"``; takes ``(h, w, 1)`` pixels scaled to [0, 1].
    """
    names = [layer.name for layer in network.layers]
    if "tower" in names:
        tower = network.get_layer("tower")
        copy = keras.models.clone_model(tower)
        copy.set_weights(tower.get_weights())
        return copy
    if "scale" not in names or "features" not in names:
        raise ValueError(
            f"the base network {network.name!r} has no convolution tower that can "
            "read one cell (no 'tower', or 'scale' ... 'features' layers)"
        )
    inputs = keras.Input((*cell_shape, 1), name="scaled")
    x = inputs
    for layer in network.layers[names.index("scale") + 1 : names.index("features") + 1]:
        copy = layer.__class__.from_config(layer.get_config())
        x = copy(x)
        copy.set_weights(layer.get_weights())
    return keras.Model(inputs, x, name="tower")


def build_grid_network(cell_network: keras.Model, grid: tuple[int, int]) -> keras.Model:
    """One Keras model that reads whole canvases with a cell network.

    Every cell is computed and the empty ones are masked out, so it gives the
    estimator's probabilities (which skip empty cells) at a higher cost: use
    it to export a grid-aware model as one network.

    Parameters
    ----------
    cell_network : keras.Model
        From :func:`build_cell_network` (or a fitted estimator's ``model_``).
    grid : tuple of (int, int)
        Rows and columns of cells in a canvas.

    Returns
    -------
    network : keras.Model
        Takes ``(rows * h, cols * w, 1)`` canvases.

    Examples
    --------
    >>> from skfashion.networks import build_cell_network, build_grid_network
    >>> cells = build_cell_network((28, 28), 10)
    >>> build_grid_network(cells, (2, 2)).input_shape
    (None, 56, 56, 1)
    """
    height, width = cell_network.input_shape[1:3]
    inputs = keras.Input((grid[0] * height, grid[1] * width, 1), name="pixels")
    outputs = GridOfCells(cell_network, grid, name="cells")(inputs)
    return keras.Model(inputs, outputs, name="grid_network")


@keras.saving.register_keras_serializable(package="skfashion")
class SmoothedSparseCrossentropy(keras.losses.Loss):
    """Cross-entropy of integer targets with label smoothing.

    Keras' sparse cross-entropy has no ``label_smoothing``: the targets are
    made one-hot, mixed with the uniform distribution, and scored with the
    categorical cross-entropy.

    Parameters
    ----------
    label_smoothing : float, default=0.0
        Weight of the uniform distribution in the targets.
    """

    def __init__(
        self, label_smoothing=0.0, name="smoothed_sparse_crossentropy", **kwargs
    ):
        super().__init__(name=name, **kwargs)
        self.label_smoothing = float(label_smoothing)

    def call(self, y_true, y_pred):
        """The loss of each sample: integer ``y_true``, probabilities ``y_pred``."""
        labels = ops.cast(ops.reshape(y_true, (-1,)), "int32")
        targets = ops.one_hot(labels, ops.shape(y_pred)[-1], dtype=y_pred.dtype)
        return keras.losses.categorical_crossentropy(
            targets, y_pred, label_smoothing=self.label_smoothing
        )

    def get_config(self):
        """The loss's settings (Keras saving)."""
        return {**super().get_config(), "label_smoothing": self.label_smoothing}


@keras.saving.register_keras_serializable(package="skfashion")
class WarmupCosine(keras.optimizers.schedules.LearningRateSchedule):
    """A linear warm-up to ``peak``, then a cosine decay to zero.

    The schedule of one training call: it counts steps from ``start_step``
    (the optimizer's step count when the call began), so a warm start or
    ``partial_fit`` runs a cycle of its own, from the optimizer's state.

    Parameters
    ----------
    peak : float
        The learning rate at the end of the warm-up.
    warmup_steps : int
        Steps of the linear warm-up from 0.
    total_steps : int
        Steps of the whole cycle, warm-up included.
    start_step : int, default=0
        The optimizer's step count at the start of the cycle.

    Examples
    --------
    >>> from skfashion.networks import WarmupCosine
    >>> schedule = WarmupCosine(1.0, warmup_steps=2, total_steps=10, start_step=5)
    >>> [round(float(schedule(step)), 3) for step in (5, 6, 7, 11, 15)]
    [0.0, 0.5, 1.0, 0.5, 0.0]
    """

    def __init__(self, peak, warmup_steps, total_steps, start_step=0):
        self.peak = float(peak)
        self.warmup_steps = int(warmup_steps)
        self.total_steps = int(total_steps)
        self.start_step = int(start_step)

    def __call__(self, step):
        step = ops.cast(step, "float32") - self.start_step
        warmup = max(1, self.warmup_steps)
        decay = max(1, self.total_steps - self.warmup_steps)
        progress = ops.clip((step - self.warmup_steps) / decay, 0.0, 1.0)
        cosine = 0.5 * self.peak * (1.0 + ops.cos(math.pi * progress))
        rising = self.peak * ops.maximum(step, 0.0) / warmup
        return ops.where(step < self.warmup_steps, rising, cosine)

    def get_config(self):
        return {
            "peak": self.peak,
            "warmup_steps": self.warmup_steps,
            "total_steps": self.total_steps,
            "start_step": self.start_step,
        }
