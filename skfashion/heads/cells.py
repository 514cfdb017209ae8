"""The cell-wise head: the item in every cell of a grid canvas, or none."""

from __future__ import annotations

import numpy as np

from ..cells import cell_grid, cell_shape_of, check_grid, predict_inked_cells
from .base import Head

__all__ = ["CellsHead"]


class CellsHead(Head):
    """``head="cells"``: the base's tower, frozen, on every cell of the canvas,
    and a new softmax head that names each cell's content (a class or empty).

    It says which item is where (``predict_layout``) and counts items of the
    same class. It trains from per-cell targets when the layout is known
    (``augment=MultiObjectComposer(...)``: use this when you have the items),
    or from the canvases' multi-hot ``Y`` alone, a canvas holding a class when
    one of its cells does (``supervision="labels"``, multiple-instance
    learning, for canvases made elsewhere). A cell without ink is empty and
    never computed; where the base trained with flips, the cells it is
    unsure of are read mirrored too (:meth:`Head.item_mirror`: on 3,000
    test composites, subset accuracy 0.8957 -> 0.8980 for the shipped
    ``strong-cells``, 0.8643 -> 0.8650 for ``fast-cells``). The head starts
    from a grid-aware base's own softmax layer, "empty" at a logit of 0.
    """

    name = "cells"
    summary = "a softmax head per cell: names, counts and places items on a grid"
    provides = frozenset({"predict_cell_proba", "predict_layout", "predict_counts"})
    uses = frozenset({"supervision"})
    training = {"epochs": 3, "batch_size": 128}
    composites = {}  # MultiObjectComposer's defaults: 0 to 4 items on a 2x2 grid
    limits = (
        "reads canvases of 28x28 cells, one item or none per cell; items off the "
        "grid are misread (use an anywhere model)"
    )

    # -- checks and shapes --------------------------------------------------------
    def check_augment(self, augment):
        if augment.placement != "grid":
            raise ValueError(
                "head='cells' reads items in the cells of a grid: give it "
                "MultiObjectComposer(placement='grid')"
            )

    def check_canvases(self, canvas_shape):
        if self.model.supervision == "layout" and self.model.augment_ is None:
            raise ValueError(
                "supervision='layout' needs augment=MultiObjectComposer(...): "
                "only composites made while training know their layout"
            )

    def cell_shape(self):
        model = self.model
        base = model.base_estimator_
        if base.architecture == "cells":
            cell_shape = tuple(base.cell_shape_)
        elif model.augment_ is not None:
            cell_shape = cell_shape_of(base.input_shape_, model.augment_.grid_)
        else:
            cell_shape = cell_shape_of(base.input_shape_, check_grid(base.grid))
        cell_grid(model.input_shape_, cell_shape)  # canvases of whole cells?
        return cell_shape

    @property
    def uses_layout(self) -> bool:
        """Whether it trains on the content of every cell (else on labels)."""
        supervision = self.model.supervision
        return supervision == "layout" or (
            supervision == "auto" and self.model.augment_ is not None
        )

    # -- training -----------------------------------------------------------------
    def compile_kwargs(self, compile_kwargs):
        """Per-cell targets are class indices: a categorical loss."""
        if self.uses_layout and self.model.loss == "binary_crossentropy":
            compile_kwargs["loss"] = "sparse_categorical_crossentropy"
        return compile_kwargs

    @property
    def metrics(self):
        """Accuracy of the cells' classes with the layout; none on multi-hot Y."""
        return ("accuracy",) if self.uses_layout else ()

    def build(self, compile_kwargs):
        import keras

        from ..networks import GridOfCells, build_cell_network, tower_of

        model = self.model
        tower = tower_of(model.base_estimator_.model_, model.cell_shape_)
        tower.trainable = False
        cell_network = build_cell_network(
            model.cell_shape_,
            model.n_classes_ + 1,
            tower_network=tower,
            head="cell_head",
        )
        self._start_from_base_head(cell_network.get_layer("cell_head"))
        if self.uses_layout:
            return model.compile_network(
                cell_network,
                self.compile_kwargs(compile_kwargs),
                model.learning_rate,
                metrics=self.metrics,
            )
        rows, cols = cell_grid(model.input_shape_, model.cell_shape_)
        inputs = keras.Input((*model.input_shape_, 1), name="pixels")
        outputs = GridOfCells(cell_network, (rows, cols), "max", name="cells")(inputs)
        network = keras.Model(inputs, outputs, name="multi_label_cells")
        return model.compile_network(network, compile_kwargs, model.learning_rate)

    def _start_from_base_head(self, cell_head):
        """Start from a grid-aware base's softmax layer, when it names the same
        classes (0 .. n_labels - 1) from the same features: the head starts as
        accurate as the base on every item, and training only adds "empty"."""
        base = self.model.base_estimator_
        if base.architecture != "cells" or not np.array_equal(
            base.classes_, np.arange(self.model.n_classes_)
        ):
            return
        kernel, bias = base.model_.get_layer("head").get_weights()
        empty = np.zeros((len(kernel), 1), kernel.dtype)
        cell_head.set_weights(
            [np.concatenate([kernel, empty], 1), np.append(bias, 0).astype(bias.dtype)]
        )

    def training_stream(self, data, first_epoch, n_epochs):
        if not self.uses_layout:
            return None
        from ..batches import FreshCells

        model = self.model
        return FreshCells(
            model.augment_,
            data.items,
            data.targets,
            model.batch_size or 32,
            data.seed,
            first_epoch=first_epoch,
            n_epochs=n_epochs,
        )

    def validation_data(self, items, targets, rng):
        if not self.uses_layout:
            return None
        from ..cells import split_cells

        model = self.model
        canvases, _, sources = model.augment_.compose(items, targets, len(items), rng)
        layout = np.where(sources >= 0, targets[sources], model.n_classes_)
        cells = split_cells(canvases, model.cell_shape_)
        return cells.reshape(-1, *model.cell_shape_, 1), layout.ravel()

    def fit_threshold(self, validation):
        """Not used: the labels are those of the predicted layout."""
        if isinstance(self.model.threshold, str):
            return np.full(len(self.model.classes_), 0.5)
        return super().fit_threshold(validation)

    # -- predicting ---------------------------------------------------------------
    def networks(self):
        """``cells``: the network of one cell, run on the inked cells only."""
        network = self.model.model_
        if network.name != "cell_network":
            network = network.get_layer("cells").cell_network
        return {"cells": network}

    def predict_cell_proba(self, X, **kwargs):
        from ..forward import predict_in_batches

        model = self.model
        images = model.checked_pixels(X)
        network = self.network("cells")
        mirror = self.item_mirror()  # the cells it is unsure of, mirrored too
        outputs, inked = predict_inked_cells(
            lambda cells: predict_in_batches(network, cells, mirror=mirror, **kwargs),
            images,
            model.cell_shape_,
        )
        n_outputs = len(model.classes_) + 1
        proba = np.empty((*inked.shape, n_outputs), np.float32)
        proba[inked] = outputs
        proba[~inked] = np.eye(n_outputs, dtype=np.float32)[-1]
        return proba

    def predict_layout(self, X, **kwargs):
        content = self.predict_cell_proba(X, **kwargs).argmax(axis=2)
        return np.where(content == len(self.model.classes_), -1, content)

    def predict_counts(self, X, **kwargs):
        return (self.predict_layout(X, **kwargs) >= 0).sum(axis=1)

    def predict_proba(self, X, **kwargs):
        """The largest probability of each label over the canvas's cells."""
        return self.predict_cell_proba(X, **kwargs)[..., :-1].max(axis=1)

    def predict(self, X, **kwargs):
        """The classes of the predicted layout."""
        from ..metrics import labels_from_layout

        layout = self.predict_layout(X, **kwargs)
        return labels_from_layout(layout, len(self.model.classes_))

    # -- pictures -----------------------------------------------------------------
    def found_items(self, canvas):
        from ..results import FoundItem

        proba = self.predict_cell_proba(canvas)[0]
        found = [
            FoundItem(int(c), float(proba[cell, c]), cell=cell)
            for cell, c in enumerate(proba.argmax(axis=1))
            if c < len(self.model.classes_)
        ]
        return sorted(found, key=lambda item: -item.score)
