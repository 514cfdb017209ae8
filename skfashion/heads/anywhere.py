"""The head that finds, names and boxes items anywhere, on canvases of any size."""

from __future__ import annotations

import math

import numpy as np

from .._images import as_pixels, check_images
from ..box_metrics import labels_of_boxes
from ..boxes import count_items, training_batch
from .base import Head, check_threshold

__all__ = ["AnywhereHead"]


class AnywhereHead(Head):
    """``head="anywhere"``: the base's convolutions, frozen, read the whole
    canvas, and a small convolutional head marks each item's centre and how
    far its box reaches; each box is then cut out, resized to the base's item
    size, and named by a copy of the base fine-tuned on such cuts
    (:mod:`skfashion.anywhere`).

    It trains from the boxes of fresh composites
    (``augment=MultiObjectComposer(placement="anywhere")``) and reads items of
    the sizes it was trained on (the composer's ``scale``); much smaller or
    larger items are missed or split. It needs a grid-aware base
    (``architecture="cells"``). ``threshold`` is the centre probability from
    which an item is found (``"tuned"``: the one that counts the validation
    canvases' items best).
    """

    name = "anywhere"
    summary = "finds, names and boxes items anywhere, on canvases of any size"
    provides = frozenset({"predict_boxes", "predict_counts"})
    uses = frozenset({"threshold"})
    training = {
        "epochs": 4,
        "batch_size": 32,
        "learning_rate": 2e-3,
        "threshold": "tuned",
        "validation_split": 0.1,
    }
    #: Composites of 0 to 6 items of 14 to 67 pixels, which may touch or be
    #: drawn over each other (up to 30% of the smaller box), on 128x128
    #: canvases with specks and faint noise that are no item
    #: (``benchmarks/bench_anywhere.py`` chose them: docs/benchmarks.md).
    composites = {
        "placement": "anywhere",
        "canvas_shape": (128, 128),
        "scale": (0.5, 2.4),
        "min_objects": 0,
        "max_objects": 6,
        "min_gap": 0,
        "max_overlap": 0.3,
        "clutter": 6,
    }
    #: The scales at which ``predict_boxes`` reads canvases by default: as they
    #: are. A pyramid, ``(1.0, 0.5)``, finds items up to twice the largest
    #: learned but parts touching items less well (docs/benchmarks.md).
    scales = (1.0,)
    limits = (
        "items of about 14 to 67 pixels on a dark canvas (larger ones through "
        "predict_boxes(scales=...)); touching items are parted less well than "
        "items apart; photos are scaled so their median item is 28 "
        "pixels (skfashion.read_picture)"
    )

    # -- checks and shapes --------------------------------------------------------
    def check_canvases(self, canvas_shape):
        model = self.model
        if model.base_estimator_.architecture != "cells":
            raise ValueError(
                "head='anywhere' names found items with the base's network "
                "of one item: give it a grid-aware base (CNNClassifier("
                "architecture='cells'), the 'fast' preset)"
            )
        if model.augment_ is None:
            raise ValueError(
                "head='anywhere' learns from the boxes of composites made "
                "while training: give it augment=MultiObjectComposer("
                "placement='anywhere', ...) and the raw items"
            )

    def fit_layout(self):
        self.model.item_shape_ = tuple(self.model.base_estimator_.cell_shape_)

    def smallest_item(self) -> int:
        """Pixels a side of the smallest item the finder was trained on."""
        return self.item_sizes()[0]

    def item_sizes(self) -> tuple[int, int]:
        """Pixels a side of the smallest and largest items the finder learned."""
        model = self.model
        low, high = model.augment_.scale_
        side = min(model.item_shape_)
        return max(1, int(np.floor(low * side))), int(np.ceil(high * side))

    # -- training -----------------------------------------------------------------
    def build(self, compile_kwargs):
        from .. import anywhere

        model = self.model
        base = model.base_estimator_
        if not set(np.asarray(base.classes_).tolist()) <= set(range(model.n_classes_)):
            raise ValueError(
                "head='anywhere' names items with the base's classes: they must "
                f"be label indices in [0, {model.n_classes_}), got {base.classes_}"
            )
        network = anywhere.build_anywhere_network(
            base.model_, model.augment_.max_objects, seed=model.network_seed
        )
        model.stride_ = anywhere.stride_of(
            network.get_layer("finder").get_layer("features"), model.item_shape_
        )
        compile_kwargs["optimizer"] = _clipped(compile_kwargs["optimizer"])
        if model.loss == "binary_crossentropy":  # the default: the head's own
            compile_kwargs["loss"] = {
                "maps": anywhere.FinderLoss(),
                "names": anywhere.NamerLoss(),
            }
        return model.compile_network(network, compile_kwargs, model.learning_rate)

    def _batch(self, canvases, boxes, rng):
        """Inputs and targets of the finder and the namer, from composites."""
        model = self.model
        return training_batch(
            canvases, boxes, stride=model.stride_, item_shape=model.item_shape_, rng=rng
        )

    def training_stream(self, data, first_epoch, n_epochs):
        from ..batches import FreshBoxes

        model = self.model
        return FreshBoxes(
            model.augment_,
            data.items,
            data.targets,
            model.batch_size or 32,
            data.seed,
            encode=self._batch,
            first_epoch=first_epoch,
            n_epochs=n_epochs,
        )

    def steps_per_epoch(self, n_items):
        from ..batches import FreshBoxes

        model = self.model
        per_batch = FreshBoxes.items_per_batch_of(
            model.augment_, model.batch_size or 32
        )
        return math.ceil(n_items / per_batch)

    def learning_rate_schedule(self, steps):
        """A 5% warm-up, then a cosine to zero."""
        return self.model.warmup_cosine(steps)

    def validation_data(self, items, targets, rng):
        canvases, _, _, boxes = self.model.augment_.compose(
            items, targets, len(items), rng, return_boxes=True
        )
        return self._batch(canvases, boxes, rng)

    def fit_threshold(self, validation):
        """The centre probability from which the finder's peaks are items."""
        model = self.model
        if not isinstance(model.threshold, str):
            return float(check_threshold(model.threshold).max())
        if validation is None:
            raise ValueError('threshold="tuned" needs validation_split > 0')
        from ..forward import predict_in_batches

        inputs, targets = validation
        finder = model.model_.get_layer("finder")
        maps = predict_in_batches(finder, inputs["canvases"], batch_size=64)
        candidates = np.linspace(0.05, 0.95, 19)
        found = count_items(maps, candidates)
        right = found == (targets["names"] >= 0).sum(axis=1)[:, None]
        return float(candidates[np.argmax(right.mean(axis=0))])

    # -- predicting ---------------------------------------------------------------
    def _canvas_groups(self, X):
        """Groups of same-size canvases: ``[(positions in X, (k, h, w) pixels)]``."""
        model = self.model
        if isinstance(X, list | tuple):
            if not len(X):
                raise ValueError(
                    "X is an empty list: give canvases, an (n, h, w) array or a "
                    "list of (h, w) arrays"
                )
            images = [check_images(np.asarray(x)[np.newaxis]).images[0] for x in X]
        else:
            images = check_images(X).images
        shapes = [image.shape for image in images]
        smallest = self.smallest_item()
        tiny = [shape for shape in shapes if min(shape) < smallest]
        if tiny:
            raise ValueError(
                f"canvases must be at least {smallest}x{smallest} pixels, the "
                f"smallest item this head learned; got {tiny[0][0]}x{tiny[0][1]}"
            )
        if not isinstance(images, list):
            return [
                (
                    np.arange(len(images)),
                    as_pixels(images, model.pixel_scale_of(images)),
                )
            ]
        groups = []
        for shape in dict.fromkeys(shapes):
            index = np.flatnonzero([s == shape for s in shapes])
            same = np.stack([images[i] for i in index])
            groups.append((index, as_pixels(same, model.pixel_scale_of(same))))
        return groups

    def networks(self):
        """``finder`` (canvases to maps) and ``namer`` (one item to classes)."""
        network = self.model.model_
        return {
            "finder": network.get_layer("finder"),
            "namer": network.get_layer("names").network,
        }

    def predict_boxes(self, X, *, threshold=None, scales=None, namers=None):
        from ..boxes import find_items, mean_namer

        model = self.model
        threshold = model.threshold_ if threshold is None else float(threshold)
        scales = self.scales if scales is None else _check_scales(scales)
        classes = np.asarray(model.base_estimator_.classes_)
        namer = self.network("namer") if namers is None else mean_namer(namers, classes)
        found = {}
        for index, canvases in self._canvas_groups(X):
            canvas, boxes, scores, proba = find_items(
                self.network("finder"),
                namer,
                canvases,
                stride=model.stride_,
                item_shape=model.item_shape_,
                threshold=threshold,
                flip=self.item_mirror(),
                scales=scales,
                sizes=self.item_sizes(),
            )
            rows = np.column_stack([classes[proba.argmax(axis=1)], boxes, scores])
            ends = np.searchsorted(canvas, np.arange(1, len(canvases)))
            found.update(zip(index, np.split(rows, ends), strict=True))
        return [found[i] for i in range(len(found))]

    def name_items(self, items: np.ndarray) -> np.ndarray:
        """The namer's class probabilities of items already cut out.

        Parameters
        ----------
        items : ndarray of shape (m, h, w)
            Pixels in [0, 255], of the base's item size (28x28), light on
            black (:func:`skfashion.images.cut_items` cuts them from a
            picture).

        Returns
        -------
        proba : ndarray of shape (m, n_classes)
            With the base's flips, where it trained with them, for the
            items it is unsure of (``skfashion.presets.UNSURE``).
        """
        from ..forward import predict_in_batches

        items = np.asarray(items, np.float32)[..., np.newaxis]
        return predict_in_batches(
            self.network("namer"), items, mirror=self.item_mirror()
        )

    def predict_counts(self, X, **kwargs):
        return np.array([len(b) for b in self.predict_boxes(X)], dtype=int)

    def predict_proba(self, X, **kwargs):
        """The largest score of an item of the class among the candidates
        (centre probability 0.05 or more)."""
        boxes = self.predict_boxes(X, threshold=0.05)
        scores = np.concatenate([rows[:, 5] for rows in boxes])
        return labels_of_boxes(boxes, len(self.model.classes_), values=scores)

    def predict(self, X, **kwargs):
        """The classes of the items :meth:`predict_boxes` finds."""
        boxes = self.predict_boxes(X)
        return labels_of_boxes(boxes, len(self.model.classes_)).astype(int)

    # -- pictures -----------------------------------------------------------------
    def read_picture(self, picture, reading, as_):
        """Every picture as items anywhere, scaled to the sizes it learned."""
        from ..images import NoItemError, items_canvas_from_picture
        from ..results import FoundItem

        reading.read_as = "items anywhere"
        try:
            canvas, scale = items_canvas_from_picture(
                picture, item_side=None if as_ == "canvas" else 28
            )  # 28: items of 18 to 42% of a photo's side become 17 to 40 px
        except NoItemError:
            return True
        if min(canvas.shape) < self.smallest_item() or not canvas.any():
            return True
        # the picture's own pixels, the boxes within it
        size = reading.size or np.rint(np.array(canvas.shape[::-1]) / scale)
        high = np.tile(size, 2)
        for row in self.predict_boxes([canvas])[0]:
            box = np.clip(np.rint(row[1:5] / scale), 0, high).astype(int).tolist()
            reading.items.append(FoundItem(int(row[0]), float(row[5]), box))
        return True


def _check_scales(scales) -> tuple[float, ...]:
    """``scales`` as a tuple of positive floats, or a one-line ValueError."""
    try:
        checked = tuple(float(scale) for scale in np.atleast_1d(scales))
    except (TypeError, ValueError):
        checked = ()
    if not checked or not all(0 < scale < math.inf for scale in checked):
        raise ValueError(f"scales must be positive numbers, got {scales!r}")
    return checked


def _clipped(optimizer):
    """``optimizer`` clipping each gradient to a norm of 1, unless it clips.

    Without it the finder's first steps at a high learning rate (0.01 on the
    toy data) kill most units of its last convolution at some seeds, and
    the head then finds nothing: F1 0.864, 0.147, 0.977, 0.681, 0.800 at seeds
    0 to 4, against 0.983, 0.977, 0.983, 0.965, 0.994 clipped.
    """
    import keras

    if not isinstance(optimizer, keras.optimizers.Optimizer):
        return optimizer
    config = optimizer.get_config()
    if any(
        config.get(k) is not None for k in ("clipnorm", "global_clipnorm", "clipvalue")
    ):
        return optimizer  # the user's own clipping
    return type(optimizer).from_config({**config, "clipnorm": 1.0})
