"""The interface of a multi-label head: what MultiLabelTransfer hands it.

A head is the part of :class:`~skfashion.models.MultiLabelTransfer` that
differs from one way of reading a canvas to another. The estimator keeps the
parameters, the fitted state, the training loop and the files; for every
step that depends on the head it asks its :class:`Head`, made afresh from the
estimator (``Head(model)``) whenever it is needed, so that a head holds no
state of its own and an estimator with a new head saves, loads and clones as
any other.

A new head is a subclass in a module of its own, registered by name with
:func:`skfashion.heads.register_head`; see ``docs/contributing.rst``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ..presets import UNSURE

if TYPE_CHECKING:  # the estimator, for type hints only
    from ..transfer import MultiLabelTransfer

__all__ = ["Head", "check_threshold"]


def check_threshold(threshold, n_labels: int | None = None) -> np.ndarray:
    """A fixed decision threshold, as an array of values in [0, 1].

    Parameters
    ----------
    threshold : float or array-like
        One threshold, or one per label.
    n_labels : int, default=None
        Broadcast to this many labels.

    Returns
    -------
    threshold : ndarray of shape (n_labels,), or of the threshold's shape

    Raises
    ------
    ValueError
        If a value lies outside [0, 1] or the shape does not broadcast.

    Examples
    --------
    >>> from skfashion.heads import check_threshold
    >>> check_threshold(0.3, 3).tolist()
    [0.3, 0.3, 0.3]
    """
    try:
        values = np.asarray(threshold, dtype=float)
        if n_labels is not None:
            values = np.broadcast_to(values, (n_labels,)).copy()
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"threshold must be a number in [0, 1], one per label or 'tuned', "
            f"got {threshold!r}"
        ) from exc
    if np.any(~((values >= 0) & (values <= 1))):
        raise ValueError(f"thresholds must lie in [0, 1], got {threshold}")
    return values


class Head:
    """A multi-label head: its checks, network, training, prediction, pictures.

    Subclasses set the class attributes and override the methods their head
    needs; the defaults are those of a head that reads whole canvases and
    trains on their multi-hot labels. ``self.model`` is the estimator, whose
    parameters and fitted attributes a head reads and whose fitted
    attributes it sets in :meth:`fit_layout`.

    Attributes
    ----------
    name : str
        The value of ``MultiLabelTransfer(head=...)``.
    summary : str
        One line for the command line's help and the docs.
    provides : frozenset of str
        Prediction methods of the estimator beyond ``predict`` and
        ``predict_proba`` that work with this head (``"predict_boxes"``,
        ``"predict_layout"``, ``"predict_cell_proba"``, ``"predict_counts"``);
        the head implements each, and the estimator has it only then.
    uses : frozenset of str
        The estimator's parameters, beyond those every head reads, that this
        head reads (``"threshold"``, ``"supervision"``): the command line
        refuses the others.
    training : dict
        The head's default training settings (parameters of the estimator),
        used by :mod:`skfashion.recipes` (and so by ``skfashion train``, the
        demo and the shipped models' script).
    composites : dict or None
        Parameters of the :class:`~skfashion.augment.MultiObjectComposer` it
        trains on by default, drawing fresh composites while training; None:
        one fixed set of composites, unless fresh ones are asked for.
    limits : str
        What a model of this head cannot do (a shipped model's card).
    """

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    provides: ClassVar[frozenset[str]] = frozenset()
    uses: ClassVar[frozenset[str]] = frozenset()
    training: ClassVar[dict] = {}
    composites: ClassVar[dict | None] = None
    limits: ClassVar[str] = ""

    def __init__(self, model: MultiLabelTransfer):
        self.model = model

    # -- checks and shapes --------------------------------------------------------
    def check_augment(self, augment) -> None:
        """Refuse an augmenter this head cannot train on."""

    def check_canvases(self, canvas_shape: tuple[int, int]) -> None:
        """Refuse a base or canvases this head cannot read.

        The default: the base's own network reads whole canvases of its size.
        """
        base = self.model.base_estimator_
        if base.architecture == "cells":
            raise ValueError(
                f"the {self.name} head needs a base that reads whole canvases; "
                "a grid-aware base (architecture='cells') takes head='cells'"
            )
        if tuple(canvas_shape) != tuple(base.input_shape_):
            raise ValueError(
                f"the base network takes {base.input_shape_} canvases; "
                f"these data make {canvas_shape} canvases"
            )

    def cell_shape(self) -> tuple[int, int] | None:
        """Height and width of the cells it reads (``cell_shape_``), or None."""
        return None

    def fit_layout(self) -> None:
        """Set the head's own fitted attributes once the layout is decided."""

    # -- training -----------------------------------------------------------------
    def build(self, compile_kwargs: dict):
        """The compiled Keras network of the head on the frozen base.

        ``compile_kwargs`` are scikeras'; compile with
        ``self.model.compile_network(network, compile_kwargs, learning_rate)``.
        """
        raise NotImplementedError

    def compile_kwargs(self, compile_kwargs: dict) -> dict:
        """``compile_kwargs`` with the head's own loss, where the user set none."""
        return compile_kwargs

    @property
    def metrics(self) -> tuple[str, ...]:
        """Keras metrics reported while training, where the user set none."""
        return ()

    def training_stream(self, data, first_epoch: int, n_epochs: int):
        """The training batches (:mod:`skfashion.batches`); None: the common ones."""
        return None

    def steps_per_epoch(self, n_items: int) -> int | None:
        """Training steps per epoch of ``n_items``; None: one per batch of items."""
        return None

    def learning_rate_schedule(self, steps: int) -> dict | None:
        """Arguments of a :class:`~skfashion.networks.WarmupCosine`, or None."""
        return None

    def validation_data(self, items, targets, rng):
        """Validation data from held-out items; None: the augmenter's draw."""
        return None

    def fit_threshold(self, validation):
        """``threshold_``: the fixed threshold per label, or tuned for F1."""
        model = self.model
        n_labels = len(model.classes_)
        if not isinstance(model.threshold, str):
            return check_threshold(model.threshold, n_labels)
        if validation is None:
            raise ValueError('threshold="tuned" needs validation_split > 0')
        from sklearn.metrics import f1_score

        from ..forward import predict_in_batches

        X_val, Y_val = validation
        proba = predict_in_batches(model.model_, X_val)
        candidates = np.linspace(0.05, 0.95, 19)
        scores = [
            f1_score(Y_val, proba >= t, average=None, zero_division=1.0)
            for t in candidates
        ]
        return candidates[np.argmax(scores, axis=0)]

    # -- predicting ---------------------------------------------------------------
    def networks(self) -> dict:
        """The fitted Keras networks prediction runs, by name.

        What :func:`skfashion.export` writes, each as it is run here: by
        :func:`~skfashion.forward.predict_in_batches` on the pixels the
        head's prediction gives it. The default: the whole network.
        """
        return {"network": self.model.model_}

    def item_mirror(self) -> float | bool:
        """The test-time mirror of a network that names one item (a cell, a cut).

        Where the base trained with flips, the items it is unsure of
        (:data:`skfashion.presets.UNSURE`, the presets' ``test_flip``, for
        :func:`~skfashion.forward.predict_in_batches`); else ``False``.
        """
        return UNSURE if getattr(self.model.base_estimator_, "flip", False) else False

    def network(self, name: str):
        """The network ``name`` of :meth:`networks`: the model's exported one
        where it has them (:class:`~skfashion.exported.ExportedModel`)."""
        exported = getattr(self.model, "networks_", None)
        return exported[name] if exported is not None else self.networks()[name]

    def predict_proba(self, X, **kwargs) -> np.ndarray:
        """(n, n_labels) probability of each label on each canvas."""
        from ..forward import predict_in_batches

        images = self.model.checked_pixels(X)
        network = self.network("network")
        return predict_in_batches(network, images[..., None], **kwargs)

    def predict(self, X, **kwargs) -> np.ndarray:
        """(n, n_labels) multi-hot labels."""
        proba = self.predict_proba(X, **kwargs)
        return (proba >= self.model.threshold_).astype(int)

    # -- pictures -----------------------------------------------------------------
    def read_picture(self, picture, reading, as_: str) -> bool:
        """Read ``picture`` into ``reading`` its own way; False: as any model.

        Any model reads a picture as one item, or as a canvas of its size
        (:func:`skfashion.read_picture`), then asks :meth:`found_items`.
        """
        return False

    def found_items(self, canvas: np.ndarray) -> list:
        """The :class:`~skfashion.results.FoundItem` on a (1, h, w) canvas."""
        from ..results import FoundItem

        proba = self.predict_proba(canvas)[0]
        labels = self.predict(canvas)[0]
        order = np.argsort(proba)[::-1]
        return [FoundItem(int(i), float(proba[i])) for i in order if labels[i]]
