"""The single-label network as a scikit-learn classifier, and its presets.

:class:`CNNClassifier` names the one item of an image: with its defaults the
tutorial's network over whole canvases, with ``architecture="cells"`` the
grid-aware one. :data:`PRESETS` names settings chosen by measurement.
"""

from __future__ import annotations

import os
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import type_of_target

from .augment import is_sampler
from .cells import (
    cell_grid,
    cell_shape_of,
    check_grid,
    inked_cells,
    predict_per_item,
)
from .core import ImageClassifier
from .forward import predict_in_batches
from .networks import (
    TOWERS,
    SmoothedSparseCrossentropy,
    build_canvas_network,
    build_cell_network,
)
from .presets import PRESETS

__all__ = ["COMMON_CONSTRAINTS", "PRESETS", "CNNClassifier"]

#: The parameter constraints every network estimator shares.
COMMON_CONSTRAINTS = {
    "checkpoint_dir": [str, os.PathLike, None],
    "learning_rate": [Interval(Real, 0, None, closed="neither")],
    "epochs": [Interval(Integral, 0, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left"), None],
    "validation_split": [Interval(Real, 0, 1, closed="left")],
    "verbose": ["verbose"],
    "random_state": ["random_state"],
}


class CNNClassifier(ImageClassifier):
    """A convolutional network as a scikit-learn classifier: one class per image.

    Two networks (``architecture``):

    ``"canvas"`` (default)
        The tutorial's: a convolution tower over the whole canvas, flattened,
        and a softmax layer. With the defaults on 56x56 canvases it has the
        tutorial's 41,786 parameters.
    ``"cells"``
        Grid-aware: the canvas is cut into cells of one item's size, one shared
        network names the item in a cell, and the canvas gets the mean of its
        non-empty cells' probabilities. A prediction does not depend on the
        cell that holds the item, empty cells are never computed, and raw
        items (one cell) can be given to ``predict`` as they are. ``model_``
        is the network of one cell; :func:`~skfashion.networks.build_grid_network`
        makes it a network of whole canvases.

    Pixels arrive as uint8 (or floats) and are scaled to [0, 1] inside the
    network. :meth:`from_preset` gives named settings: ``"tutorial"`` (the
    defaults), ``"fast"`` (the grid-aware network and recipe that the
    command line uses) and ``"strong"`` (the most accurate).

    Parameters
    ----------
    filters : tuple of int, default=(16, 32, 64)
        Filters of each convolution block.
    kernel_size : int, default=2
        Side of the convolution kernels of the ``"tutorial"`` tower.
    dropout : float, default=0.3
        Dropout rate: after every block but the last (``"tutorial"`` tower),
        or on the features (``"bn"`` tower).
    pooling : {"flatten", "average"}, default="flatten"
        How the last feature maps reach the classifier: flattened, or global
        average pooling (fewer parameters; the tutorial found it worse).
    architecture : {"canvas", "cells"}, default="canvas"
        The tutorial's network over whole canvases, or the grid-aware one.
    tower : {"tutorial", "bn", "res"}, default="tutorial"
        The convolution stack (see :mod:`skfashion.networks`): the tutorial's,
        3x3 convolutions with batch normalisation, or a residual network.
    grid : tuple of (int, int), default=(2, 2)
        Rows and columns of cells in the training canvases, for
        ``architecture="cells"`` without ``augment`` (with ``augment`` the
        cells are the raw items).
    learning_rate : float, default=1e-3
        (Peak) learning rate of the optimizer (Adam by default).
    lr_schedule : {"constant", "cosine"}, default="constant"
        ``"cosine"``: a linear warm-up over the first 5% of the steps, then
        a cosine decay to zero at the last step of the call to ``fit``. A
        warm start (``warm_start=True``) or ``partial_fit`` (one more epoch)
        runs a new warm-up and cosine over its own epochs, from the
        optimizer's state: it learns, where continuing the finished schedule
        would stay at zero.
    label_smoothing : float, default=0.0
        Mix the one-hot targets with the uniform distribution.
    flip : bool, default=False
        Flip training items left to right at random (``architecture="cells"``).
    shift : int, default=0
        Move training items by up to this many pixels at random in each
        direction (``architecture="cells"``).
    erase : float, default=0.0
        Probability of blacking out a random rectangle of a training item
        (random erasing; ``architecture="cells"``).
    test_flip : bool or float in (0, 1], default=False
        Predict the mean of the probabilities of each image and its mirror
        image (flip test-time augmentation; twice the cost of predicting).
        A number: only for the images whose largest probability is below it
        (the presets' 0.8, ``skfashion.presets.UNSURE``: as accurate as
        mirroring every image, at 1.1 to 1.3 times the cost of none).
    augment : QuadrantExpander, default=None
        Draw new canvases from the raw training items every epoch; ``fit``
        then takes raw items. The ``"canvas"`` network predicts canvases (raw
        items are placed in cells drawn with a fixed seed); the ``"cells"``
        network trains on the items themselves, where a canvas would hold them
        changing nothing, and predicts raw items or canvases. Validation items
        are placed once and kept.
    epochs : int, default=15
        Passes over the training data (the tutorial's 15).
    batch_size : int, default=32
        Images per gradient step (``predict`` uses batches of 1024).
    validation_split : float, default=0.0
        Fraction of the training data, taken from its end, held out to
        validate after each epoch (reported in ``history_``).
    callbacks : list of keras.callbacks.Callback, default=None
        Passed to Keras' ``fit``.
    checkpoint_dir : str or path-like, default=None
        Folder where ``fit`` saves its state after every epoch, and from which
        a later ``fit`` with the same parameters and data resumes after the
        last finished epoch (see :mod:`skfashion.checkpoint`). Remove the
        folder to train afresh.
    verbose : int, default=0
        Keras' verbosity while training (``predict`` is always silent).
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
        The fitted network (of one cell with ``architecture="cells"``).
    history_ : dict
        Loss and metrics per epoch.
    input_shape_ : tuple of (int, int)
        Height and width of the canvases the estimator takes.
    cell_shape_ : tuple of (int, int) or None
        Height and width of a cell (``architecture="cells"``; else None).
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
        **COMMON_CONSTRAINTS,
        "filters": [tuple, list],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "pooling": [StrOptions({"flatten", "average"})],
        "architecture": [StrOptions({"canvas", "cells"})],
        "tower": [StrOptions(set(TOWERS))],
        "grid": [tuple, list],
        "lr_schedule": [StrOptions({"constant", "cosine"})],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "flip": ["boolean"],
        "shift": [Interval(Integral, 0, None, closed="left")],
        "erase": [Interval(Real, 0, 1, closed="both")],
        "test_flip": ["boolean", Interval(Real, 0, 1, closed="right")],
    }

    def __init__(
        self,
        filters=(16, 32, 64),
        *,
        kernel_size=2,
        dropout=0.3,
        pooling="flatten",
        architecture="canvas",
        tower="tutorial",
        grid=(2, 2),
        learning_rate=1e-3,
        lr_schedule="constant",
        label_smoothing=0.0,
        flip=False,
        shift=0,
        erase=0.0,
        test_flip=False,
        augment=None,
        epochs=15,
        batch_size=32,
        validation_split=0.0,
        callbacks=None,
        checkpoint_dir=None,
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
            learning_rate=learning_rate,
            augment=augment,
            checkpoint_dir=checkpoint_dir,
            **kwargs,
        )
        self.filters = filters
        self.kernel_size = kernel_size
        self.dropout = dropout
        self.pooling = pooling
        self.architecture = architecture
        self.tower = tower
        self.grid = grid
        self.lr_schedule = lr_schedule
        self.label_smoothing = label_smoothing
        self.flip = flip
        self.shift = shift
        self.erase = erase
        self.test_flip = test_flip

    @classmethod
    def from_preset(cls, preset: str, **params) -> CNNClassifier:
        """A classifier with the named settings of :data:`PRESETS`.

        Parameters
        ----------
        preset : {"tutorial", "fast", "strong", "quick"}
            ``"tutorial"``: the tutorial's network and recipe (the defaults).
            ``"fast"``: the grid-aware network, its tower and recipe, chosen
            by measurement (``docs/benchmarks.md``). ``"strong"``: the most
            accurate, a residual tower trained long with random shifts and
            erasing, predicting with flip test-time augmentation (train it
            once: ``skfashion.pretrained("strong")`` ships it trained).
            ``"quick"``: a smaller network in two epochs.
        **params
            Parameters that override the preset's.

        Returns
        -------
        classifier : CNNClassifier
            Unfitted.

        Examples
        --------
        >>> from skfashion.models import CNNClassifier
        >>> CNNClassifier.from_preset("fast", epochs=2).architecture
        'cells'
        """
        if preset not in PRESETS:
            raise ValueError(f"preset must be one of {sorted(PRESETS)}, got {preset!r}")
        return cls(**{**PRESETS[preset], **params})

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

    # -- the grid-aware network -------------------------------------------------
    def _check_augment(self, augment):
        if is_sampler(augment):
            raise ValueError(
                "CNNClassifier predicts one class per image: augment must be a "
                "QuadrantExpander (a MultiObjectComposer makes multi-label "
                "targets: use MultiLabelTransfer)"
            )

    def _draws_canvases(self) -> bool:
        # The cells network trains on the items themselves: where a canvas
        # would hold them cannot change what it learns.
        return self.augment_ is not None and self.architecture == "canvas"

    def _cell_shape(self):
        if self.architecture != "cells":
            return None
        if self.augment_ is not None:
            return tuple(self.image_shape_)
        return cell_shape_of(self.input_shape_, check_grid(self.grid))

    def _training_items(self, images):
        """With ``architecture="cells"``, the one cell of each canvas with ink.

        Training canvases hold one item each, as QuadrantExpander makes them,
        so this is the item, wherever it lies (an empty canvas gives a black
        cell). Canvases with ink in several cells are refused: most likely
        they are raw items cut by a wrong ``grid``.
        """
        if self.architecture != "cells" or images.shape[1:] == self.cell_shape_:
            return images
        cells, inked = inked_cells(images, self.cell_shape_)
        crowded = np.flatnonzero(inked.sum(axis=1) > 1)
        if len(crowded):
            rows, cols = cell_grid(images.shape[1:], self.cell_shape_)
            raise ValueError(
                f"{len(crowded)} of {len(images)} training canvases have ink in "
                f"more than one of their {rows}x{cols} cells (the first: canvas "
                f"{crowded[0]}); a grid-aware CNNClassifier trains on one item per "
                "canvas. For raw items set grid=(1, 1) or "
                "augment=QuadrantExpander(), or put a QuadrantExpander before "
                "it in a Pipeline; for canvases, grid to their grid; to score "
                "a fitted model's weights as they are (cross_val_score refits "
                "a clone), wrap it in sklearn.frozen.FrozenEstimator"
            )
        return cells[np.arange(len(cells)), inked.argmax(axis=1)]

    def _predict_network(self, images, **kwargs):
        """Probabilities of each canvas: the mean over its non-empty cells.

        Empty cells (all pixels 0) are never computed; a canvas with no item
        gets the probabilities of one black cell. With ``test_flip``, each
        image's probabilities are the mean of its own and its mirror image's.
        """

        def predict(images):
            return predict_in_batches(
                self.model_, images, mirror=self.test_flip, **kwargs
            )

        if self.architecture != "cells":
            return predict(images[..., np.newaxis])
        return predict_per_item(predict, images, self.cell_shape_)

    def _keras_build_fn(self, compile_kwargs):
        for name in ("flip", "shift", "erase"):
            if getattr(self, name) and self.architecture != "cells":
                raise ValueError(
                    f"{name} augments items in their cell: set architecture='cells'"
                )
        network = dict(
            tower=self.tower,
            filters=tuple(self.filters),
            kernel_size=self.kernel_size,
            dropout=self.dropout,
            pooling=self.pooling,
        )
        if self.architecture == "cells":
            model = build_cell_network(
                self.cell_shape_,
                self.n_classes_,
                flip=self.flip,
                shift=self.shift,
                erase=self.erase,
                seed=self.network_seed,
                **network,
            )
        else:
            model = build_canvas_network(self.input_shape_, self.n_classes_, **network)
        if self.label_smoothing and self.loss == "sparse_categorical_crossentropy":
            compile_kwargs["loss"] = SmoothedSparseCrossentropy(self.label_smoothing)
        return self.compile_network(
            model, compile_kwargs, self.learning_rate, metrics=("accuracy",)
        )

    def _learning_rate_schedule(self, steps):
        """With ``lr_schedule="cosine"``: a 5% warm-up, then a cosine to zero.

        Over the epochs of each call to ``fit``; a warm start or
        ``partial_fit`` runs a new cycle over its own epochs.
        """
        if self.lr_schedule == "constant":
            return None
        return self.warmup_cosine(steps)
