"""Items anywhere: the networks that find and name them, their targets, boxes.

The ``"anywhere"`` head of :class:`~skfashion.models.MultiLabelTransfer`
works in two stages, both started from the base's network:

1. **Find.** The base's convolution tower, frozen, is applied to the whole
   canvas, of any size (:func:`feature_network`); a small trainable head on
   its feature map (:func:`build_finder_network`) says, at every
   ``stride``-th pixel, how likely an item's centre lies there, and how far
   the item's box reaches left, up, right and down from it. Peaks of that
   map, three by three, are the items (:func:`decode_boxes`), as in
   CenterNet (Zhou et al., "Objects as Points", 2019).
2. **Name.** Each found box is cut from the canvas as a square around its
   centre and resized to the base's item size (:func:`crop_items`); the
   **namer**, a copy of the base's network, names it. Resized twice, an item
   is blurred: the base, which learned sharp items, names items of 21 and 42
   pixels cut this way right 0.82 and 0.89 of the time (0.93 unresized), so
   the namer is fine-tuned on such cuts (boxes of fresh composites, a little
   jittered as found boxes are), which brings both to about 0.92.

Both train at once, in one Keras model (:func:`build_anywhere_network`), on
batches of :func:`training_batch`: :func:`box_targets` turns true boxes into
the maps the finder learns, scored by :class:`FinderLoss` (the
penalty-reduced focal loss on the centres, an L1 loss on the log-distances at
the true centres), and the cuts of the true items are scored by
:class:`NamerLoss`. That numpy half (targets, peaks, cuts, batches) lives in
:mod:`skfashion.boxes`, which needs no Keras; its functions are named here too.
"""

from __future__ import annotations

from ._quiet import import_keras_quietly
from .boxes import (
    box_targets,
    count_items,
    crop_items,
    decode_boxes,
    find_items,
    training_batch,
)

import_keras_quietly()  # before Keras: no TensorFlow start-up lines

import keras  # noqa: E402
from keras import layers, ops  # noqa: E402

__all__ = [
    "FinderLoss",
    "NamerLoss",
    "box_targets",
    "build_anywhere_network",
    "build_finder_network",
    "count_items",
    "crop_items",
    "decode_boxes",
    "feature_network",
    "find_items",
    "training_batch",
]


def feature_network(cell_network: keras.Model) -> keras.Model:
    """The convolutions of a grid-aware network, on images of any size.

    The layers of ``cell_network``'s tower up to its last feature map (before
    it is flattened or pooled into one vector) are copied, with their weights,
    onto an input of unknown height and width, after the network's scaling.

    Parameters
    ----------
    cell_network : keras.Model
        From :func:`~skfashion.networks.build_cell_network` (a fitted grid-aware
        :class:`~skfashion.models.CNNClassifier`'s ``model_``).

    Returns
    -------
    features : keras.Model
        Named ``"features"``; takes ``(h, w, 1)`` pixels in [0, 255], returns
        ``(ceil(h / stride), ceil(w / stride), channels)`` maps.

    Examples
    --------
    >>> from skfashion.anywhere import feature_network
    >>> from skfashion.networks import build_cell_network
    >>> net = feature_network(build_cell_network((28, 28), 10))
    >>> net.compute_output_shape((1, 112, 80, 1))
    (1, 28, 20, 64)
    """
    names = [layer.name for layer in cell_network.layers]
    if "tower" not in names:
        raise ValueError(
            "the base network has no convolution tower of one item: head="
            "'anywhere' needs a grid-aware base (architecture='cells')"
        )
    tower = cell_network.get_layer("tower")
    last = next(
        layer
        for layer in tower.layers
        if isinstance(layer, layers.Flatten | layers.GlobalAveragePooling2D)
    )
    maps = keras.Model(tower.input, last.input)  # residual towers are graphs
    copy = keras.models.clone_model(maps, input_tensors=keras.Input((None, None, 1)))
    copy.set_weights(maps.get_weights())
    inputs = keras.Input((None, None, 1), name="pixels")
    x = cell_network.get_layer("scale")(inputs)
    return keras.Model(inputs, copy(x), name="features")


def stride_of(features: keras.Model, item_shape: tuple[int, int]) -> int:
    """Pixels of the image per pixel of ``features``' map (its downsampling)."""
    out = features.compute_output_shape((1, *item_shape, 1))
    return round(item_shape[0] / out[1])


@keras.saving.register_keras_serializable(package="skfashion")
class CropLike(layers.Layer):
    """The first map cut to the height and width of the second."""

    def call(self, maps):
        big, like = maps
        return big[:, : ops.shape(like)[1], : ops.shape(like)[2]]

    def compute_output_shape(self, input_shapes):
        big, like = input_shapes
        return (big[0], like[1], like[2], big[3])


def build_finder_network(
    features: keras.Model, *, width: int = 48, seed: int | None = None
) -> keras.Model:
    """The finder: frozen ``features``, then a small trainable head.

    The head widens what each position sees (the tower's own view is about an
    item's size) with one stage at twice the stride, whose output is brought
    back and joined to the tower's map:

    - ``Conv 3x3 (width)``; then ``MaxPool 2``, ``Conv 3x3 (4/3 width)``,
      ``Conv 3x3 dilated 2 (4/3 width)``, ``UpSampling 2``;
    - both joined, ``Conv 3x3 (width)``, and two 1x1 outputs: the centre's
      probability (sigmoid, starting at 0.1 as CenterNet's) and the four
      log-distances.

    Parameters
    ----------
    features : keras.Model
        From :func:`feature_network`; it is frozen here.
    width : int, default=48
        Filters of the head's convolutions.
    seed : int, default=None
        Seed of the head's initial weights.

    Returns
    -------
    finder : keras.Model
        Named ``"finder"``; ``(h, w, 1)`` pixels in, ``(h', w', 5)`` maps out.
    """
    features.trainable = False
    init = keras.initializers.HeNormal(seed=seed)
    wide = width * 4 // 3
    inputs = keras.Input((None, None, 1), name="pixels")
    base = features(inputs, training=False)

    def conv(filters, x, **kwargs):
        return layers.Conv2D(
            filters,
            3,
            padding="same",
            activation="relu",
            kernel_initializer=init,
            **kwargs,
        )(x)

    near = conv(width, base, name="near")
    far = layers.MaxPool2D(2, padding="same")(near)
    far = conv(wide, far, name="far")
    far = conv(wide, far, dilation_rate=2, name="far_dilated")
    far = layers.UpSampling2D(2, name="far_up")(far)
    far = CropLike(name="far_crop")([far, near])  # odd sizes rounded up
    x = layers.Concatenate(name="joined")([near, far])
    x = conv(width, x, name="mixed")
    centre = layers.Conv2D(
        1,
        1,
        activation="sigmoid",
        bias_initializer=keras.initializers.Constant(-2.19),
        name="centre",
    )(x)
    reach = layers.Conv2D(4, 1, name="reach")(x)
    outputs = layers.Concatenate(name="maps")([centre, reach])
    return keras.Model(inputs, outputs, name="finder")


@keras.saving.register_keras_serializable(package="skfashion")
class FinderLoss(keras.losses.Loss):
    """The finder's loss: focal loss on the centres, L1 on the reaches.

    CenterNet's penalty-reduced focal loss: at a centre
    ``-(1 - p)^2 log p``; elsewhere ``-(1 - t)^4 p^2 log(1 - p)``, so pixels
    near a centre (``t`` close to 1) are hardly punished. Plus
    ``reach_weight`` times the L1 distance of the four log-distances at the
    centres. Both are divided by the batch's number of items.

    Parameters
    ----------
    reach_weight : float, default=1.0
        Weight of the reaches' loss.
    """

    def __init__(self, reach_weight=1.0, name="finder_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        self.reach_weight = float(reach_weight)

    def call(self, y_true, y_pred):
        """The loss of each canvas: targets of :func:`box_targets`, maps."""
        heat, reach, centre = y_true[..., 0], y_true[..., 1:5], y_true[..., 5]
        p = ops.clip(y_pred[..., 0], 1e-4, 1 - 1e-4)
        found = -ops.square(1 - p) * ops.log(p) * centre
        missed = -(((1 - heat) ** 4) * ops.square(p) * ops.log(1 - p)) * (1 - centre)
        off = ops.sum(ops.abs(y_pred[..., 1:5] - reach), axis=-1) * centre
        per_pixel = found + missed + self.reach_weight * off
        items = ops.maximum(ops.mean(ops.sum(centre, axis=(1, 2))), 1.0)
        return ops.sum(per_pixel, axis=(1, 2)) / items

    def get_config(self):
        """The loss's settings (Keras saving)."""
        return {**super().get_config(), "reach_weight": self.reach_weight}


@keras.saving.register_keras_serializable(package="skfashion")
class NamerLoss(keras.losses.Loss):
    """Cross-entropy of the items cut from each canvas; slots of -1 are none.

    Parameters
    ----------
    label_smoothing : float, default=0.1
        Weight of the uniform distribution in the targets.
    """

    def __init__(self, label_smoothing=0.1, name="namer_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        self.label_smoothing = float(label_smoothing)

    def call(self, y_true, y_pred):
        """The loss of each canvas: (n, slots) classes, (n, slots, k) probabilities."""
        labels = ops.cast(y_true, "int32")
        present = ops.cast(labels >= 0, y_pred.dtype)
        targets = ops.one_hot(ops.maximum(labels, 0), ops.shape(y_pred)[-1])
        loss = keras.losses.categorical_crossentropy(
            targets, y_pred, label_smoothing=self.label_smoothing
        )
        items = ops.maximum(ops.mean(ops.sum(present, axis=1)), 1.0)
        return ops.sum(loss * present, axis=1) / items

    def get_config(self):
        """The loss's settings (Keras saving)."""
        return {**super().get_config(), "label_smoothing": self.label_smoothing}


@keras.saving.register_keras_serializable(package="skfashion")
class EachSlot(layers.Layer):
    """Apply a network of one item to every slot of ``(n, slots, ...)`` items.

    The slots are merged into the batch (a reshape, not a loop or a map), so
    batch normalisation sees every item of the batch at once, on every
    backend.

    Parameters
    ----------
    network : keras.Model
        Takes ``(h, w, 1)`` items; returns ``(k,)`` outputs.
    """

    def __init__(self, network, **kwargs):
        super().__init__(**kwargs)
        self.network = network

    def call(self, items):
        """``(n, slots, k)`` outputs for ``(n, slots, h, w, 1)`` items."""
        slots = items.shape[1]
        outputs = self.network(ops.reshape(items, (-1, *items.shape[2:])))
        return ops.reshape(outputs, (-1, slots, outputs.shape[-1]))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1], self.network.output_shape[-1])

    def get_config(self):
        """The layer's settings, its network serialised (Keras saving)."""
        return {
            **super().get_config(),
            "network": keras.saving.serialize_keras_object(self.network),
        }

    @classmethod
    def from_config(cls, config):
        """The layer from :meth:`get_config`'s settings (Keras saving)."""
        config["network"] = keras.saving.deserialize_keras_object(config["network"])
        return cls(**config)


def build_anywhere_network(
    cell_network: keras.Model, slots: int, *, seed: int | None = None
) -> keras.Model:
    """The finder and the namer in one model, to train both at once.

    Parameters
    ----------
    cell_network : keras.Model
        A grid-aware network (a fitted base's ``model_``): its frozen tower
        starts the finder, and a trainable copy of it is the namer.
    slots : int
        Most items on a training canvas.
    seed : int, default=None
        Seed of the finder's new weights.

    Returns
    -------
    network : keras.Model
        Inputs ``canvases`` (n, h, w, 1) and ``items`` (n, slots, ih, iw, 1);
        outputs ``maps`` (the ``"finder"``'s) and ``names`` (n, slots, k),
        the ``"namer"``'s probabilities for each item cut.
    """
    finder = build_finder_network(feature_network(cell_network), seed=seed)
    # from its config, not clone_model: that also copies the compiled state,
    # whose metrics would never be built in this model
    config = {**cell_network.get_config(), "name": "namer"}
    namer = keras.Model.from_config(config)
    namer.set_weights(cell_network.get_weights())
    item_shape = tuple(cell_network.input_shape[1:3])
    canvases = keras.Input((None, None, 1), name="canvases")
    items = keras.Input((slots, *item_shape, 1), name="items")
    names = EachSlot(namer, name="names")(items)
    maps = layers.Identity(name="maps")(finder(canvases))
    return keras.Model(
        {"canvases": canvases, "items": items},
        {"maps": maps, "names": names},
        name="anywhere",
    )
