"""Augmentations that insert clothing items into larger black canvases.

A canvas is a ``grid`` of cells, each the size of one item: the default
``(2, 2)`` grid turns 28x28 items into 56x56 canvases with four quadrants.
Both augmenters are vectorised with numpy (no Python loop per image), keep the
pixels' dtype and the input's layout, and draw their randomness from
``random_state``.

The augmenter protocol
----------------------
The models' ``augment=`` parameter takes any estimator that follows it, as
imbalanced-learn's samplers follow ``fit_resample``. It is stated as two base
classes, with everything a model calls or reads: :class:`BaseAugmenter`
(``fit``, ``draw``, ``grid_``, ``image_shape_``, ``canvas_shape_``,
``scale_``) and :class:`BaseSampler`, an augmenter that makes new targets
(``fit_resample``, ``arrange``, ``compose``, and ``n_classes``,
``min_objects``, ``max_objects``, ``placement``). Subclass one of them, and
the models take the new augmenter with no change; a model reads nothing
else of it.

``transform`` and ``fit_resample`` validate their input, then call ``draw`` or
``compose``; the training streams of :mod:`skfashion.batches` call ``draw``,
``arrange`` and ``compose`` directly, on items validated once per fit.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._images import check_images, check_labels, check_pair, restore_layout
from .cells import check_grid

__all__ = [
    "Arrangement",
    "BaseAugmenter",
    "BaseSampler",
    "MultiObjectComposer",
    "QuadrantExpander",
    "is_sampler",
]


class BaseAugmenter(BaseEstimator):
    """What the models' ``augment=`` calls and reads: the augmenter protocol.

    ``fit(X, y)`` checks the items and sets the fitted attributes below;
    :meth:`draw` makes the canvases of one batch. A model reads nothing else.

    Attributes
    ----------
    grid_ : tuple of (int, int)
        Rows and columns of item-sized cells in a canvas.
    image_shape_ : tuple of (int, int)
        Height and width of the items seen in ``fit``.
    canvas_shape_ : tuple of (int, int) or None
        Height and width of the canvases; None (the default): ``grid_`` cells
        of ``image_shape_``.
    scale_ : tuple of (float, float)
        Smallest and largest factor by which items are resized on a canvas
        (the default ``(1.0, 1.0)``: they keep their size).
    """

    canvas_shape_ = None
    scale_ = (1.0, 1.0)

    def draw(self, images: np.ndarray, y, random_state) -> tuple[np.ndarray, object]:
        """One canvas per item of a checked (n, h, w) batch, and its targets.

        Parameters
        ----------
        images : ndarray of shape (n, h, w)
        y : array-like of shape (n,) or None
        random_state : int, RandomState instance or None

        Returns
        -------
        canvases : ndarray of shape (n, H, W)
        targets : array-like
            The items' labels (an augmenter), or multi-hot labels (a sampler).
        """
        raise NotImplementedError


class BaseSampler(BaseAugmenter):
    """An augmenter that makes new targets: imbalanced-learn's ``fit_resample``.

    Besides :class:`BaseAugmenter`'s, a model calls :meth:`arrange` and
    :meth:`compose` (the cells and anywhere heads learn where each item went)
    and reads the parameters below.

    Attributes
    ----------
    n_classes : int
        Labels of the composites (columns of their multi-hot targets).
    min_objects, max_objects : int
        Fewest and most items on a canvas.
    placement : {"grid", "anywhere"}
        Items in the cells of a grid (the default), or anywhere.
    """

    placement = "grid"

    def fit_resample(self, X, y):
        """New canvases and their multi-hot targets from the items ``X``."""
        raise NotImplementedError

    def arrange(self, n_items: int, n: int, random_state) -> Arrangement:
        """Where items go on ``n`` grid canvases, without drawing them."""
        raise NotImplementedError

    def compose(self, images, labels, n, random_state, *, return_boxes=False):
        """``n`` canvases of checked items: canvases, Y, sources (and boxes)."""
        raise NotImplementedError


def is_sampler(augment) -> bool:
    """Whether ``augment`` makes new targets (:class:`BaseSampler`'s ``fit_resample``).

    A :class:`MultiObjectComposer` is one; a :class:`QuadrantExpander`, which
    keeps each item's label, is not.

    Examples
    --------
    >>> from skfashion.augment import MultiObjectComposer, QuadrantExpander, is_sampler
    >>> is_sampler(MultiObjectComposer()), is_sampler(QuadrantExpander())
    (True, False)
    """
    return hasattr(augment, "fit_resample")


class Arrangement(NamedTuple):
    """Where items go on canvases: one row per placed item.

    ``canvas[i]`` is the canvas of the i-th placed item, ``cell[i]`` its
    row-major cell and ``source[i]`` its index among the items.
    """

    canvas: np.ndarray
    cell: np.ndarray
    source: np.ndarray


def _check_scale(scale) -> tuple[float, float]:
    if len(scale) != 2 or not all(isinstance(v, Real) for v in scale):
        raise ValueError(f"scale must be two numbers (low, high), got {scale!r}")
    low, high = float(scale[0]), float(scale[1])
    if not 0 < low <= high:
        raise ValueError(f"scale must satisfy 0 < low <= high, got {scale!r}")
    return low, high


def _paste(items, canvas_index, cells, n_canvases, grid):
    """Paste ``items`` (m, h, w) into ``cells`` of ``n_canvases`` black canvases.

    Item ``i`` lands in cell ``cells[i]`` (row-major) of canvas
    ``canvas_index[i]``. Returns (n_canvases, rows * h, cols * w).
    """
    rows, cols = grid
    h, w = items.shape[1:]
    canvas = np.zeros((n_canvases, rows, h, cols, w), dtype=items.dtype)
    # A (canvas, row, col, h, w) view of the same memory: one fancy assignment.
    canvas.transpose(0, 1, 3, 2, 4)[canvas_index, cells // cols, cells % cols] = items
    return canvas.reshape(n_canvases, rows * h, cols * w)


class _CanvasMixin:
    """Fitting shared by the augmenters: remember the item shape."""

    def _fit_images(self, X):
        self.grid_ = check_grid(self.grid)
        batch = check_images(X)
        self.image_shape_ = batch.images.shape[1:]
        self.n_features_in_ = int(np.prod(self.image_shape_))
        return batch

    def _check_fitted_images(self, X):
        check_is_fitted(self)
        batch = check_images(X)
        if batch.images.shape[1:] != self.image_shape_:
            raise ValueError(
                f"X has {batch.images[0].size} features, but {type(self).__name__} "
                f"is expecting {self.n_features_in_} features as input (images "
                f"of shape {self.image_shape_}, got {batch.images.shape[1:]})"
            )
        return batch


class QuadrantExpander(_CanvasMixin, TransformerMixin, BaseAugmenter):
    """Put each image in one cell of a larger black canvas.

    The tutorial's ``expand_4times``, vectorised: with the default 2x2 grid a
    28x28 item goes to one random quadrant of a 56x56 canvas.

    Stateless: it learns nothing, so ``transform`` works without ``fit`` (a
    Pipeline of it and a fitted model predicts and scores at once;
    scikit-learn's ``requires_fit`` tag is False). ``fit`` checks the
    parameters and remembers the item shape, which ``transform`` then holds
    images to.

    Parameters
    ----------
    grid : tuple of (int, int), default=(2, 2)
        Rows and columns of cells in the canvas.
    cell : int, default=None
        Row-major cell that receives every item; ``None`` draws one at random
        for each image.
    random_state : int, RandomState instance or None, default=None
        Seeds the random cells. With an int, every call to ``transform``
        places the same images in the same cells.

    Attributes
    ----------
    grid_ : tuple of (int, int)
        The validated grid.
    image_shape_ : tuple of (int, int)
        Height and width of the items seen in ``fit``.
    n_features_in_ : int
        Pixels per item.

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.augment import QuadrantExpander
    >>> X = np.full((3, 28, 28), 255, dtype=np.uint8)
    >>> canvases = QuadrantExpander(cell=3).fit_transform(X)
    >>> canvases.shape, canvases.dtype
    ((3, 56, 56), dtype('uint8'))
    >>> int(canvases[0, 28:, 28:].min()), int(canvases[0, :28].max())
    (255, 0)
    """

    _parameter_constraints = {
        "grid": [tuple, list],
        "cell": [Interval(Integral, 0, None, closed="left"), None],
        "random_state": ["random_state"],
    }

    def __init__(self, grid=(2, 2), *, cell=None, random_state=None):
        self.grid = grid
        self.cell = cell
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and remember the item shape.

        Parameters
        ----------
        X : array-like of shape (n, h, w), (n, h, w, 1) or (n, h * w)
            Items.
        y : None
            Ignored.

        Returns
        -------
        self : QuadrantExpander
        """
        self._fit_images(X)
        if self.cell is not None and self.cell >= np.prod(self.grid_):
            raise ValueError(f"cell={self.cell} is outside the {self.grid_} grid")
        return self

    def transform(self, X):
        """Place each item in a cell of its own black canvas.

        Parameters
        ----------
        X : array-like of shape (n, h, w), (n, h, w, 1) or (n, h * w)
            Items, of the shape seen in ``fit``.

        Returns
        -------
        canvases : ndarray
            Same dtype and layout as ``X``, each image ``grid`` times larger.
        """
        # stateless: unfitted, checked as fit checks them, nothing kept
        fitted = self if hasattr(self, "image_shape_") else clone(self).fit(X)
        batch = fitted._check_fitted_images(X)
        rng = check_random_state(self.random_state)
        canvases, _ = fitted.draw(batch.images, None, rng)
        return restore_layout(canvases, batch.layout)

    def __sklearn_is_fitted__(self) -> bool:
        return True  # nothing to learn

    def draw(self, images: np.ndarray, y, random_state) -> tuple[np.ndarray, object]:
        """Canvases for checked (n, h, w) ``images``; ``y`` passes through.

        The augmenter protocol's draw (see :mod:`skfashion.augment`): no
        validation, for batches drawn while training.

        Parameters
        ----------
        images : ndarray of shape (n, h, w)
            Items, as :meth:`fit` saw them.
        y : array-like of shape (n,) or None
            Their targets, returned as they are.
        random_state : int, RandomState instance or None
            Source of the cells (unless ``cell`` is set).

        Returns
        -------
        canvases : ndarray of shape (n, rows * h, cols * w)
        y : the ``y`` given
        """
        rng = check_random_state(random_state)
        n = len(images)
        if self.cell is None:
            cells = rng.randint(np.prod(self.grid_), size=n)
        else:
            cells = np.full(n, self.cell)
        return _paste(images, np.arange(n), cells, n, self.grid_), y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["uint8", "float64", "float32"]
        tags.non_deterministic = self.random_state is None
        tags.requires_fit = False
        return tags


class MultiObjectComposer(_CanvasMixin, BaseSampler):
    """Compose canvases of several items, with multi-hot labels and boxes.

    A sampler in imbalanced-learn's style: :meth:`fit_resample` returns new
    images *and* new targets, so it fits in :class:`imblearn.pipeline.Pipeline`.
    Every canvas holds between ``min_objects`` and ``max_objects`` items drawn
    with replacement from ``X``. With ``placement="grid"`` (the tutorial's)
    each item fills a cell of its own, so every labelled item is visible (the
    tutorial's composer overwrote about a third). With
    ``placement="anywhere"`` each item is resized by a factor drawn from
    ``scale`` and put at a random place of a ``canvas_shape`` canvas, no
    closer to the others than ``min_gap`` pixels; an item that finds no such
    place in 30 draws is left out (and not labelled).

    Parameters
    ----------
    n_samples : int, default=None
        Number of canvases; ``None`` makes one per input item.
    min_objects : int, default=0
        Fewest items on a canvas (0 allows empty canvases).
    max_objects : int, default=4
        Most items on a canvas; at most the number of cells. The count is
        uniform on ``[min_objects, max_objects]``.
    grid : tuple of (int, int), default=(2, 2)
        Rows and columns of cells in the canvas.
    n_classes : int, default=10
        Labels are integers in ``[0, n_classes)``; ``Y`` has ``n_classes``
        columns.
    placement : {"grid", "anywhere"}, default="grid"
        Items in distinct cells of ``grid``, or anywhere.
    canvas_shape : tuple of (int, int), default=None
        Height and width of the canvases with ``placement="anywhere"``;
        ``None``: the grid's (56x56 for 28x28 items).
    scale : tuple of (float, float), default=(1.0, 1.0)
        With ``placement="anywhere"``, the range of the factor each item is
        resized by (``(0.75, 1.5)``: 28-pixel items become 21 to 42 pixels).
    min_gap : int, default=1
        With ``placement="anywhere"``, the fewest pixels between the boxes of
        two items: 1 keeps them apart, 0 lets them touch, -k lets them
        overlap up to k pixels deep (the brighter pixel winning where they
        do).
    max_overlap : float, default=0.0
        With ``placement="anywhere"``, items may also be drawn over the items
        placed before them, sharing up to this share of the smaller one's box
        (0.3: 30%); a later item's ink covers what it lies on, as in a photo,
        and a covered item's whole box stays its truth. 0: no item covers
        another.
    clutter : int, default=0
        With ``placement="anywhere"``, up to this many specks on each canvas
        (1 to 6 pixels a side, of 100 to 255, off the items' boxes), and
        faint noise (up to 24) on a share of its pixels: what is no item,
        for a finder to learn to pass over. 0: clean black canvases.
    random_state : int, RandomState instance or None, default=None
        Seeds the counts, cells, positions, sizes and items.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The columns of ``Y``.
    grid_ : tuple of (int, int)
        The validated grid.
    image_shape_ : tuple of (int, int)
        Height and width of the items.
    n_features_in_ : int
        Pixels per item.
    layout_ : ndarray of shape (n_samples, n_cells)
        After :meth:`fit_resample` with ``placement="grid"``: the class in
        each row-major cell of each canvas, or -1 where the cell is empty.
    sample_indices_ : ndarray of shape (n_samples, n_slots)
        After :meth:`fit_resample`: the index in ``X`` of the item in each
        cell (``"grid"``) or slot (``"anywhere"``, ``max_objects`` slots), or
        -1.
    boxes_ : ndarray of shape (n_samples, n_slots, 5), dtype int
        After :meth:`fit_resample`: each item's class and box, rows
        ``(class, x0, y0, x1, y1)`` in canvas pixels, the tight box of its
        non-zero pixels with ends exclusive; rows of -1 where no item is.

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.augment import MultiObjectComposer
    >>> X = np.full((5, 28, 28), 200, dtype=np.uint8)
    >>> y = np.array([0, 1, 2, 3, 4])
    >>> composer = MultiObjectComposer(8, min_objects=1, random_state=0)
    >>> canvases, Y = composer.fit_resample(X, y)
    >>> canvases.shape, Y.shape
    ((8, 56, 56), (8, 10))
    >>> bool((Y.sum(axis=1) <= (composer.layout_ >= 0).sum(axis=1)).all())
    True
    """

    _parameter_constraints = {
        "n_samples": [Interval(Integral, 1, None, closed="left"), None],
        "min_objects": [Interval(Integral, 0, None, closed="left")],
        "max_objects": [Interval(Integral, 0, None, closed="left")],
        "grid": [tuple, list],
        "n_classes": [Interval(Integral, 1, None, closed="left")],
        "placement": [StrOptions({"grid", "anywhere"})],
        "canvas_shape": [tuple, list, None],
        "scale": [tuple, list],
        "min_gap": [Integral],
        "max_overlap": [Interval(Real, 0, 1, closed="left")],
        "clutter": [Interval(Integral, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_samples=None,
        *,
        min_objects=0,
        max_objects=4,
        grid=(2, 2),
        n_classes=10,
        placement="grid",
        canvas_shape=None,
        scale=(1.0, 1.0),
        min_gap=1,
        max_overlap=0.0,
        clutter=0,
        random_state=None,
    ):
        self.n_samples = n_samples
        self.min_objects = min_objects
        self.max_objects = max_objects
        self.grid = grid
        self.n_classes = n_classes
        self.placement = placement
        self.canvas_shape = canvas_shape
        self.scale = scale
        self.min_gap = min_gap
        self.max_overlap = max_overlap
        self.clutter = clutter
        self.random_state = random_state

    def fit(self, X, y):
        """Check the parameters, the items and their labels.

        Parameters
        ----------
        X : array-like of shape (n, h, w), (n, h, w, 1) or (n, h * w)
            Items.
        y : array-like of shape (n,)
            Integer class of each item, in ``[0, n_classes)``.

        Returns
        -------
        self : MultiObjectComposer
        """
        self._fit(X, y)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def _fit(self, X, y):
        """Validate everything once; return the (n, h, w) items and labels."""
        batch = self._fit_images(X)
        labels = check_labels(y, len(batch.images), self.n_classes)
        n_cells = int(np.prod(self.grid_))
        if self.placement == "grid" and self.max_objects > n_cells:
            raise ValueError(
                f"max_objects={self.max_objects} exceeds the {n_cells} cells "
                f"of the {self.grid_} grid (placement='anywhere' has no cells)"
            )
        rows, cols = self.grid_
        height, width = self.image_shape_
        self.canvas_shape_ = (rows * height, cols * width)
        if self.placement == "anywhere":
            if self.canvas_shape is not None:
                self.canvas_shape_ = check_pair(
                    self.canvas_shape, "canvas_shape", "(height, width)"
                )
            low, high = _check_scale(self.scale)
            self.scale_ = (low, high)
            smallest = np.maximum(1, np.rint(low * np.array(self.image_shape_)))
            if (smallest > self.canvas_shape_).any():
                raise ValueError(
                    f"canvas_shape {self.canvas_shape_} is smaller than the "
                    f"smallest item ({int(smallest[0])}x{int(smallest[1])} at "
                    f"scale {low}): make the canvas larger or the scale smaller"
                )
        if self.min_objects > self.max_objects:
            raise ValueError(
                f"min_objects={self.min_objects} exceeds max_objects={self.max_objects}"
            )
        self.classes_ = np.arange(self.n_classes)
        return batch, labels

    def fit_resample(self, X, y):
        """Compose new canvases from the items in ``X``.

        Parameters
        ----------
        X : array-like of shape (n, h, w), (n, h, w, 1) or (n, h * w)
            Items.
        y : array-like of shape (n,)
            Integer class of each item, in ``[0, n_classes)``.

        Returns
        -------
        canvases : ndarray
            ``n_samples`` canvases, with the dtype and layout of ``X``.
        Y : ndarray of shape (n_samples, n_classes), dtype uint8
            Multi-hot indicator of the classes visible on each canvas.
        """
        batch, labels = self._fit(X, y)
        rng = check_random_state(self.random_state)
        n = self.n_samples or len(batch.images)
        canvases, Y, self.sample_indices_, self.boxes_ = self.compose(
            batch.images, labels, n, rng, return_boxes=True
        )
        if self.placement == "grid":
            self.layout_ = np.where(
                self.sample_indices_ >= 0, labels[self.sample_indices_], -1
            )
        return restore_layout(canvases, batch.layout), Y

    def arrange(self, n_items: int, n: int, random_state) -> Arrangement:
        """Where items go on ``n`` canvases, without drawing them.

        Parameters
        ----------
        n_items : int
            Number of items to draw from.
        n : int
            Number of canvases.
        random_state : int, RandomState instance or None
            Source of the counts, cells and items.

        Returns
        -------
        arrangement : Arrangement
            For every placed item, its canvas, its cell (row-major) and its
            index among the ``n_items`` items.
        """
        if self.placement != "grid":
            raise ValueError(
                "arrange places items in cells: placement='anywhere' has none"
            )
        rng = check_random_state(random_state)
        n_cells = int(np.prod(self.grid_))
        counts = rng.randint(self.min_objects, self.max_objects + 1, size=n)
        # Distinct cells per canvas: a random permutation of the cells in each
        # row, of which the first ``count`` are filled.
        cell_order = np.argsort(rng.random_sample((n, n_cells)), axis=1)
        canvas_index, slot = np.nonzero(np.arange(n_cells) < counts[:, None])
        cells = cell_order[canvas_index, slot]
        sources = rng.randint(n_items, size=len(cells))
        return Arrangement(canvas_index, cells, sources)

    def compose(
        self,
        images: np.ndarray,
        labels: np.ndarray,
        n: int,
        random_state,
        *,
        return_boxes: bool = False,
    ):
        """``n`` canvases of checked (m, h, w) items, as :meth:`fit_resample`.

        Parameters
        ----------
        images : ndarray of shape (m, h, w)
            Items, as :meth:`fit` saw them.
        labels : ndarray of shape (m,)
            Their integer classes.
        n : int
            Number of canvases.
        random_state : int, RandomState instance or None
            Source of every draw.
        return_boxes : bool, default=False
            Also return each item's class and box.

        Returns
        -------
        canvases : ndarray of shape (n, height, width)
        Y : ndarray of shape (n, n_classes), dtype uint8
            Multi-hot classes.
        sample_indices : ndarray of shape (n, n_slots)
            The item in each cell (or slot), or -1.
        boxes : ndarray of shape (n, n_slots, 5), dtype int
            With ``return_boxes``: rows ``(class, x0, y0, x1, y1)``, or -1.
        """
        rng = check_random_state(random_state)
        if self.placement == "anywhere":
            result = self._compose_anywhere(images, labels, n, rng)
            return result if return_boxes else result[:3]
        n_cells = int(np.prod(self.grid_))
        canvas_index, cells, sources = self.arrange(len(images), n, rng)
        canvases = _paste(images[sources], canvas_index, cells, n, self.grid_)
        Y = np.zeros((n, self.n_classes), dtype=np.uint8)
        Y[canvas_index, labels[sources]] = 1
        sample_indices = np.full((n, n_cells), -1, dtype=np.intp)
        sample_indices[canvas_index, cells] = sources
        if not return_boxes:
            return canvases, Y, sample_indices
        from .placement import ink_boxes

        cols = self.grid_[1]
        height, width = images.shape[1:]
        origin = np.stack([cells % cols * width, cells // cols * height], axis=1)
        # each item's box once, however often it is placed (a copy of the
        # placed items cost twice the rest of the composing)
        used, where = np.unique(sources, return_inverse=True)
        ink = ink_boxes(images[used])[where]
        inked = ink[:, 2] > ink[:, 0]
        boxes = np.full((n, n_cells, 5), -1, dtype=np.intp)
        boxes[canvas_index[inked], cells[inked]] = np.concatenate(
            [labels[sources][inked, None], ink[inked] + np.tile(origin[inked], 2)],
            axis=1,
        )
        return canvases, Y, sample_indices, boxes

    def _compose_anywhere(self, images, labels, n, rng):
        """Items resized and placed anywhere: canvases, Y, slots and boxes."""
        from .placement import ink_boxes, paste_anywhere, place_boxes, resize_items

        counts = rng.randint(self.min_objects, self.max_objects + 1, size=n)
        canvas_of = np.repeat(np.arange(n), counts)
        slot = np.arange(len(canvas_of)) - np.repeat(np.cumsum(counts) - counts, counts)
        sources = rng.randint(len(images), size=len(canvas_of))
        factors = rng.uniform(*self.scale_, size=len(canvas_of))
        sizes = np.maximum(1, np.rint(factors[:, None] * images.shape[1:])).astype(int)
        groups = np.unique(sizes, axis=0)
        patches, members = [], []
        ink = np.zeros((len(canvas_of), 4), dtype=np.intp)
        for size in groups:  # one resize per size, not per item
            member = np.flatnonzero((sizes == size).all(axis=1))
            patches.append(resize_items(images[sources[member]], tuple(size)))
            ink[member] = ink_boxes(patches[-1])
            members.append(member)
        offsets, placed = place_boxes(
            ink,
            canvas_of,
            slot,
            n,
            self.canvas_shape_,
            self.min_gap,
            rng,
            max_overlap=self.max_overlap,
        )
        placed &= ink[:, 2] > ink[:, 0]  # an item without ink is not an item
        keep = [placed[m] for m in members]
        canvases = paste_anywhere(
            [p[k] for p, k in zip(patches, keep, strict=True)],
            [canvas_of[m][k] for m, k in zip(members, keep, strict=True)],
            [offsets[m][k] for m, k in zip(members, keep, strict=True)],
            n,
            self.canvas_shape_,
            images.dtype,
            ranks=[slot[m][k] for m, k in zip(members, keep, strict=True)]
            if self.max_overlap
            else None,
        )
        Y = np.zeros((n, self.n_classes), dtype=np.uint8)
        Y[canvas_of[placed], labels[sources[placed]]] = 1
        sample_indices = np.full((n, self.max_objects), -1, dtype=np.intp)
        sample_indices[canvas_of[placed], slot[placed]] = sources[placed]
        boxes = np.full((n, self.max_objects, 5), -1, dtype=np.intp)
        box = ink + np.tile(offsets, 2)
        boxes[canvas_of[placed], slot[placed]] = np.concatenate(
            [labels[sources[placed], None], box[placed]], axis=1
        )
        if self.clutter:
            canvases = _cluttered(canvases, boxes, self.clutter, rng)
        return canvases, Y, sample_indices, boxes

    def draw(
        self, images: np.ndarray, labels: np.ndarray, random_state
    ) -> tuple[np.ndarray, np.ndarray]:
        """As many fresh canvases as ``images``, and their multi-hot targets.

        The augmenter protocol's draw (see :mod:`skfashion.augment`):
        :meth:`compose` with one canvas per item.

        Parameters
        ----------
        images : ndarray of shape (n, h, w)
        labels : ndarray of shape (n,)
        random_state : int, RandomState instance or None

        Returns
        -------
        canvases : ndarray of shape (n, rows * h, cols * w)
        Y : ndarray of shape (n, n_classes), dtype uint8
        """
        canvases, Y, _ = self.compose(images, labels, len(images), random_state)
        return canvases, Y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags


def _cluttered(canvases, boxes, most, rng):
    """``canvases`` with up to ``most`` specks off the ``boxes``, and faint noise."""
    from .box_metrics import box_overlaps

    n, height, width = canvases.shape
    canvas_of = np.repeat(np.arange(n), rng.randint(0, most + 1, size=n))
    side = rng.randint(1, 7, size=(len(canvas_of), 2))  # width, height
    x = rng.randint(0, width - side[:, 0] + 1)
    y = rng.randint(0, height - side[:, 1] + 1)
    specks = np.column_stack([x, y, x + side[:, 0], y + side[:, 1]])
    # rows of -1 (no item) are boxes of no area: they overlap nothing
    overlap, _, _ = box_overlaps(specks[:, None], boxes[canvas_of, :, 1:])
    on_item = (overlap > 0).any(axis=(1, 2))
    k = np.arange(6)
    inside = (
        (k[None, :, None] < side[:, 1, None, None])
        & (k[None, None, :] < side[:, 0, None, None])
        & ~on_item[:, None, None]
    )
    where = np.broadcast_arrays(
        canvas_of[:, None, None],
        y[:, None, None] + k[None, :, None],
        x[:, None, None] + k[None, None, :],
    )
    value = np.broadcast_to(
        rng.randint(100, 256, size=(len(canvas_of), 1, 1)), inside.shape
    )
    noisy = canvases.astype(np.int16)
    share = rng.uniform(0, 0.5, size=(n, 1, 1))
    noisy += rng.randint(0, 25, size=canvases.shape, dtype=np.int16) * (
        rng.random_sample(canvases.shape) < share
    )
    noisy[tuple(w[inside] for w in where)] = value[inside]
    return np.clip(noisy, 0, 255).astype(canvases.dtype)
