"""Boxes of items, as numpy arrays: the finder's targets, its peaks, the cuts.

The numpy half of the ``"anywhere"`` head (:mod:`skfashion.heads.anywhere`);
the networks and losses that learn from it are in :mod:`skfashion.anywhere`.
Nothing here needs Keras: boxes are decoded and cut, and :func:`find_items`
runs any network (a Keras one or its export) through
:func:`~skfashion.forward.predict_in_batches`.

A **box** is ``(x0, y0, x1, y1)`` in canvas pixels, ends exclusive; rows of
true items are ``(class, x0, y0, x1, y1)``, -1 where a slot is empty
(:attr:`MultiObjectComposer.boxes_ <skfashion.augment.MultiObjectComposer>`).
The finder's **maps** have, at every ``stride``-th pixel, the probability of
an item's centre there and the log-distances to its box's four edges.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .placement import resize_items, span_weights

__all__ = [
    "box_targets",
    "count_items",
    "crop_items",
    "decode_boxes",
    "find_items",
    "jittered_cuts",
    "mean_namer",
    "suppress_overlaps",
    "training_batch",
]


def box_targets(
    boxes: np.ndarray, map_shape: tuple[int, int], stride: int
) -> np.ndarray:
    """The maps the finder learns, from true boxes.

    Parameters
    ----------
    boxes : ndarray of shape (n, slots, 5)
        Rows ``(class, x0, y0, x1, y1)`` of each canvas, or -1 where no item
        is (:attr:`MultiObjectComposer.boxes_
        <skfashion.augment.MultiObjectComposer>`).
    map_shape : tuple of (int, int)
        Height and width of the finder's maps.
    stride : int
        Canvas pixels per map pixel.

    Returns
    -------
    targets : ndarray of shape (n, h', w', 6), float32
        Channel 0: a Gaussian bump of height 1 on each item's centre (the map
        pixel holding the box's centre), as wide as a sixth of the box's
        smaller side; 1 to 4: the log-distances, in strides, from that
        pixel's centre to the box's left, top, right and bottom edges; 5: 1
        on the centres, else 0.

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.boxes import box_targets
    >>> boxes = np.array([[[3, 4, 8, 28, 24], [-1, -1, -1, -1, -1]]])
    >>> maps = box_targets(boxes, (8, 8), 4)
    >>> np.argwhere(maps[0, ..., 5] == 1).tolist()  # the centre: (16, 16) px
    [[4, 4]]
    >>> np.round(np.exp(maps[0, 4, 4, 1:5]) * 4, 1).tolist()  # left, top, ...
    [14.0, 10.0, 10.0, 6.0]
    """
    n = len(boxes)
    height, width = map_shape
    targets = np.zeros((n, height, width, 6), np.float32)
    valid = boxes[..., 0] >= 0
    canvas, slot = np.nonzero(valid)
    if not len(canvas):
        return targets
    x0, y0, x1, y1 = boxes[canvas, slot, 1:5].T.astype(np.float32)
    col = np.clip(((x0 + x1) / 2 // stride).astype(int), 0, width - 1)
    row = np.clip(((y0 + y1) / 2 // stride).astype(int), 0, height - 1)
    sigma = np.maximum(np.minimum(x1 - x0, y1 - y0) / (6 * stride), 0.5)
    across = np.exp(
        -((np.arange(width) - col[:, None]) ** 2) / (2 * sigma[:, None] ** 2)
    )
    down = np.exp(
        -((np.arange(height) - row[:, None]) ** 2) / (2 * sigma[:, None] ** 2)
    )
    bumps = down[:, :, None] * across[:, None, :]  # (m, h', w')
    np.maximum.at(targets[..., 0], canvas, bumps.astype(np.float32))
    centre_x, centre_y = (col + 0.5) * stride, (row + 0.5) * stride
    reach = np.stack([centre_x - x0, centre_y - y0, x1 - centre_x, y1 - centre_y], 1)
    targets[canvas, row, col, 1:5] = np.log(np.maximum(reach, 0.5) / stride)
    targets[canvas, row, col, 5] = 1.0
    return targets


def _peaks(heat: np.ndarray) -> np.ndarray:
    """Where ``heat`` (n, h, w) is the largest of its 3x3 neighbourhood."""
    padded = np.pad(heat, ((0, 0), (1, 1), (1, 1)), constant_values=-np.inf)
    h, w = heat.shape[1:]
    neighbours = np.max(
        [padded[:, i : i + h, j : j + w] for i in range(3) for j in range(3)], axis=0
    )
    return heat >= neighbours


def count_items(maps: np.ndarray, thresholds) -> np.ndarray:
    """(n, k) items :func:`decode_boxes` finds on each canvas, at each threshold.

    Parameters
    ----------
    maps : ndarray of shape (n, h', w', 5)
        The finder's outputs.
    thresholds : array-like of shape (k,)
        Smallest centre probabilities of an item.

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.boxes import count_items
    >>> maps = np.zeros((1, 5, 5, 5))
    >>> maps[0, 1, 1, 0], maps[0, 3, 3, 0] = 0.9, 0.4
    >>> count_items(maps, [0.3, 0.5]).tolist()
    [[2, 1]]
    """
    heat = maps[..., 0]
    peaks = np.where(_peaks(heat), heat, -np.inf).reshape(len(heat), -1)
    return (peaks[:, :, None] >= np.asarray(thresholds)).sum(axis=1)


def decode_boxes(
    maps: np.ndarray, stride: int, threshold: float, *, max_items: int = 100
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The items in the finder's maps: peaks of the centres at ``threshold`` on.

    Parameters
    ----------
    maps : ndarray of shape (n, h', w', 5)
        The finder's outputs.
    stride : int
        Canvas pixels per map pixel.
    threshold : float
        Smallest centre probability of an item.
    max_items : int, default=100
        Most items per canvas (the likeliest).

    Returns
    -------
    canvas : ndarray of shape (m,), dtype int
        The canvas of each item.
    boxes : ndarray of shape (m, 4), float
        ``(x0, y0, x1, y1)`` in canvas pixels (not clipped to the canvas).
    scores : ndarray of shape (m,)
        Centre probabilities.
    """
    heat = maps[..., 0]
    canvas, row, col = np.nonzero(_peaks(heat) & (heat >= threshold))
    scores = heat[canvas, row, col]
    order = np.lexsort((-scores, canvas))  # by canvas, likeliest first
    canvas, row, col, scores = canvas[order], row[order], col[order], scores[order]
    rank = np.arange(len(canvas)) - np.searchsorted(canvas, canvas)
    keep = rank < max_items
    canvas, row, col, scores = canvas[keep], row[keep], col[keep], scores[keep]
    reach = np.exp(maps[canvas, row, col, 1:5].astype(np.float64)) * stride
    centre_x, centre_y = (col + 0.5) * stride, (row + 0.5) * stride
    boxes = np.stack(
        [
            centre_x - reach[:, 0],
            centre_y - reach[:, 1],
            centre_x + reach[:, 2],
            centre_y + reach[:, 3],
        ],
        axis=1,
    )
    return canvas, boxes, scores


def crop_items(
    canvases: np.ndarray,
    canvas: np.ndarray,
    boxes: np.ndarray,
    item_shape: tuple[int, int],
    *,
    chunk: int = 256,
) -> np.ndarray:
    """Each box cut from its canvas as a square around its centre, resized.

    The square's side is the box's longer side, as Fashion-MNIST frames its
    items (the longer side fills the picture, the item centred), so a found
    item looks to the base as the items it learned.

    Parameters
    ----------
    canvases : ndarray of shape (n, h, w)
        Pixels in [0, 255].
    canvas : ndarray of shape (m,), dtype int
        The canvas of each box.
    boxes : ndarray of shape (m, 4)
        ``(x0, y0, x1, y1)`` in canvas pixels.
    item_shape : tuple of (int, int)
        Height and width of the crops.
    chunk : int, default=256
        Crops made at once (bounds the memory used).

    Returns
    -------
    crops : ndarray of shape (m, h, w), float32
        ``(h, w)`` is ``item_shape``.

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.boxes import crop_items
    >>> canvases = np.zeros((1, 40, 40), np.float32)
    >>> canvases[0, 10:20, 5:25] = 255  # a bar 20 wide, 10 high
    >>> box = np.array([[5, 10, 25, 20]])
    >>> crop_items(canvases, np.array([0]), box, (4, 4))[0].astype(int)
    array([[  0,   0,   0,   0],
           [255, 255, 255, 255],
           [255, 255, 255, 255],
           [  0,   0,   0,   0]])
    """
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    side = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    side = np.maximum(side, 1.0)
    start = np.stack([boxes[:, 1] + boxes[:, 3], boxes[:, 0] + boxes[:, 2]], 1)
    start = (start - side[:, None]) / 2  # (y, x) of each square's corner
    # Each square is cut from a window of the canvas around it, not from the
    # whole canvas: one pixel more on each side (enlarging interpolates with
    # the pixels beside), no larger than the canvas (beyond it all is black).
    # The windows of a chunk are as large as its largest square's, so the
    # smallest squares come first and a chunk holds at most `chunk` crops and
    # about 4 M pixels of windows.
    order = np.argsort(side, kind="stable")
    reach = np.ceil(side[order]).astype(np.intp) + 3
    size = np.array(canvases.shape[1:])
    crops = np.zeros((len(boxes), *item_shape), np.float32)
    first = 0
    while first < len(boxes):
        taken = np.arange(1, min(chunk, len(boxes) - first) + 1)
        fits = taken * reach[first + taken - 1] ** 2 <= 1 << 22
        count = max(1, int(np.count_nonzero(fits)))
        part = order[first : first + count]
        window = np.minimum(reach[first + count - 1], size)
        first += count
        origin = np.floor(start[part]).astype(np.intp) - 1
        origin = np.clip(origin, 0, size - window)
        local = start[part] - origin  # the squares' corners in their windows
        rows, cols = (
            span_weights(local[:, axis], side[part], window[axis], n)
            for axis, n in enumerate(item_shape)
        )
        images = sliding_window_view(canvases, tuple(window), axis=(1, 2))
        images = images[canvas[part], origin[:, 0], origin[:, 1]]
        crops[part] = rows @ images.astype(np.float32) @ cols.transpose(0, 2, 1)
    return crops


def jittered_cuts(
    canvases: np.ndarray,
    canvas: np.ndarray,
    boxes: np.ndarray,
    item_shape: tuple[int, int],
    rng: np.random.RandomState,
    *,
    jitter: float = 0.04,
) -> np.ndarray:
    """True boxes cut as a finder would cut them: each edge moved at random.

    Parameters
    ----------
    canvases : ndarray of shape (n, h, w)
        Pixels in [0, 255].
    canvas : ndarray of shape (m,), dtype int
        The canvas of each box.
    boxes : ndarray of shape (m, 4)
        True boxes ``(x0, y0, x1, y1)``.
    item_shape : tuple of (int, int)
        Height and width of the cuts.
    rng : RandomState
        Source of the jitter.
    jitter : float, default=0.04
        Standard deviation of each edge's shift, in box sides (found boxes
        are as far off).

    Returns
    -------
    cuts : ndarray of shape (m, h, w), float32
        As :func:`crop_items` cuts them.
    """
    found = np.asarray(boxes, np.float64).reshape(-1, 4)
    sides = np.maximum(found[:, 2] - found[:, 0], found[:, 3] - found[:, 1])
    found = found + rng.normal(0, jitter, found.shape) * sides[:, None]
    return crop_items(canvases, canvas, found, item_shape)


def training_batch(
    canvases: np.ndarray,
    boxes: np.ndarray,
    *,
    stride: int,
    item_shape: tuple[int, int],
    rng: np.random.RandomState,
    jitter: float = 0.04,
) -> tuple[dict, dict]:
    """Inputs and targets of :func:`build_anywhere_network` for composites.

    Parameters
    ----------
    canvases : ndarray of shape (n, h, w)
        Composites, pixels in [0, 255].
    boxes : ndarray of shape (n, slots, 5)
        Their items, rows ``(class, x0, y0, x1, y1)`` or -1.
    stride : int
        Canvas pixels per pixel of the finder's maps.
    item_shape : tuple of (int, int)
        Height and width of the namer's items.
    rng : RandomState
        Source of the jitter.
    jitter : float, default=0.04
        Standard deviation of each edge's shift, in box sides, of the boxes
        the items are cut from (found boxes are as far off).

    Returns
    -------
    inputs : dict
        ``canvases`` (n, h, w, 1) and ``items`` (n, slots, ih, iw, 1).
    targets : dict
        ``maps`` (:func:`box_targets`) and ``names`` (n, slots), -1 where no
        item is.
    """
    n, slots = boxes.shape[:2]
    map_shape = (-(-canvases.shape[1] // stride), -(-canvases.shape[2] // stride))
    canvas, slot = np.nonzero(boxes[..., 0] >= 0)
    items = np.zeros((n, slots, *item_shape), np.float32)
    items[canvas, slot] = jittered_cuts(
        canvases, canvas, boxes[canvas, slot, 1:5], item_shape, rng, jitter=jitter
    )
    inputs = {"canvases": canvases[..., np.newaxis], "items": items[..., np.newaxis]}
    targets = {"maps": box_targets(boxes, map_shape, stride), "names": boxes[..., 0]}
    return inputs, targets


def suppress_overlaps(
    canvas: np.ndarray,
    boxes: np.ndarray,
    scores: np.ndarray,
    *,
    iou: float = 0.5,
    groups: np.ndarray | None = None,
    within: float = 1.0,
) -> np.ndarray:
    """Which boxes to keep: of boxes overlapping by ``iou`` or more, the likeliest.

    Greedy non-maximum suppression on each canvas, all canvases at once.

    Parameters
    ----------
    canvas : ndarray of shape (m,), dtype int
        The canvas of each box.
    boxes : ndarray of shape (m, 4)
        ``(x0, y0, x1, y1)``.
    scores : ndarray of shape (m,)
        The likelier of two overlapping boxes is kept.
    iou : float, default=0.5
        Intersection over union from which two boxes are one item.
    groups : ndarray of shape (m,), default=None
        The group of each box (the scale it was found at, say).
    within : float, default=1.0
        With ``groups``: two boxes of different groups are also one item when
        this share of the smaller one lies inside the other (the finder's box
        of a part of an item too large for its scale, say). 1: never.

    Returns
    -------
    keep : ndarray of shape (m,), dtype bool

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.boxes import suppress_overlaps
    >>> boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]])
    >>> suppress_overlaps(np.zeros(3, int), boxes, np.array([0.5, 0.9, 0.2])).tolist()
    [False, True, True]
    """
    from .box_metrics import box_overlaps

    canvas, boxes = np.asarray(canvas), np.asarray(boxes, np.float64).reshape(-1, 4)
    keep = np.zeros(len(canvas), bool)
    if not len(canvas):
        return keep
    order = np.lexsort((-np.asarray(scores), canvas))  # by canvas, likeliest first
    ranked = canvas[order]
    rank = np.arange(len(ranked)) - np.searchsorted(ranked, ranked)
    first, slot = np.unique(ranked, return_inverse=True)
    padded = np.full((len(first), rank.max() + 1, 4), np.nan)  # (canvases, slots)
    padded[slot, rank] = boxes[order]
    inter, area, other = box_overlaps(padded, padded)
    union = area + other - inter
    overlaps = (inter >= iou * union) & (union > 0)
    if groups is not None and within < 1:
        group = np.full(padded.shape[:2], -1)
        group[slot, rank] = np.asarray(groups)[order]
        smaller = np.minimum(area, other)
        across = group[:, :, None] != group[:, None, :]
        overlaps |= (inter >= within * smaller) & (smaller > 0) & across
    alive = ~np.isnan(padded[..., 0])
    later = np.triu(np.ones(overlaps.shape[1:], bool), 1)
    for j in range(padded.shape[1]):  # the j-th likeliest of every canvas
        alive &= ~(alive[:, j, None] & overlaps[:, j] & later[j])
    keep[order] = alive[slot, rank]
    return keep


def mean_namer(models, classes):
    """A namer of cut items: the mean of fitted models' class probabilities.

    For :func:`find_items`, or any caller that names cut items by several
    models of one item at once (the default reader: :mod:`skfashion.reading`).

    Parameters
    ----------
    models : fitted model or sequence of fitted models
        Anything with ``classes_`` and ``predict_proba`` that takes ``(m, h,
        w)`` ``uint8`` items: a :class:`~skfashion.models.CNNClassifier`, an
        :class:`~skfashion.exported.ExportedModel`, a pipeline ending in one.
    classes : array-like
        The classes the namer must name, in this order.

    Returns
    -------
    namer : callable
        ``namer(items)``: an ``(m, len(classes))`` array, the mean of the
        models' ``predict_proba(items)``.

    Raises
    ------
    ValueError
        If ``models`` is empty, or a model's ``classes_`` are not ``classes``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> items, y = np.zeros((4, 28, 28), np.uint8), np.array([0, 1, 1, 1])
    >>> models = [DummyClassifier().fit(items, y), DummyClassifier().fit(items, 1 - y)]
    >>> namer = mean_namer(models, classes=[0, 1])
    >>> namer(items[:1])
    array([[0.5, 0.5]])
    """
    models = list(models) if isinstance(models, list | tuple) else [models]
    classes = np.asarray(classes)
    if not models:
        raise ValueError("namers is empty: give fitted models of one item, or None")
    for model in models:
        theirs = getattr(model, "classes_", None)
        if theirs is None or not np.array_equal(np.asarray(theirs), classes):
            raise ValueError(
                f"namers must name the classes {classes.tolist()}, in order: "
                f"{type(model).__name__} names {theirs!r}; give models fitted "
                "on the same labels"
            )

    def namer(items):
        if not len(items):
            return np.zeros((0, len(classes)), np.float32)
        return sum(model.predict_proba(items) for model in models) / len(models)

    return namer


def find_items(
    finder,
    namer,
    canvases: np.ndarray,
    *,
    stride: int,
    item_shape: tuple[int, int],
    threshold: float,
    flip: bool | float = False,
    batch_size: int = 64,
    scales=(1.0,),
    sizes: tuple[float, float] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Find and name the items on canvases of one size.

    Parameters
    ----------
    finder : keras.Model or OnnxNetwork
        From :func:`~skfashion.anywhere.build_finder_network` (or its export).
    namer : keras.Model, OnnxNetwork or callable
        Names one item: ``item_shape`` pixels in, class probabilities out.
        A network (anything with ``predict_on_batch``) is given the crops as
        ``(m, h, w, 1)`` floats; any other callable the crops as ``(m, h, w)``
        ``uint8`` pixels, as a fitted model's ``predict_proba`` takes them.
    canvases : ndarray of shape (n, h, w)
        Pixels in [0, 255], black background.
    stride, item_shape, threshold
        As in :func:`decode_boxes` and :func:`crop_items`.
    flip : bool or float, default=False
        Name each item as the mean of the network's probabilities for it and
        its mirror image (for a namer trained with flips; a callable namer
        flips as it chooses); a number: only the items whose largest
        probability is below it (``mirror`` of
        :func:`~skfashion.forward.predict_in_batches`).
    batch_size : int, default=64
        Canvases per step of the finder.
    scales : sequence of float, default=(1.0,)
        The finder reads the canvases resized by each (a pyramid), so that
        items larger or smaller than it learned are read at a size it knows.
    sizes : tuple of (float, float), default=None
        The longer sides, in pixels, of the items the finder learned: at each
        scale only boxes of those sizes are kept (the largest scale keeps the
        smaller ones too, the smallest the larger), then of boxes found at
        several scales the likeliest (:func:`suppress_overlaps`). Needed with
        more than one scale.

    Returns
    -------
    canvas : ndarray of shape (m,), dtype int
        The canvas of each item found, in order, likeliest first on each.
    boxes : ndarray of shape (m, 4)
        Boxes clipped to the canvas.
    scores : ndarray of shape (m,)
        The centre's probability times the class's.
    proba : ndarray of shape (m, n_classes)
        The namer's probabilities of each item.
    """
    from .forward import predict_in_batches

    height, width = canvases.shape[1:]
    scales = sorted(float(s) for s in scales)
    if len(scales) > 1 and sizes is None:
        raise ValueError("find_items reads several scales only with the sizes learned")
    found = []
    for scale in scales:
        shape = (max(1, round(height * scale)), max(1, round(width * scale)))
        if scale != scales[-1] and min(shape) < sizes[0]:
            continue  # no item of the sizes learned fits: nothing to read
        scaled = canvases if shape == (height, width) else resize_items(canvases, shape)
        canvas, boxes, centre = _find_at_one_scale(
            finder, scaled, stride, threshold, batch_size
        )
        boxes = boxes * np.tile([width / shape[1], height / shape[0]], 2)
        if len(scales) > 1:  # the sizes this scale reads
            side = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
            fits = _reads(scales, scales.index(scale), side * scale, sizes)
            canvas, boxes, centre = canvas[fits], boxes[fits], centre[fits]
        found.append((canvas, boxes, centre, np.full(len(canvas), scale)))
    canvas, boxes, centre, at = (
        np.concatenate(parts) for parts in zip(*found, strict=True)
    )
    if len(scales) > 1:
        keep = suppress_overlaps(canvas, boxes, centre, groups=at, within=_WITHIN)
        canvas, boxes, centre = canvas[keep], boxes[keep], centre[keep]
    boxes = np.clip(boxes, 0, [width, height, width, height])
    crops = crop_items(canvases, canvas, boxes, item_shape)
    if hasattr(namer, "predict_on_batch"):
        proba = predict_in_batches(namer, crops[..., None], mirror=flip)
    else:
        proba = np.asarray(namer(np.clip(crops, 0, 255).round().astype(np.uint8)))
    scores = centre * proba.max(axis=1)
    order = np.lexsort((-scores, canvas))
    return canvas[order], boxes[order], scores[order], proba[order]


#: Of two boxes found at two scales, one ``_WITHIN`` inside the other (its
#: intersection over the smaller box) is one item; and each scale keeps boxes
#: up to ``_MARGIN`` times past the sizes it reads, so that an item at the
#: border of two scales' sizes is found by one of them (chosen on 300 canvases
#: of each size, drawn as benchmarks/bench_anywhere.py draws them).
_WITHIN, _MARGIN = 0.6, 1.1


def _reads(scales, k, side, sizes) -> np.ndarray:
    """Which boxes of ``side`` pixels, found at ``scales[k]``, that scale reads.

    Each scale reads the items it brings to the learned sizes that no smaller
    scale does (the finder's boxes of items larger than it learned are too
    small, of their parts): the largest scale all smaller ones, the smallest
    all larger ones.
    """
    fits = np.ones(len(side), bool)
    if k < len(scales) - 1:
        fits &= side >= sizes[0] / _MARGIN
    if k > 0:
        fits &= side < min(sizes[1], sizes[0] * scales[k] / scales[k - 1]) * _MARGIN
    return fits


def _find_at_one_scale(finder, canvases, stride, threshold, batch_size):
    """:func:`decode_boxes` of the finder's maps of ``canvases``, padded."""
    from .forward import predict_in_batches

    height, width = canvases.shape[1:]
    # the finder's maps halve twice more: whole multiples of 2 strides, the
    # pixels as they are (uint8: each batch becomes floats in the network)
    step = 2 * stride
    shape = (len(canvases), -(-height // step) * step, -(-width // step) * step)
    padded = canvases
    if shape != canvases.shape:
        padded = np.zeros(shape, canvases.dtype)
        padded[:, :height, :width] = canvases
    maps = predict_in_batches(finder, padded[..., None], batch_size=batch_size)
    return decode_boxes(maps, stride, threshold)
