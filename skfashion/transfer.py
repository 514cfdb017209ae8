"""Multi-label transfer: every item on a canvas, from a fitted CNNClassifier.

:class:`MultiLabelTransfer` keeps the base's convolutions and trains a new
head on them. The estimator holds the parameters, the fitted state, the
training loop and the files; each head (:mod:`skfashion.heads`: the
tutorial's dense head, a head per cell, a head that finds items anywhere, or
one registered by the user) does the steps that are its own.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ._images import check_images, check_labels
from .augment import is_sampler
from .classifier import COMMON_CONSTRAINTS, CNNClassifier
from .core import ImageClassifier, Phase
from .heads import HEADS, get_head
from .pipelines import last_step

__all__ = ["MultiHotTarget", "MultiLabelTransfer"]


class MultiHotTarget(TransformerMixin, BaseEstimator):
    """scikeras' target encoder of :class:`MultiLabelTransfer`.

    Multi-hot ``Y`` of 0s and 1s, or the items' labels to compose (then
    ``n_labels`` says how many labels the composites have).

    Parameters
    ----------
    n_labels : int, default=None
        Labels of the composites made from 1-D item labels.
    """

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
    cnn = last_step(base)
    if not isinstance(cnn, CNNClassifier):
        raise TypeError(
            "base must be a fitted CNNClassifier or a Pipeline ending in one, "
            f"got {type(base).__name__}"
        )
    check_is_fitted(cnn)
    return cnn


def _head_provides(method: str):
    """``available_if``'s check: the estimator's head implements ``method``."""

    def check(self) -> bool:
        try:
            return method in get_head(self.head).provides
        except ValueError:
            return False

    return check


class HeadName(StrOptions):
    """The ``head`` parameter's constraint: a name in :data:`~skfashion.heads.HEADS`.

    Read when checked, not when the estimator's class was made, so that a
    head registered later is accepted.
    """

    def __init__(self):
        super().__init__(set())

    @property
    def options(self):
        return set(HEADS)

    @options.setter
    def options(self, value):  # StrOptions sets it; the registry holds it
        pass


class MultiLabelTransfer(ImageClassifier):
    """Name every item on a canvas, reusing a fitted :class:`CNNClassifier`.

    Three heads ship (``head``; :mod:`skfashion.heads` has their parts,
    and registers new ones); the methods a head does not provide are absent
    (``hasattr(model, "predict_boxes")`` is True for ``"anywhere"`` only):

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
    head : str, default="dense"
        A name in :data:`skfashion.heads.HEADS`: ``"dense"``, ``"cells"``,
        ``"anywhere"`` or one registered with
        :func:`~skfashion.heads.register_head`.
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
        **COMMON_CONSTRAINTS,
        "head": [HeadName()],
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
        return MultiHotTarget(getattr(self.augment, "n_classes", None))

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

    @property
    def head_part(self):
        """The :class:`~skfashion.heads.Head` that does this estimator's
        head-specific steps (made afresh: a head holds no state)."""
        return get_head(self.head)(self)

    # -- the layout of the data ---------------------------------------------------
    def _fit_layout(self, images, y):
        self.base_estimator_ = _final_cnn(self.base)
        self.item_shape_ = self.stride_ = None
        super()._fit_layout(images, y)
        self.head_part.fit_layout()

    def _check_augment(self, augment):
        if not is_sampler(augment):
            raise ValueError("augment must be a MultiObjectComposer")
        self.head_part.check_augment(augment)

    def _canvas_shape(self, images):
        shape = super()._canvas_shape(images)
        self.head_part.check_canvases(shape)
        return shape

    def _cell_shape(self):
        return self.head_part.cell_shape()

    # -- training -------------------------------------------------------------
    def _keras_build_fn(self, compile_kwargs):
        return self.head_part.build(compile_kwargs)

    def _training_stream(self, data, first_epoch, n_epochs):
        stream = self.head_part.training_stream(data, first_epoch, n_epochs)
        if stream is None:
            return super()._training_stream(data, first_epoch, n_epochs)
        return stream

    def _steps_per_epoch(self, n_items):
        steps = self.head_part.steps_per_epoch(n_items)
        return super()._steps_per_epoch(n_items) if steps is None else steps

    def _learning_rate_schedule(self, steps):
        return self.head_part.learning_rate_schedule(steps)

    def _validation_data(self, items, targets, rng):
        validation = self.head_part.validation_data(items, targets, rng)
        if validation is None:
            return super()._validation_data(items, targets, rng)
        return validation

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
        head = self.head_part
        self.compile_network(
            self.model_,
            head.compile_kwargs(self._get_compile_kwargs()),
            self.fine_tune_learning_rate,
            metrics=head.metrics,
        )

    def _after_training(self, validation):
        self.threshold_ = self.head_part.fit_threshold(validation)

    # -- predicting -------------------------------------------------------------
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
        return self.head_part.predict_proba(X, **kwargs)

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
        check_is_fitted(self)
        return self.head_part.predict(X, **kwargs)

    @available_if(_head_provides("predict_boxes"))
    def predict_boxes(
        self, X, *, threshold=None, scales=None, namers=None
    ) -> list[np.ndarray]:
        """Every item found on each canvas: its class, box and score.

        Only with a head that boxes items (``head="anywhere"``). Canvases may
        have any size from the smallest item up; items are found at the
        sizes the head learned, or at others through ``scales``.

        Parameters
        ----------
        X : array-like of shape (n, h, w) or (n, h, w, 1), or list of arrays
            Canvases, black background; a list may hold canvases of
            different sizes, each (h, w).
        threshold : float, default=None
            Smallest centre probability of an item; ``None``: ``threshold_``.
            Lower it (to 0.05, say) to rank candidates, as for average
            precision.
        scales : sequence of float, default=None
            A pyramid: the finder reads each canvas resized by each scale,
            each for the items it brings to the sizes the head learned, and
            of boxes found at several scales keeps the likeliest. ``None``:
            the head's (the canvases as they are). ``(1.0, 0.5)`` finds items
            up to twice the largest learned (the shipped ``fast-anywhere``'s
            F1 on items of 64 to 90 pixels: 0.74 -> 0.89) but parts touching
            items less well (0.89 -> 0.75).
        namers : fitted model or sequence of fitted models, default=None
            Models of one item (:class:`~skfashion.models.CNNClassifier`,
            :class:`~skfashion.exported.ExportedModel`, with the head's
            ``classes_``) that name each item found, by the mean of their
            probabilities, instead of the head's namer: slower, and more
            accurate where they name cut items better (the shipped
            ``strong-namer`` and ``strong``: docs/benchmarks.md). ``None``: the
            head's namer.

        Returns
        -------
        boxes : list of ndarray of shape (k, 6)
            One array per canvas, rows ``(class, x0, y0, x1, y1, score)``:
            the class index, the box in the canvas's pixels (ends exclusive),
            and the score (the probability of the centre times that of the
            class), best first.
        """
        check_is_fitted(self)
        return self.head_part.predict_boxes(
            X, threshold=threshold, scales=scales, namers=namers
        )

    @available_if(_head_provides("predict_cell_proba"))
    def predict_cell_proba(self, X, **kwargs):
        """Probability of each content of each cell (a head of cells).

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
        return self.head_part.predict_cell_proba(X, **kwargs)

    @available_if(_head_provides("predict_layout"))
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
        check_is_fitted(self)
        return self.head_part.predict_layout(X, **kwargs)

    @available_if(_head_provides("predict_counts"))
    def predict_counts(self, X, **kwargs):
        """Items on each canvas, those of the same class each counted.

        Parameters
        ----------
        X : array-like of shape (n, h, w), (n, h, w, 1) or (n, h * w)
            Canvases.
        **kwargs
            Passed to Keras' ``predict``.

        Returns
        -------
        counts : ndarray of shape (n,), dtype int
        """
        check_is_fitted(self)
        return self.head_part.predict_counts(X, **kwargs)

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
