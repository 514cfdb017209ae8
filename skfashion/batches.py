"""Batches into and out of the networks: training streams, and prediction.

A training stream is a Keras ``PyDataset`` whose every batch is a pure
function of ``(seed, epoch, batch index)``. One stream covers the epochs
``first_epoch`` to ``first_epoch + n_epochs - 1``: Keras is given
``steps_per_epoch=stream.steps_per_epoch`` and reads the stream's batches
in order, so the epoch of a batch is passed in with its index
(``index // steps_per_epoch``), never inferred from how often Keras asks. A
run resumed at epoch k builds the stream from epoch k and sees the batches
an uninterrupted run would.

:class:`ShuffledBatches`
    Slices of prepared arrays, in a new order every epoch.
:class:`FreshCanvases`
    Canvases drawn afresh from raw items by an augmenter's ``draw``.
:class:`FreshCells`
    The cells of fresh composites, with per-cell targets, for a cell-wise
    head.
:class:`FreshBoxes`
    Fresh composites of items anywhere, with targets made from their boxes.

:func:`~skfashion.forward.predict_in_batches` (here too) runs a network over
many images quickly.
"""

from __future__ import annotations

import math

from ._quiet import import_keras_quietly

import_keras_quietly()  # before Keras: no TensorFlow start-up lines

import keras  # noqa: E402
import numpy as np  # noqa: E402

from .forward import predict_in_batches  # noqa: E402 - its old place

__all__ = [
    "FreshBoxes",
    "FreshCanvases",
    "FreshCells",
    "ShuffledBatches",
    "predict_in_batches",
]


class ShuffledBatches(keras.utils.PyDataset):
    """Training batches of items in a new random order every epoch.

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
    first_epoch : int, default=0
        The epoch of the stream's first batch.
    n_epochs : int, default=1
        Epochs the stream holds, one after the other.
    """

    def __init__(
        self,
        items,
        targets,
        batch_size,
        seed,
        sample_weight=None,
        *,
        first_epoch=0,
        n_epochs=1,
    ):
        super().__init__()
        self.items = items
        self.targets = targets
        self.batch_size = batch_size
        self.seed = seed
        self.sample_weight = sample_weight
        self.first_epoch = first_epoch
        self.n_epochs = n_epochs
        self._order = (None, None)  # (epoch, permutation), the last one drawn

    @property
    def items_per_batch(self) -> int:
        """Items of ``items`` that one batch uses."""
        return self.batch_size

    @property
    def steps_per_epoch(self) -> int:
        """Batches in one epoch (each item used once)."""
        return math.ceil(len(self.items) / self.items_per_batch)

    def __len__(self):
        return self.steps_per_epoch * self.n_epochs

    def __getitem__(self, index):
        epoch, batch = divmod(index, self.steps_per_epoch)
        return self.batch(self.first_epoch + epoch, batch)

    def chosen(self, epoch: int, index: int) -> np.ndarray:
        """Indices of the items in batch ``index`` of ``epoch``."""
        if self._order[0] != epoch:
            generator = np.random.RandomState([self.seed, epoch])
            self._order = (epoch, generator.permutation(len(self.items)))
        size = self.items_per_batch
        return self._order[1][index * size : (index + 1) * size]

    def generator(self, epoch: int, index: int) -> np.random.RandomState:
        """The source of the draws of batch ``index`` of ``epoch``."""
        return np.random.RandomState([self.seed, epoch, index + 1])

    def batch(self, epoch: int, index: int) -> tuple:
        """Batch ``index`` of ``epoch``: items, targets (and weights)."""
        chosen = self.chosen(epoch, index)
        batch = (self.items[chosen], self.targets[chosen])
        if self.sample_weight is not None:
            batch += (self.sample_weight[chosen],)
        return batch


class FreshCanvases(ShuffledBatches):
    """Training batches of canvases, each drawn afresh from the raw items.

    Items are taken in a random order, each once per epoch, and every batch
    is drawn by the augmenter when Keras asks for it, so no two epochs see
    the same canvases.

    Parameters
    ----------
    augment : fitted augmenter
        Follows the augmenter protocol (:mod:`skfashion.augment`).
    items : ndarray of shape (n, h, w)
        Raw items, in [0, 255] (uint8 or float32).
    targets : ndarray of shape (n, ...)
        Their targets, passed to the augmenter with them.
    batch_size, seed, first_epoch, n_epochs
        As in :class:`ShuffledBatches`.
    """

    def __init__(
        self, augment, items, targets, batch_size, seed, *, first_epoch=0, n_epochs=1
    ):
        super().__init__(
            items,
            targets,
            batch_size,
            seed,
            first_epoch=first_epoch,
            n_epochs=n_epochs,
        )
        self.augment = augment

    def batch(self, epoch, index):
        chosen = self.chosen(epoch, index)
        canvases, targets = self.augment.draw(
            self.items[chosen], self.targets[chosen], self.generator(epoch, index)
        )
        return canvases[..., np.newaxis], targets


class FreshCells(FreshCanvases):
    """Training batches of the cells of fresh composites, with per-cell targets.

    Every batch arranges ``batch_size`` composites (the augmenter's
    ``arrange``, a :class:`~skfashion.augment.MultiObjectComposer`'s) without
    drawing them: each placed item is a cell whose target is its class, and
    the empty cells, all alike, are one black cell of target ``n_classes``
    weighted by their number. The loss is the same as on every cell of the
    composites, for the cost of the items alone. Batches are padded with
    weightless black cells to a multiple of ``batch_size``, so that the
    network sees a few batch shapes only.
    """

    def batch(self, epoch, index):
        chosen = self.chosen(epoch, index)
        size = len(chosen)
        sources = self.augment.arrange(size, size, self.generator(epoch, index)).source
        n_cells = size * int(np.prod(self.augment.grid_))
        n_items = len(sources)
        # Pad to a multiple of the batch size with weightless empty cells: a
        # few batch shapes, not one per number of items (JAX compiles each).
        length = -(-(n_items + 1) // self.batch_size) * self.batch_size
        cells = np.zeros((length, *self.items.shape[1:]), dtype=self.items.dtype)
        cells[:n_items] = self.items[chosen[sources]]
        targets = np.full(length, self.augment.n_classes, dtype=self.targets.dtype)
        targets[:n_items] = self.targets[chosen[sources]]
        # Keras divides the weighted sum by the batch's length: these weights
        # make the loss the mean over every cell of the composites.
        weights = np.zeros(length, dtype=np.float32)
        weights[:n_items] = length / n_cells
        weights[-1] = (n_cells - n_items) * length / n_cells  # the empty cells
        return cells[..., np.newaxis], targets, weights


class FreshBoxes(FreshCanvases):
    """Training batches of fresh composites of items anywhere, and their targets.

    Every batch composes ``batch_size`` canvases (the augmenter's ``compose``
    with ``return_boxes``, a :class:`~skfashion.augment.MultiObjectComposer`'s)
    from as many items as they hold on average, so that an epoch uses each
    item about once; ``encode`` makes the network's batch from the canvases
    and their boxes (for example :func:`skfashion.boxes.training_batch`).

    Parameters
    ----------
    augment : fitted MultiObjectComposer
    items : ndarray of shape (n, h, w)
    targets : ndarray of shape (n,)
        The items' classes.
    batch_size : int
        Canvases per batch.
    seed : int
    encode : callable
        ``encode(canvases, boxes, rng)`` for ``(batch_size, h, w)`` canvases,
        their ``(batch_size, slots, 5)`` boxes and the batch's random source;
        returns ``(inputs, targets)``.
    first_epoch, n_epochs
        As in :class:`ShuffledBatches`.
    """

    def __init__(
        self,
        augment,
        items,
        targets,
        batch_size,
        seed,
        *,
        encode,
        first_epoch=0,
        n_epochs=1,
    ):
        super().__init__(
            augment,
            items,
            targets,
            batch_size,
            seed,
            first_epoch=first_epoch,
            n_epochs=n_epochs,
        )
        self.encode = encode

    @property
    def items_per_batch(self) -> int:
        return self.items_per_batch_of(self.augment, self.batch_size)

    @staticmethod
    def items_per_batch_of(augment, batch_size: int) -> int:
        """Items that ``batch_size`` canvases of ``augment`` hold on average."""
        mean_items = (augment.min_objects + augment.max_objects) / 2
        return max(1, round(batch_size * mean_items))

    def batch(self, epoch, index):
        chosen = self.chosen(epoch, index)
        rng = self.generator(epoch, index)
        canvases, _, _, boxes = self.augment.compose(
            self.items[chosen],
            self.targets[chosen],
            self.batch_size,
            rng,
            return_boxes=True,
        )
        return self.encode(canvases, boxes, rng)
