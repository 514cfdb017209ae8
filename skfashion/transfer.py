"""Multi-label transfer: every item on a canvas, from a fitted CNNClassifier.

:class:`MultiLabelTransfer` keeps the base's convolutions and trains a new
head: the tutorial's dense sigmoid head on the whole canvas, a softmax head
per cell that names, counts and locates every item, or a head that finds and
boxes items anywhere (:mod:`skfashion.anywhere`).
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import keras
import numpy as np
from keras import layers
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from . import anywhere
from ._images import as_pixels, check_images, check_labels
from .augment import _check_grid, is_sampler
from .batches import FreshBoxes, FreshCells, predict_in_batches
from .box_metrics import labels_of_boxes
from .cells import cell_grid, cell_shape_of, predict_inked_cells, split_cells
from .classifier import _COMMON_CONSTRAINTS, CNNClassifier
from .core import ImageClassifier, Phase
from .metrics import labels_from_layout
from .networks import (
    GridOfCells,
    build_cell_network,
    tower_of,
)

__all__ = ["MultiLabelTransfer"]


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

    Three heads (``head``):

    ``"dense"`` (default, the tutorial's)
        The base network is copied and cut before its softmax head; what
        remains is frozen and a ``Dense(n_labels, sigmoid)`` head is trained
        with binary cross-entropy on multi-hot targets. With the tutorial's
        base this leaves 31,370 trainable and 10,416 frozen parameters.
    ``"cells"``
        The base's convolution tower (a grid-aware base's, or the tutorial's
        convolutions) is frozen and applied to every cell of the canvas, and
        a new softmax head names each cell's content: one of the classes, or
        empty. It says which item is where (:meth:`predict_layout`) and
        counts items of the same class. It trains from per-cell targets when
        the layout is known (``augment=MultiObjectComposer(...)``: use this
        when you have the items), or from the canvases' multi-hot ``Y`` alone,
        a canvas holding a class when one of its cells does (use this for
        canvases made elsewhere, whose layout is unknown).
    ``"anywhere"``
        Finds items at any place on canvases of any size, and boxes them
        (:meth:`predict_boxes`). The base's convolutions, frozen, read the
        whole canvas, and a small convolutional head marks each item's
        centre and how far its box reaches; each box is then cut out,
        resized to the base's item size, and named by the base itself (see
        :mod:`skfashion.anywhere`). It trains from the boxes of fresh
        composites (``augment=MultiObjectComposer(placement="anywhere")``),
        and reads items of the sizes it was trained on (the composer's
        ``scale``); much smaller or larger items are missed or split. It
        needs a grid-aware base (``architecture="cells"``).

    The base estimator itself is never changed, and
    :func:`~sklearn.base.clone` (as in grid search) keeps it fitted, as
    :class:`~sklearn.frozen.FrozenEstimator` would.

    Parameters
    ----------
    base : CNNClassifier or Pipeline
        A fitted CNNClassifier, or a fitted Pipeline ending in one (only its
        network is used: canvases go to it directly).
    head : {"dense", "cells", "anywhere"}, default="dense"
        The tutorial's dense head on the whole canvas, a head per cell, or a
        head that finds items anywhere.
    supervision : {"auto", "layout", "labels"}, default="auto"
        What trains the ``"cells"`` head: ``"layout"``, the content of every
        cell (needs ``augment``); ``"labels"``, the canvases' multi-hot
        labels only (multiple-instance learning: a canvas's probability of a
        class is the largest over its cells). ``"auto"``: the layout when
        ``augment`` is set, else the labels.
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
        (``validation_split`` must then be positive). Not used by the
        ``"cells"`` head, which predicts the classes of its predicted layout.
        With ``"anywhere"``, the centre probability from which an item is
        found (``"tuned"``: the one that counts the validation canvases'
        items best).
    learning_rate : float, default=1e-3
        Learning rate while the base is frozen.
    augment : MultiObjectComposer, default=None
        Compose new canvases every epoch: ``fit`` then takes raw items and
        their integer labels; ``predict`` takes canvases. Validation
        composites are drawn once and kept.
    checkpoint_dir : str or path-like, default=None
        Folder where ``fit`` saves its state after every epoch, and from which
        a later ``fit`` with the same parameters, base and data resumes after
        the last finished epoch, in either phase (see
        :mod:`skfashion.checkpoint`).
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
    threshold_ : ndarray of shape (n_labels,), or float
        Per-class decision thresholds (``"dense"`` head); with
        ``"anywhere"``, the centre probability from which an item is found.
    cell_shape_ : tuple of (int, int) or None
        Height and width of a cell (``"cells"`` head; else None).
    item_shape_ : tuple of (int, int) or None
        Height and width of the items the base names (``"anywhere"``).
    stride_ : int or None
        Canvas pixels per pixel of the finder's maps (``"anywhere"``).
    model_ : keras.Model
        The multi-label network; with the ``"cells"`` head and the layout, the
        network of one cell (``n_labels + 1`` outputs, the last for "empty");
        with ``"anywhere"``, the finder (:mod:`skfashion.anywhere`).

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

    The cell-wise head, trained from the layouts of fresh composites:

    >>> cells = MultiLabelTransfer(
    ...     base, head="cells", augment=MultiObjectComposer(n_classes=2),
    ...     epochs=1, random_state=0).fit(items, labels)
    >>> cells.predict_layout(canvases).shape  # class per cell, -1 when empty
    (40, 4)
    """

    _parameter_constraints = {
        **_COMMON_CONSTRAINTS,
        "head": [StrOptions({"dense", "cells", "anywhere"})],
        "supervision": [StrOptions({"auto", "layout", "labels"})],
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
        head="dense",
        supervision="auto",
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
        checkpoint_dir=None,
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
            learning_rate=learning_rate,
            augment=augment,
            checkpoint_dir=checkpoint_dir,
            **kwargs,
        )
        self.base = base
        self.head = head
        self.supervision = supervision
        self.fine_tune = fine_tune
        self.warmup_epochs = warmup_epochs
        self.fine_tune_learning_rate = fine_tune_learning_rate
        self.threshold = threshold

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
        return super().fit(X, y, sample_weight=sample_weight, **kwargs)

    def partial_fit(self, X, y, sample_weight=None, **kwargs):
        """One more epoch of training (the first call fits the head afresh).

        With ``fine_tune``, the epochs count on from those already trained:
        the base is unfrozen once ``warmup_epochs`` are done.

        Parameters
        ----------
        X, y, sample_weight, **kwargs
            As in :meth:`fit`.

        Returns
        -------
        self : MultiLabelTransfer
        """
        return super().partial_fit(X, y, sample_weight=sample_weight, **kwargs)

    # -- the layout of the data ---------------------------------------------------
    def _fit_layout(self, images, y):
        self.base_estimator_ = _final_cnn(self.base)
        super()._fit_layout(images, y)
        self.item_shape_ = self.stride_ = None
        if self.head == "anywhere":
            self.item_shape_ = tuple(self.base_estimator_.cell_shape_)

    def _check_augment(self, augment):
        if not is_sampler(augment):
            raise ValueError("augment must be a MultiObjectComposer")
        if self.head == "cells" and getattr(augment, "placement", "grid") != "grid":
            raise ValueError(
                "head='cells' reads items in the cells of a grid: give it "
                "MultiObjectComposer(placement='grid')"
            )

    def _canvas_shape(self, images):
        shape = super()._canvas_shape(images)
        base = self.base_estimator_
        if self.head == "anywhere":
            if base.architecture != "cells":
                raise ValueError(
                    "head='anywhere' names found items with the base's network "
                    "of one item: give it a grid-aware base (CNNClassifier("
                    "architecture='cells'), the 'fast' preset)"
                )
            if self.augment_ is None:
                raise ValueError(
                    "head='anywhere' learns from the boxes of composites made "
                    "while training: give it augment=MultiObjectComposer("
                    "placement='anywhere', ...) and the raw items"
                )
        elif self.head == "dense":
            if base.architecture == "cells":
                raise ValueError(
                    "the dense head needs a base that reads whole canvases; "
                    "a grid-aware base (architecture='cells') takes head='cells'"
                )
            if shape != base.input_shape_:
                raise ValueError(
                    f"the base network takes {base.input_shape_} canvases; "
                    f"these data make {shape} canvases"
                )
        elif self.supervision == "layout" and self.augment_ is None:
            raise ValueError(
                "supervision='layout' needs augment=MultiObjectComposer(...): "
                "only composites made while training know their layout"
            )
        return shape

    def _cell_shape(self):
        if self.head != "cells":
            return None
        base = self.base_estimator_
        if base.architecture == "cells":
            cell_shape = tuple(base.cell_shape_)
        else:
            grid = self.augment_.grid_ if self.augment_ else _check_grid(base.grid)
            cell_shape = cell_shape_of(base.input_shape_, grid)
        cell_grid(self.input_shape_, cell_shape)  # canvases of whole cells?
        return cell_shape

    @property
    def _uses_layout(self) -> bool:
        return self.head == "cells" and (
            self.supervision == "layout"
            or (self.supervision == "auto" and self.augment_ is not None)
        )

    # -- training -------------------------------------------------------------
    def _training_stream(self, data, first_epoch, n_epochs):
        if self.head == "anywhere":
            return FreshBoxes(
                self.augment_,
                data.items,
                data.targets,
                self.batch_size or 32,
                data.seed,
                encode=self._anywhere_batch,
                first_epoch=first_epoch,
                n_epochs=n_epochs,
            )
        if self._uses_layout:
            return FreshCells(
                self.augment_,
                data.items,
                data.targets,
                self.batch_size or 32,
                data.seed,
                first_epoch=first_epoch,
                n_epochs=n_epochs,
            )
        return super()._training_stream(data, first_epoch, n_epochs)

    def _steps_per_epoch(self, n_items):
        if self.head != "anywhere":
            return super()._steps_per_epoch(n_items)
        per_batch = FreshBoxes.items_per_batch_of(self.augment_, self.batch_size or 32)
        return math.ceil(n_items / per_batch)

    def _learning_rate_schedule(self, steps):
        """``head="anywhere"``: a 5% warm-up, then a cosine to zero."""
        if self.head != "anywhere":
            return None
        steps = max(1, steps)
        return dict(
            peak=self.learning_rate, warmup_steps=steps // 20, total_steps=steps
        )

    def _anywhere_batch(self, canvases, boxes, rng):
        """Inputs and targets of the finder and the namer, from composites."""
        return anywhere.training_batch(
            canvases, boxes, stride=self.stride_, item_shape=self.item_shape_, rng=rng
        )

    def _validation_data(self, items, targets, rng):
        if self.head == "anywhere":
            canvases, _, _, boxes = self.augment_.compose(
                items, targets, len(items), rng, return_boxes=True
            )
            return self._anywhere_batch(canvases, boxes, rng)
        if not self._uses_layout:
            return super()._validation_data(items, targets, rng)
        canvases, _, sources = self.augment_.compose(items, targets, len(items), rng)
        layout = np.where(sources >= 0, targets[sources], self.n_classes_)
        cells = split_cells(canvases, self.cell_shape_)
        return cells.reshape(-1, *self.cell_shape_, 1), layout.ravel()

    def _phases(self, epochs, initial_epoch):
        """The frozen warm-up, then (``fine_tune``) every layer trains.

        Epochs count from the first of the fit, so ``partial_fit`` unfreezes
        the base once ``warmup_epochs`` are done. Both phases share one
        stream of training data: with ``augment`` the fine-tuning epochs
        continue it rather than replay the warm-up's.
        """
        warmup = max(0, self.warmup_epochs - initial_epoch)
        if not self.fine_tune or epochs <= warmup or self._fine_tuning:
            return [Phase(epochs)]
        return [Phase(warmup), Phase(epochs - warmup, prepare=self._unfreeze)]

    @property
    def _fine_tuning(self) -> bool:
        """Whether every layer of ``model_`` trains already."""
        return all(layer.trainable for layer in self.model_.layers)

    def _unfreeze(self):
        for layer in self.model_.layers:
            layer.trainable = True
        self._compile(
            self.model_,
            self._layout_compile_kwargs(self._get_compile_kwargs()),
            self.fine_tune_learning_rate,
            metrics=self._default_metrics,
        )

    def _after_training(self, validation):
        self.threshold_ = self._fit_threshold(validation)

    def _keras_build_fn(self, compile_kwargs):
        if self.head == "cells":
            return self._build_cells_head(compile_kwargs)
        if self.head == "anywhere":
            return self._build_finder(compile_kwargs)
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
        return self._compile(model, compile_kwargs, self.learning_rate, metrics=())

    @property
    def _default_metrics(self) -> tuple[str, ...]:
        """Accuracy of the cells' classes with the layout; none on multi-hot Y."""
        return ("accuracy",) if self._uses_layout else ()

    def _layout_compile_kwargs(self, compile_kwargs):
        """Per-cell targets are class indices: a categorical loss."""
        if self._uses_layout and self.loss == "binary_crossentropy":
            compile_kwargs["loss"] = "sparse_categorical_crossentropy"
        return compile_kwargs

    def _start_from_base_head(self, cell_head):
        """Start the cell head from a grid-aware base's own softmax head.

        When the base names the same classes (0 .. n_labels - 1) from the same
        features, the head starts as accurate as the base on every item, and
        "empty" starts at a logit of 0; training only has to add it.
        """
        base = self.base_estimator_
        if base.architecture != "cells" or not np.array_equal(
            base.classes_, np.arange(self.n_classes_)
        ):
            return
        kernel, bias = base.model_.get_layer("head").get_weights()
        cell_head.set_weights(
            [
                np.concatenate([kernel, np.zeros((len(kernel), 1), kernel.dtype)], 1),
                np.append(bias, 0).astype(bias.dtype),
            ]
        )

    def _build_cells_head(self, compile_kwargs):
        tower = tower_of(self.base_estimator_.model_, self.cell_shape_)
        tower.trainable = False
        cell_network = build_cell_network(
            self.cell_shape_, self.n_classes_ + 1, tower_network=tower, head="cell_head"
        )
        self._start_from_base_head(cell_network.get_layer("cell_head"))
        if self._uses_layout:
            return self._compile(
                cell_network,
                self._layout_compile_kwargs(compile_kwargs),
                self.learning_rate,
                metrics=self._default_metrics,
            )
        rows, cols = cell_grid(self.input_shape_, self.cell_shape_)
        inputs = keras.Input((*self.input_shape_, 1), name="pixels")
        outputs = GridOfCells(cell_network, (rows, cols), "max", name="cells")(inputs)
        model = keras.Model(inputs, outputs, name="multi_label_cells")
        return self._compile(model, compile_kwargs, self.learning_rate, metrics=())

    def _build_finder(self, compile_kwargs):
        base = self.base_estimator_
        if not set(np.asarray(base.classes_).tolist()) <= set(range(self.n_classes_)):
            raise ValueError(
                "head='anywhere' names items with the base's classes: they must "
                f"be label indices in [0, {self.n_classes_}), got {base.classes_}"
            )
        seed = self.random_state if isinstance(self.random_state, Integral) else None
        model = anywhere.build_anywhere_network(
            base.model_, self.augment_.max_objects, seed=seed
        )
        self.stride_ = anywhere.stride_of(
            model.get_layer("finder").get_layer("features"), self.item_shape_
        )
        if self.loss == "binary_crossentropy":  # the default: the head's own
            compile_kwargs["loss"] = {
                "maps": anywhere.FinderLoss(),
                "names": anywhere.NamerLoss(),
            }
        return self._compile(model, compile_kwargs, self.learning_rate, metrics=())

    def _fit_threshold(self, validation):
        if self.head == "anywhere":
            return self._fit_centre_threshold(validation)
        n_labels = len(self.classes_)
        if self.head == "cells" and isinstance(self.threshold, str):
            return np.full(n_labels, 0.5)  # not used: labels come from the layout
        if not isinstance(self.threshold, str):
            threshold = np.broadcast_to(
                np.asarray(self.threshold, dtype=float), (n_labels,)
            ).copy()
            if np.any((threshold < 0) | (threshold > 1)):
                raise ValueError(f"thresholds must lie in [0, 1], got {self.threshold}")
            return threshold
        if validation is None:
            raise ValueError('threshold="tuned" needs validation_split > 0')
        X_val, Y_val = validation
        proba = predict_in_batches(self.model_, X_val)
        candidates = np.linspace(0.05, 0.95, 19)
        scores = [
            f1_score(Y_val, proba >= t, average=None, zero_division=1.0)
            for t in candidates
        ]
        return candidates[np.argmax(scores, axis=0)]

    def _fit_centre_threshold(self, validation):
        """The centre probability from which the finder's peaks are items."""
        if not isinstance(self.threshold, str):
            threshold = float(np.asarray(self.threshold).max())
            if not 0 <= threshold <= 1:
                raise ValueError(f"threshold must lie in [0, 1], got {self.threshold}")
            return threshold
        if validation is None:
            raise ValueError('threshold="tuned" needs validation_split > 0')
        inputs, targets = validation
        finder = self.model_.get_layer("finder")
        maps = predict_in_batches(finder, inputs["canvases"], batch_size=64)
        candidates = np.linspace(0.05, 0.95, 19)
        found = anywhere.count_items(maps, candidates)
        right = found == (targets["names"] >= 0).sum(axis=1)[:, None]
        return float(candidates[np.argmax(right.mean(axis=0))])

    def _smallest_item(self) -> int:
        """Pixels a side of the smallest item the finder was trained on."""
        scale = getattr(self.augment_, "scale_", (1.0, 1.0))[0]
        return max(1, int(np.floor(scale * min(self.item_shape_))))

    def _anywhere_canvases(self, X):
        """Groups of same-size canvases: ``[(positions in X, (k, h, w) pixels)]``."""
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
        smallest = self._smallest_item()
        tiny = [shape for shape in shapes if min(shape) < smallest]
        if tiny:
            raise ValueError(
                f"canvases must be at least {smallest}x{smallest} pixels, the "
                f"smallest item this head learned; got {tiny[0][0]}x{tiny[0][1]}"
            )
        if not isinstance(images, list):
            return [(np.arange(len(images)), as_pixels(images, self._scale(images)))]
        groups = []
        for shape in dict.fromkeys(shapes):
            index = np.flatnonzero([s == shape for s in shapes])
            same = np.stack([images[i] for i in index])
            groups.append((index, as_pixels(same, self._scale(same))))
        return groups

    def predict_boxes(self, X, *, threshold=None) -> list[np.ndarray]:
        """Every item found on each canvas: its class, box and score.

        ``head="anywhere"`` only. Canvases may have any size from the
        smallest item up; items are found at the sizes the head learned.

        Parameters
        ----------
        X : array-like of shape (n, h, w) or (n, h, w, 1), or list of arrays
            Canvases, black background; a list may hold canvases of
            different sizes, each (h, w).
        threshold : float, default=None
            Smallest centre probability of an item; ``None``: ``threshold_``.
            Lower it (to 0.05, say) to rank candidates, as for average
            precision.

        Returns
        -------
        boxes : list of ndarray of shape (k, 6)
            One array per canvas, rows ``(class, x0, y0, x1, y1, score)``:
            the class index, the box in the canvas's pixels (ends exclusive),
            and the score (the probability of the centre times that of the
            class), best first.
        """
        check_is_fitted(self)
        if self.head != "anywhere":
            raise ValueError("boxes need head='anywhere'")
        threshold = self.threshold_ if threshold is None else float(threshold)
        classes = np.asarray(self.base_estimator_.classes_)
        found = {}
        for index, canvases in self._anywhere_canvases(X):
            canvas, boxes, scores, proba = anywhere.find_items(
                self.model_.get_layer("finder"),
                self.model_.get_layer("names").network,
                canvases,
                stride=self.stride_,
                item_shape=self.item_shape_,
                threshold=threshold,
                flip=bool(getattr(self.base_estimator_, "flip", False)),
            )
            rows = np.column_stack([classes[proba.argmax(axis=1)], boxes, scores])
            ends = np.searchsorted(canvas, np.arange(1, len(canvases)))
            found.update(zip(index, np.split(rows, ends), strict=True))
        return [found[i] for i in range(len(found))]

    def predict_proba(self, X, **kwargs):
        """Probability of each label on each canvas.

        With the ``"cells"`` head, the largest probability of the label over
        the canvas's cells; with ``"anywhere"``, the largest score of an item
        of the class among the candidates (centre probability 0.05 or more).

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
        if self.head == "cells":
            return self.predict_cell_proba(X, **kwargs)[..., :-1].max(axis=1)
        if self.head == "anywhere":
            boxes = self.predict_boxes(X, threshold=0.05)
            scores = np.concatenate([rows[:, 5] for rows in boxes])
            return labels_of_boxes(boxes, len(self.classes_), values=scores)
        return self._predict_raw(X, **kwargs)

    def predict(self, X, **kwargs):
        """Multi-hot labels: where the probability reaches ``threshold_``.

        With the ``"cells"`` head, the classes of :meth:`predict_layout`;
        with ``"anywhere"``, those of the items :meth:`predict_boxes` finds.

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
        if self.head == "anywhere":
            return labels_of_boxes(self.predict_boxes(X), len(self.classes_)).astype(
                int
            )
        if self.head != "cells":
            return (self.predict_proba(X, **kwargs) >= self.threshold_).astype(int)
        return labels_from_layout(self.predict_layout(X, **kwargs), len(self.classes_))

    def predict_cell_proba(self, X, **kwargs):
        """Probability of each content of each cell (``head="cells"``).

        A cell without ink (all pixels 0) is empty, with probability 1, and is
        not computed; the network decides only on cells with ink.

        Parameters
        ----------
        X : array-like of shape (n, h, w), (n, h, w, 1) or (n, h * w)
            Canvases of whole cells.
        **kwargs
            Passed to Keras' ``predict``.

        Returns
        -------
        proba : ndarray of shape (n, n_cells, n_labels + 1)
            Cells in row-major order; the last column is "empty".
        """
        check_is_fitted(self)
        if self.head != "cells":
            raise ValueError("per-cell predictions need head='cells'")
        images, _ = self._validate_data(X)
        network = self._cell_network()
        outputs, inked = predict_inked_cells(
            lambda cells: predict_in_batches(network, cells, **kwargs),
            images,
            self.cell_shape_,
        )
        n_outputs = len(self.classes_) + 1
        proba = np.empty((*inked.shape, n_outputs), np.float32)
        proba[inked] = outputs
        proba[~inked] = np.eye(n_outputs, dtype=np.float32)[-1]
        return proba

    def predict_layout(self, X, **kwargs):
        """The class in each cell of each canvas, ``-1`` where it is empty.

        The convention of :attr:`MultiObjectComposer.layout_
        <skfashion.augment.MultiObjectComposer>`: cells in row-major order.

        Parameters
        ----------
        X : array-like of shape (n, h, w), (n, h, w, 1) or (n, h * w)
            Canvases of whole cells.
        **kwargs
            Passed to Keras' ``predict``.

        Returns
        -------
        layout : ndarray of shape (n, n_cells), dtype int
        """
        content = self.predict_cell_proba(X, **kwargs).argmax(axis=2)
        return np.where(content == len(self.classes_), -1, content)

    def predict_counts(self, X, **kwargs):
        """Items on each canvas, those of the same class each counted.

        Parameters
        ----------
        X : array-like of shape (n, h, w), (n, h, w, 1) or (n, h * w)
            Canvases of whole cells.
        **kwargs
            Passed to Keras' ``predict``.

        Returns
        -------
        counts : ndarray of shape (n,), dtype int
        """
        if self.head == "anywhere":
            return np.array([len(b) for b in self.predict_boxes(X)], dtype=int)
        return (self.predict_layout(X, **kwargs) >= 0).sum(axis=1)

    def _cell_network(self):
        """The network of one cell (``head="cells"``)."""
        if self.model_.name == "cell_network":
            return self.model_
        return self.model_.get_layer("cells").cell_network

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
        if y.ndim == 1 and self.augment_ is None:
            raise ValueError(
                "MultiLabelTransfer scores multi-hot Y of shape (n, n_labels); "
                "1-D item labels only with augment=MultiObjectComposer(...), "
                f"got y of shape {y.shape}"
            )
        if y.ndim == 1:
            items = check_images(X).images
            if items.shape[1:] != self.image_shape_:
                raise ValueError(
                    f"1-D labels are item labels: X must be raw items of shape "
                    f"{self.image_shape_} to compose, got images of shape "
                    f"{items.shape[1:]}; score canvases with their multi-hot Y"
                )
            labels = check_labels(y, len(items), self.augment_.n_classes)
            X, y = self.augment_.draw(items, labels, np.random.RandomState(0))
        return accuracy_score(y, self.predict(X), sample_weight=sample_weight)
