"""Items as a finder cuts them from a picture, to train the network that names them.

A finder's boxes are cut from the canvas and resized to the namer's item size
(:func:`skfashion.boxes.crop_items`): an item of 18 pixels comes back
blurred, one beside another with a sliver of its neighbour, one under
another partly covered, and no box is exact. A model trained on clean
Fashion-MNIST items names such cuts less well (``strong``: 0.768 at 18
pixels against 0.939 unresized, docs/benchmarks.md). :class:`ItemCutter`
makes cuts like them from raw items and their labels, a sampler in
imbalanced-learn's style, for a single-item model to learn from (the shipped
``strong-namer``, :mod:`skfashion.zoo`).
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval

from ._images import check_images, check_labels, restore_layout
from .augment import MultiObjectComposer
from .boxes import jittered_cuts

__all__ = ["ItemCutter"]


class ItemCutter(BaseEstimator):
    """Items cut back from composites as a finder cuts what it finds.

    Each item is drawn among others on a composite of items anywhere
    (``composer``), resized, touching or covered as the composer places it,
    and cut back from its true box with each edge moved at random by
    ``jitter`` box sides, as far as a finder's boxes are off.

    Parameters
    ----------
    composer : MultiObjectComposer, default=None
        Draws the composites; its ``placement`` must be ``"anywhere"``.
        ``None``: 128x128 canvases of 1 to 6 items resized 0.5 to 2.4 times
        (14 to 67 pixels for Fashion-MNIST's), which may touch or cover up to
        30% of each other.
    n_samples : int, default=None
        Number of cuts; ``None`` makes one per input item.
    jitter : float, default=0.04
        Standard deviation of each edge's shift, in box sides.
    random_state : int, RandomState instance or None, default=None
        Seeds the composites and the jitter.

    Attributes
    ----------
    composer_ : MultiObjectComposer
        The fitted composer.
    image_shape_ : tuple of (int, int)
        Height and width of the items, and of the cuts.
    n_features_in_ : int
        Pixels per item.

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.cuts import ItemCutter
    >>> X = np.zeros((4, 28, 28), np.uint8)
    >>> X[:, 4:24, 8:20] = 200
    >>> cuts, labels = ItemCutter(n_samples=6, random_state=0).fit_resample(
    ...     X, [0, 1, 2, 3])
    >>> cuts.shape, cuts.dtype, labels.shape
    ((6, 28, 28), dtype('uint8'), (6,))
    """

    _parameter_constraints = {
        "composer": [HasMethods(["compose"]), None],
        "n_samples": [Interval(Integral, 1, None, closed="left"), None],
        "jitter": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self, composer=None, *, n_samples=None, jitter=0.04, random_state=None
    ):
        self.composer = composer
        self.n_samples = n_samples
        self.jitter = jitter
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_resample(self, X, y):
        """Cut ``n_samples`` items from fresh composites of the items ``X``.

        Parameters
        ----------
        X : array-like of shape (n, h, w), (n, h, w, 1) or (n, h * w)
            Items, light on black.
        y : array-like of shape (n,)
            Integer class of each item, in ``[0, composer.n_classes)``.

        Returns
        -------
        cuts : ndarray
            ``n_samples`` cuts of the items' shape, with the dtype and layout
            of ``X``.
        labels : ndarray of shape (n_samples,)
            The class of each cut.
        """
        composer = self.composer
        if composer is None:
            composer = MultiObjectComposer(
                placement="anywhere",
                canvas_shape=(128, 128),
                scale=(0.5, 2.4),
                min_objects=1,
                max_objects=6,
                min_gap=0,
                max_overlap=0.3,
            )
        if composer.placement != "anywhere":
            raise ValueError(
                "ItemCutter cuts items from composites of items anywhere: give "
                "it composer=MultiObjectComposer(placement='anywhere', ...)"
            )
        batch = check_images(X)
        items = batch.images
        labels = check_labels(y, len(items), composer.n_classes)
        self.composer_ = clone(composer).fit(items, labels)
        self.image_shape_ = items.shape[1:]
        self.n_features_in_ = items[0].size
        rng = check_random_state(self.random_state)
        n = self.n_samples or len(items)
        per_canvas = max((composer.min_objects + composer.max_objects) / 2, 0.5)
        cuts, classes, made = [], [], 0
        while made < n:  # a few thousand composites at a time, not one per item
            wanted = min(4096, int(np.ceil((n - made) / per_canvas * 1.1)) + 1)
            canvases, _, _, boxes = self.composer_.compose(
                items, labels, wanted, rng, return_boxes=True
            )
            canvas, slot = np.nonzero(boxes[..., 0] >= 0)
            cut = jittered_cuts(
                canvases,
                canvas,
                boxes[canvas, slot, 1:5],
                self.image_shape_,
                rng,
                jitter=self.jitter,
            )
            cuts.append(cut[: n - made])
            classes.append(boxes[canvas, slot, 0][: n - made])
            made += len(cuts[-1])
        cuts = np.concatenate(cuts)
        if np.issubdtype(items.dtype, np.integer):
            info = np.iinfo(items.dtype)
            cuts = np.clip(np.rint(cuts), info.min, info.max)
        cuts = restore_layout(cuts.astype(items.dtype), batch.layout)
        return cuts, np.concatenate(classes).astype(labels.dtype)
