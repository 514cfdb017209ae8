"""Items anywhere on a canvas: sizes, positions and the boxes of their ink.

What :class:`~skfashion.augment.MultiObjectComposer` does with
``placement="anywhere"``, as functions of numpy arrays. Everything is
vectorised: items are resized a size at a time (one matrix product per
size, not per item), and positions are drawn for every canvas at once,
redrawn only where they break the spacing rule.

A **box** is ``(x0, y0, x1, y1)`` in canvas pixels, ends exclusive: the
tight box around an item's non-zero pixels.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "ink_boxes",
    "paste_anywhere",
    "place_boxes",
    "resize_items",
    "separation",
    "shared_area",
    "span_weights",
]


def span_weights(start: np.ndarray, side: np.ndarray, n_in: int, n_out: int):
    """(m, n_out, n_in) weights resampling ``[start, start + side)`` to n_out.

    Shrinking averages the input pixels each output pixel covers (a box
    filter); enlarging interpolates linearly. Pixels outside ``[0, n_in)``
    are black.
    """
    step = (side / n_out)[:, None, None]
    k = np.arange(n_out)[None, :, None]
    pixels = np.arange(n_in)[None, None, :]
    lo = start[:, None, None] + k * step
    cover = np.clip(np.minimum(lo + step, pixels + 1) - np.maximum(lo, pixels), 0, None)
    shrinking = cover / step
    centres = lo + step / 2 - 0.5
    enlarging = np.clip(1 - np.abs(centres - pixels), 0, None)
    return np.where(step >= 1, shrinking, enlarging).astype(np.float32)


def _interpolation(n_out: int, n_in: int) -> np.ndarray:
    """(n_out, n_in) weights resampling a whole side, the edges' weight kept."""
    weights = span_weights(np.zeros(1), np.array([float(n_in)]), n_in, n_out)[0]
    return weights / weights.sum(axis=1, keepdims=True)


def resize_items(items: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """(n, h, w) items resized to ``shape``, in their dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.placement import resize_items
    >>> resize_items(np.full((2, 4, 4), 200, np.uint8), (6, 3)).shape
    (2, 6, 3)
    """
    rows = _interpolation(shape[0], items.shape[1]).astype(np.float32)
    cols = _interpolation(shape[1], items.shape[2]).astype(np.float32)
    resized = rows @ items.astype(np.float32) @ cols.T  # two matrix products
    if items.dtype.kind in "iu":
        return np.clip(np.rint(resized), 0, 255).astype(items.dtype)
    return resized.astype(items.dtype)


def ink_boxes(images: np.ndarray) -> np.ndarray:
    """(n, 4) tight boxes ``(x0, y0, x1, y1)`` of each image's non-zero pixels.

    An image without ink gets ``(0, 0, 0, 0)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.placement import ink_boxes
    >>> image = np.zeros((1, 5, 6), np.uint8)
    >>> image[0, 1:3, 2:5] = 9
    >>> ink_boxes(image).tolist()
    [[2, 1, 5, 3]]
    """
    rows, cols = images.any(axis=2), images.any(axis=1)
    inked = rows.any(axis=1)

    def span(mask):
        first = mask.argmax(axis=1)
        last = mask.shape[1] - mask[:, ::-1].argmax(axis=1)
        return np.where(inked, first, 0), np.where(inked, last, 0)

    (y0, y1), (x0, x1) = span(rows), span(cols)
    return np.stack([x0, y0, x1, y1], axis=1).astype(np.intp)


def separation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pixels between boxes ``a`` and ``b`` (negative: how deep they overlap).

    The larger of the horizontal and vertical gaps: boxes that touch are 0
    apart, boxes that share a column of pixels are -1 apart. Broadcasts over
    leading axes of (..., 4) boxes.
    """
    gap_x = np.maximum(a[..., 0] - b[..., 2], b[..., 0] - a[..., 2])
    gap_y = np.maximum(a[..., 1] - b[..., 3], b[..., 1] - a[..., 3])
    return np.maximum(gap_x, gap_y)


def shared_area(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The area boxes ``a`` and ``b`` share, as a share of the smaller one's.

    Broadcasts over leading axes of (..., 4) boxes; 0 where either is empty.
    """
    from .box_metrics import box_overlaps

    pairs = box_overlaps(np.asarray(a)[..., None, :], np.asarray(b)[..., None, :])
    inter, area_a, area_b = (values[..., 0, 0] for values in pairs)
    smaller = np.minimum(area_a, area_b)
    return np.divide(inter, smaller, out=np.zeros(inter.shape), where=smaller > 0)


def place_boxes(
    ink: np.ndarray,
    canvas_of: np.ndarray,
    slot: np.ndarray,
    n_canvases: int,
    canvas_shape: tuple[int, int],
    min_gap: int,
    rng: np.random.RandomState,
    *,
    max_overlap: float = 0.0,
    tries: int = 30,
) -> tuple[np.ndarray, np.ndarray]:
    """Offsets that put each ink box inside its canvas, apart from the others.

    Item ``i`` (ink box ``ink[i]`` in its own patch) goes on canvas
    ``canvas_of[i]`` as the ``slot[i]``-th item there. Slot by slot, every
    canvas draws a position at once; positions closer than ``min_gap`` to an
    item already placed are drawn again, at most ``tries`` times, then the
    item is left out. With ``max_overlap`` above 0, a box may instead overlap
    the others by up to that share of the smaller box (:func:`shared_area`).

    Returns
    -------
    offsets : ndarray of shape (m, 2)
        ``(x, y)`` of each patch's top-left corner on its canvas.
    placed : ndarray of shape (m,), dtype bool
        Whether the item found a place.
    """
    height, width = canvas_shape
    m = len(ink)
    offsets = np.zeros((m, 2), dtype=np.intp)
    placed = np.zeros(m, dtype=bool)
    n_slots = int(slot.max()) + 1 if m else 0
    # the boxes placed so far on each canvas, by slot; empty ones never clash
    taken = np.full((n_canvases, max(n_slots, 1), 4), -(10**6), dtype=np.intp)
    low = -ink[:, :2]
    high = np.array([width, height]) - ink[:, 2:]
    fits = (high >= low).all(axis=1)  # an item larger than the canvas never fits
    for k in range(n_slots):
        waiting = np.flatnonzero((slot == k) & fits)
        for _ in range(tries):
            if not len(waiting):
                break
            offset = low[waiting] + (
                rng.random_sample((len(waiting), 2))
                * (high[waiting] - low[waiting] + 1)
            ).astype(np.intp)
            box = ink[waiting] + np.concatenate([offset, offset], axis=1)
            others = taken[canvas_of[waiting], :k]
            clear = separation(box[:, None], others) >= min_gap
            if max_overlap:
                clear |= shared_area(box[:, None], others) <= max_overlap
            clear = clear.all(axis=1)
            done = waiting[clear]
            offsets[done] = offset[clear]
            placed[done] = True
            taken[canvas_of[done], k] = box[clear]
            waiting = waiting[~clear]
    return offsets, placed


def paste_anywhere(
    patches: list[np.ndarray],
    canvas_of: list[np.ndarray],
    offsets: list[np.ndarray],
    n_canvases: int,
    canvas_shape: tuple[int, int],
    dtype,
    *,
    ranks: list[np.ndarray] | None = None,
) -> np.ndarray:
    """Black canvases with each group of same-size ``patches`` pasted on them.

    Where patches overlap, the brighter pixel wins; with ``ranks`` (each
    patch's place in the order of drawing, by group), patches are drawn rank
    by rank, each one's ink covering what it lies on, as a later item covers
    an earlier one in a photo. A patch's black margin may lie outside the
    canvas (its ink never does).
    """
    height, width = canvas_shape
    margin = max((max(p.shape[1:]) for p in patches if len(p)), default=0)
    canvas = np.zeros((n_canvases, height + 2 * margin, width + 2 * margin), dtype)

    def pixels(canvases, x, y, shape):  # each patch's pixels on its canvas
        rows = (y + margin)[:, None, None] + np.arange(shape[0])[None, :, None]
        cols = (x + margin)[:, None, None] + np.arange(shape[1])[None, None, :]
        return canvases[:, None, None], rows, cols

    groups = list(zip(patches, canvas_of, (o.T for o in offsets), strict=True))
    if ranks is None:  # the brighter pixel wins: the order does not matter
        for group, canvases, (x, y) in groups:
            if len(group):
                where = pixels(canvases, x, y, group.shape[1:])
                np.maximum.at(canvas, where, group)
    else:  # rank by rank, then by group: no loop per item
        every = np.concatenate([np.ravel(r) for r in ranks] + [np.zeros(0, int)])
        for rank in np.unique(every):
            for (group, canvases, (x, y)), now in zip(groups, ranks, strict=True):
                now = now == rank  # at most one patch of a rank on a canvas
                if now.any():
                    where = pixels(canvases[now], x[now], y[now], group.shape[1:])
                    ink = group[now]
                    canvas[where] = np.where(ink > 0, ink, canvas[where])
    return canvas[:, margin : margin + height, margin : margin + width]
