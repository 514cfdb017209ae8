"""Pictures a user brings (PNG, JPEG, any size or colour) as the model sees them.

Fashion-MNIST items are light on a black background and fill a 28x28 box;
product photos are usually dark on white. :func:`item_from_picture` turns
one into the other; :func:`canvas_from_picture` keeps the whole picture as a
canvas for a multi-label model, and :func:`items_canvas_from_picture` scales
it so that its items have the size a model of items anywhere learned.
:func:`count_shapes` counts the separate shapes of ink in a picture (a
picture read as one item must hold one). Pillow (the ``plot`` extra) reads
the files.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from pathlib import Path

import numpy as np

__all__ = [
    "NoItemError",
    "NotAPictureError",
    "PictureTooLargeError",
    "canvas_from_picture",
    "count_shapes",
    "cut_items",
    "decode",
    "item_from_picture",
    "items_canvas_from_picture",
]


MAX_SIDE = 1024  # pictures are reduced to this while decoded
#: Most pixels of a picture whose format is decoded whole before it is
#: reduced (all but JPEG, whose decoder reduces it): 16-bit pixels, decoded
#: and converted, take about 10 bytes each.
MAX_PIXELS = 50_000_000
#: Most bytes of a picture's file (a 50-megapixel photo is 5 to 30 MB).
MAX_BYTES = 100_000_000


class NoItemError(ValueError):
    """A picture in which no item stands out from the background."""


class NotAPictureError(ValueError):
    """A file that is not a picture Pillow reads, or a damaged one."""


class PictureTooLargeError(ValueError):
    """A picture beyond :data:`MAX_BYTES` or :data:`MAX_PIXELS`."""


def decode(path):
    """Decode a picture file once, at most ``MAX_SIDE`` pixels a side.

    JPEG files are reduced by the decoder itself (Pillow's ``draft``); other
    files are decoded whole and then reduced. Every reader here takes the
    result in place of the file, so that several share one decoding.

    Parameters
    ----------
    path : str, path-like or binary file

    Returns
    -------
    image : PIL.Image.Image
        Its size in the file in ``image.info["original_size"]`` (the readers'
        boxes are in those pixels).

    Raises
    ------
    NotAPictureError
        If the file is not a picture or is damaged (a ValueError).
    PictureTooLargeError
        If it exceeds ``MAX_BYTES`` or ``MAX_PIXELS`` (a ValueError).
    """
    from PIL import Image, UnidentifiedImageError

    if not hasattr(path, "read"):  # else an open binary file
        path = Path(path)
        if path.is_dir():
            raise ValueError(
                f"{path} is a folder, not a picture: to read the pictures in it, "
                f"give them one by one ({Path(path) / '*'})"
            )
        if path.exists() and not path.is_file():  # never opened: it may never end
            raise NotAPictureError(
                f"{path} is not a regular file (a pipe or a device), not a picture"
            )
        nbytes = path.stat().st_size  # FileNotFoundError as it is
        if nbytes == 0:
            raise NotAPictureError(f"{path} is an empty file, not a picture")
        if nbytes > MAX_BYTES:
            raise PictureTooLargeError(
                f"{path} is too large to read safely ({nbytes:,} bytes, more than "
                f"images.MAX_BYTES, {MAX_BYTES:,})"
            )
    try:
        with warnings.catch_warnings():
            # large pictures are reduced below, and a damaged one that decodes
            # is read: Pillow's warnings of either are not the user's
            warnings.simplefilter("ignore")
            with Image.open(path) as opened:
                size = opened.size  # before draft: a JPEG's is then reduced
                if opened.format != "JPEG" and size[0] * size[1] > MAX_PIXELS:
                    raise Image.DecompressionBombError(
                        f"{size[0]}x{size[1]} pixels, more than images.MAX_PIXELS "
                        f"({MAX_PIXELS:,}) of a {opened.format} file"
                    )
                image = _decoded_reduced(opened)
    except Image.DecompressionBombError as exc:
        raise PictureTooLargeError(
            f"{path} is too large to read safely ({exc})"
        ) from exc
    except UnidentifiedImageError as exc:
        raise NotAPictureError(f"{path} is not a picture Pillow can read") from exc
    except Exception as exc:  # whatever a decoder raises for a damaged file
        raise NotAPictureError(f"{path} is truncated or damaged ({exc})") from exc
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.BOX)
    image.info["original_size"] = size  # (width, height) in the file
    return image


def _decoded_reduced(opened):
    """An opened picture decoded, at most ``MAX_SIDE`` wide (JPEG: by its decoder)."""
    opened.draft("L", (MAX_SIDE, MAX_SIDE))
    opened.load()
    factor = -(-max(opened.size) // MAX_SIDE)  # ceiling
    if factor == 1:
        return opened.copy()
    if opened.mode.startswith("I;16"):  # reduce() cannot average these
        return opened.convert("I").reduce(factor)
    if opened.mode in ("P", "PA", "1"):
        return opened.convert("RGBA").reduce(factor)
    return opened.reduce(factor)


def _decoded(picture):
    """A PIL image as it is; a file (path or binary file) decoded."""
    is_file = isinstance(picture, str | os.PathLike) or hasattr(picture, "read")
    return decode(picture) if is_file else picture


def _reduction(image) -> float:
    """Pixels of the file per pixel decoded (large JPEGs are decoded reduced)."""
    return max(image.info.get("original_size", image.size)) / max(image.size)


def _grey(picture) -> np.ndarray:
    """A picture (path or PIL image) as float grey levels in [0, 255]."""
    try:
        from PIL import Image, ImageOps
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError(
            "reading pictures needs Pillow: pip install 'skfashion[plot]'"
        ) from exc
    image = _decoded(picture)
    # a damaged EXIF block: the pixels as they are stored
    with contextlib.suppress(Exception), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        image = ImageOps.exif_transpose(image)
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):  # 16-bit or float
        grey = np.asarray(image, dtype=np.float64)
        if image.mode != "F" or grey.max(initial=0) > 1:
            top = 255.0 if grey.max(initial=0) <= 255 else 65535.0
        else:
            top = 1.0
        return np.clip(grey * (255.0 / top), 0, 255)
    if "A" in image.mode or "transparency" in image.info:
        # Transparent parts are background: lay the picture on white.
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    if image.mode not in ("L", "RGB"):  # palette, CMYK, YCbCr, 1-bit, ...
        image = image.convert("RGB")
    return np.asarray(image.convert("L"), dtype=np.float64)


def _border_background(grey: np.ndarray) -> np.ndarray:
    """The background under the whole picture, fitted to its border.

    A plane ``a + b * row + c * col`` is fitted to the border pixels by least
    squares, twice: the second time without the fifth of them farthest from
    the first fit (an item or a shadow touching the border).
    """
    rows, cols = np.indices(grey.shape)
    edge = np.zeros(grey.shape, dtype=bool)
    edge[[0, -1], :] = edge[:, [0, -1]] = True
    design = np.column_stack([np.ones(edge.sum()), rows[edge], cols[edge]])
    values = grey[edge]
    keep = np.ones(len(values), dtype=bool)
    for _ in range(2):
        coef = np.linalg.lstsq(design[keep], values[keep], rcond=None)[0]
        residual = np.abs(design @ coef - values)
        keep = residual <= np.quantile(residual, 0.8)
    return coef[0] + coef[1] * rows + coef[2] * cols


def _foregrounds(
    grey: np.ndarray, faint: tuple[bool, ...] = (False, True)
) -> tuple[np.ndarray, ...]:
    """Light on black, as Fashion-MNIST draws items: background 0, ink up to 255.

    The background is estimated from the border (it need not be white), then
    the picture is measured from it: a dark item on a light background by
    how much darker it is, a light item on a dark one by how much lighter,
    both scaled as if the background were white (or black). The level of the
    background's own noise (JPEG, texture) is taken off: with a margin over
    it, which keeps shapes of ink apart and specks out (to find and measure
    shapes), or (``faint``) three times its deviation alone, which keeps an
    item's faint pixels, as Fashion-MNIST has them (to show items to a
    network).

    Returns
    -------
    inks : tuple of ndarray of the picture's shape, float
        One for each of ``faint``: by default the shapes', then the items'.
    """
    background = _border_background(grey)
    if background.mean() >= 128:
        ink = (background - grey) * 255 / np.maximum(background, 1)
    else:
        ink = (grey - background) * 255 / np.maximum(255 - background, 1)
    edge = np.concatenate([ink[0], ink[-1], ink[:, 0], ink[:, -1]])
    noise = 1.4826 * np.median(np.abs(edge - np.median(edge)))  # its deviation
    floors = {False: min(4 * noise + 12, 96), True: min(3 * noise, 96)}
    return tuple(
        np.clip((ink - floors[each]) * 255 / (255 - floors[each]), 0, 255)
        for each in faint
    )


def _foreground(grey: np.ndarray, *, faint: bool = False) -> np.ndarray:
    """The ink of :func:`_foregrounds`: of shapes, or (``faint``) of items."""
    return _foregrounds(grey, (faint,))[0]


def _check_found(ink: np.ndarray, picture) -> np.ndarray:
    """The pixels of the item in ``ink``; :class:`NoItemError` when none."""
    name = picture if isinstance(picture, str | os.PathLike) else "the picture"
    if min(ink.shape) < 4 or ink.max(initial=0) < 24:
        raise NoItemError(f"no item found in {name}")
    mask = ink > 0.2 * ink.max()
    if mask.sum() < max(4, 0.001 * ink.size):
        raise NoItemError(f"no item found in {name}")
    return mask


def _resize(grey: np.ndarray, shape) -> np.ndarray:
    from PIL import Image

    image = Image.fromarray(np.asarray(grey, dtype=np.float32))
    resized = image.resize((shape[1], shape[0]), Image.Resampling.LANCZOS)
    return np.clip(np.asarray(resized, dtype=np.float64), 0, None)


def cut_items(picture, boxes, *, size: int = 28) -> np.ndarray:
    """Each box of a picture cut at the picture's own resolution, as an item.

    The background is removed as in :func:`item_from_picture` (light items
    on black), but only its noise taken off, so that an item keeps its faint
    pixels, then each box is cut as a square around its centre and resized
    to ``size`` x ``size`` (:func:`skfashion.boxes.crop_items`): resized once
    from the picture, as Fashion-MNIST's items were made from product
    photos, not twice as a canvas scaled for a finder is. Named from their
    true boxes by ``strong-namer`` and ``strong`` together, the items of
    300 outfits, 300 light on dark, 300 touching rows and 60 large JPEGs
    (``benchmarks/bench_reader.py``'s draws, seeds 21 to 23 and 25) are
    named right 0.944, 0.927, 0.938 and 0.936 of the time, against 0.935,
    0.919, 0.931 and 0.926 when cut without their faint pixels.

    Parameters
    ----------
    picture : str, path-like, binary file or PIL.Image.Image
        The picture.
    boxes : array-like of shape (m, 4)
        ``(x0, y0, x1, y1)`` in the picture's pixels (of its file, where a
        large JPEG was decoded reduced).
    size : int, default=28
        Side of the items.

    Returns
    -------
    items : ndarray of shape (m, size, size), dtype uint8

    Examples
    --------
    >>> import numpy as np
    >>> from PIL import Image
    >>> from skfashion.images import cut_items
    >>> photo = np.full((100, 200), 230, np.uint8)
    >>> photo[20:80, 30:60] = photo[10:90, 120:180] = 30  # two dark items
    >>> boxes = [[30, 20, 60, 80], [120, 10, 180, 90]]
    >>> items = cut_items(Image.fromarray(photo), boxes)
    >>> items.shape, items.dtype.name, bool(items[0, 14, 14] > 200 > items[0, 14, 2])
    ((2, 28, 28), 'uint8', True)
    """
    from .boxes import crop_items

    image = _decoded(picture)
    ink = _stretch(_foreground(_grey(image), faint=True)).astype(np.float32)
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4) / _reduction(image)
    cuts = crop_items(ink[np.newaxis], np.zeros(len(boxes), int), boxes, (size, size))
    return np.clip(cuts, 0, 255).round().astype(np.uint8)


def item_from_picture(picture, *, size: int = 28, return_shapes: bool = False):
    """Turn a picture of one item into a Fashion-MNIST-like item.

    As Fashion-MNIST was made from product photos: the background, estimated
    from the picture's border (white, grey or a gradient), becomes black and
    the item light; the item is cropped, centred on a black square its
    longest side fills, resized to ``size`` x ``size`` and stretched so its
    brightest pixels are 255.

    Parameters
    ----------
    picture : str, path-like, binary file or PIL.Image.Image
        The picture: any format and mode Pillow reads (grey, colour,
        palette, CMYK, 16-bit, transparent). Large pictures are reduced while
        they are decoded.
    size : int, default=28
        Side of the returned item.
    return_shapes : bool, default=False
        Also return how many separate shapes of ink the picture holds (as
        :func:`count_shapes`, from the same decoding).

    Returns
    -------
    item : ndarray of shape (size, size), dtype uint8
    n_shapes : int
        With ``return_shapes``.

    Raises
    ------
    NoItemError
        If nothing stands out from the background (a blank picture).
    ValueError
        If the file cannot be read as a picture; the message says why.

    Examples
    --------
    >>> from PIL import Image, ImageDraw
    >>> from skfashion.images import item_from_picture
    >>> photo = Image.new("RGB", (300, 200), (215, 215, 215))  # light grey
    >>> ImageDraw.Draw(photo).ellipse([100, 50, 200, 150], fill="navy")
    >>> item = item_from_picture(photo)  # a light disc on black, filling 28x28
    >>> item.shape, item.dtype, int(item[14, 14]) > 200, int(item[0, 0]) < 20
    ((28, 28), dtype('uint8'), True, True)
    >>> item_from_picture(Image.new("L", (50, 50), 180))
    Traceback (most recent call last):
    ...
    skfashion.images.NoItemError: no item found in the picture
    """
    whole = _foreground(_grey(picture))
    rows, cols = np.nonzero(_check_found(whole, picture))
    ink = whole[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    side = max(ink.shape)
    square = np.zeros((side, side))
    top, left = (side - ink.shape[0]) // 2, (side - ink.shape[1]) // 2
    square[top : top + ink.shape[0], left : left + ink.shape[1]] = ink
    item = _stretch(_resize(square, (size, size)))
    return (item, _shapes(whole)[1]) if return_shapes else item


def _stretch(pixels: np.ndarray) -> np.ndarray:
    """Scale ``pixels`` so the brightest (99.9th percentile) become 255."""
    top = max(np.percentile(pixels, 99.9), 1e-9)
    return np.clip(pixels * (255 / top), 0, 255).round().astype(np.uint8)


def canvas_from_picture(picture, shape: tuple[int, int] = (56, 56)) -> np.ndarray:
    """Turn a whole picture into a canvas of ``shape`` (light items on black).

    The background, estimated from the border, becomes black, as in
    :func:`item_from_picture`, but the items keep their faint pixels (as in
    :func:`items_canvas_from_picture`); nothing is cropped. A blank picture
    gives a black canvas.

    Parameters
    ----------
    picture : str, path-like or PIL.Image.Image
        The picture.
    shape : tuple of (int, int), default=(56, 56)
        Height and width of the canvas.

    Returns
    -------
    canvas : ndarray of shape ``shape``, dtype uint8

    Raises
    ------
    ValueError
        If the file cannot be read as a picture; the message says why.

    Examples
    --------
    >>> from PIL import Image
    >>> from skfashion.images import canvas_from_picture
    >>> canvas_from_picture(Image.new("L", (90, 30), 255)).max()
    np.uint8(0)
    """
    ink, faint = _foregrounds(_grey(picture))
    try:
        _check_found(ink, picture)
    except NoItemError:
        return np.zeros(shape, dtype=np.uint8)
    return _stretch(_resize(faint, shape))


#: When the shapes of ink in a picture are separate items: ``(reach, share,
#: margin)``. Parts closer than ``2 * reach`` of the picture's shorter side are
#: one shape (a sandal's straps, a sneaker's sole); a shape counts from
#: ``share`` of the largest shape's pixels on (specks and noise do not); and
#: shapes whose boxes, grown by ``margin`` reaches, overlap are parts of one
#: item (a bag's handle over its body). Measured by
#: ``benchmarks/bench_shapes.py`` on 10,000 test items as photos and 2,000
#: photos of two or three (``docs/benchmarks.md``).
SHAPE_RULE = (0.015, 0.05, 0.5)
#: A shape of ink is sized for the finder by its longer side, but at most this
#: many times its height: a wider shape is taken for items touching in a row,
#: each about as wide as tall, not for one item as wide as it (a finder that
#: learned items of 14 to 67 pixels reads a row of three scaled to one item's
#: size as one box), while a lone sneaker or sandal (up to 4.4 times as wide
#: as tall in product photos) is seldom split in two. Measured with
#: ``benchmarks/bench_reader.py``'s photos (other seeds: 400 rows, 200
#: outfits, 600 products), on canvases that keep the items' faint pixels:
#: rows' item F1 0.805 / 0.838 / 0.863 / 0.878 / 0.889 / 0.885 at 2 / 1.75 /
#: 1.5 / 1.4 / 1.3 / 1.25 (boxes 0.878 -> 0.961 at 1.3), outfits 0.922 /
#: 0.921 / 0.918 / 0.923 / 0.919 / 0.913, products 0.933 right at 1.5, 0.932
#: at 1.3 and 1.4, 0.928 at 1.25, with 1 / 2 / 2 / 4 of 600 not read as one
#: item; at 1.3 and 1.35 a sandal of ``tests/test_reading.py``'s ten
#: products is split in two, not at 1.4. (Before the faint pixels were
#: kept, 2 -> 1.5 had raised rows from 0.797 to 0.857 on four seeds; at 1,
#: 6 of 200 products were split.)
ROW_WIDTH = 1.4


def _labelled_shapes(ink: np.ndarray, reach: float) -> tuple[np.ndarray, np.ndarray]:
    """Labels of the joined shapes of ink (0: none), and each label's pixels."""
    from scipy import ndimage

    if ink.max(initial=0) < 24:
        return np.zeros(ink.shape, int), np.zeros(0, int)
    mask = ink > 0.2 * ink.max()
    radius = max(1.0, reach * min(ink.shape))
    joined = ndimage.distance_transform_edt(~mask) <= radius
    labels, _ = ndimage.label(joined, structure=np.ones((3, 3)))
    labels = np.where(mask, labels, 0)
    return labels, np.bincount(labels.ravel())[1:]


def _items_of_shapes(labels: np.ndarray, keep: np.ndarray, margin: float):
    """The item of each kept shape: shapes whose boxes, grown by ``margin``
    pixels, overlap are one item (transitively). Returns (k,) item numbers."""
    from scipy import ndimage

    slices = ndimage.find_objects(labels)
    boxes = np.array(
        [
            [s[0].start, s[1].start, s[0].stop, s[1].stop]
            for s in (slices[k - 1] for k in keep)
        ],
        float,
    ).reshape(-1, 4)
    lo, hi = boxes[:, :2] - margin, boxes[:, 2:] + margin
    overlap = np.all((lo[:, None] < hi[None]) & (lo[None] < hi[:, None]), axis=2)
    item = np.arange(len(keep))
    for _ in range(len(keep)):  # spread the smallest number over each group
        item = np.where(overlap, item[None], len(keep)).min(axis=1)
    return np.unique(item, return_inverse=True)[1]


def shape_sizes(
    ink: np.ndarray, *, rule: tuple[float, float, float] = SHAPE_RULE
) -> list[int]:
    """Pixels of each separate item's ink, largest first (:data:`SHAPE_RULE`).

    Parameters
    ----------
    ink : ndarray of shape (h, w)
        Light on black, as the readers make it from a picture.
    rule : tuple of (float, float, float), default=SHAPE_RULE
        ``(reach, share, margin)``.

    Returns
    -------
    sizes : list of int
    """
    return sorted(np.bincount(_shapes(ink, rule)[0].ravel())[1:].tolist(), reverse=True)


def _shapes(ink: np.ndarray, rule=SHAPE_RULE) -> tuple[np.ndarray, int]:
    """Separate items of ink by ``rule``: labels (0: none, 1..n), and n."""
    reach, share, margin = rule
    labels, sizes = _labelled_shapes(ink, reach)
    keep = np.flatnonzero(sizes >= max(sizes.max(initial=0) * share, 4)) + 1
    if not len(keep):
        return np.zeros(ink.shape, int), 0
    item = _items_of_shapes(labels, keep, margin * reach * min(ink.shape))
    lookup = np.zeros(len(sizes) + 1, int)
    lookup[keep] = item + 1
    return lookup[labels], int(item.max()) + 1


def count_shapes(picture) -> int:
    """The separate shapes of ink in a picture (items apart from each other).

    The background is removed as :func:`item_from_picture` does. Items that
    touch make one shape; parts of one item that do not touch (a pair of
    sandals) make several.

    Parameters
    ----------
    picture : str, path-like, binary file or PIL.Image.Image

    Returns
    -------
    n : int

    Examples
    --------
    >>> from PIL import Image, ImageDraw
    >>> from skfashion.images import count_shapes
    >>> photo = Image.new("L", (200, 100), 230)
    >>> draw = ImageDraw.Draw(photo)
    >>> draw.rectangle([10, 10, 60, 90], fill=30)
    >>> draw.ellipse([120, 20, 180, 80], fill=40)
    >>> count_shapes(photo)
    2
    """
    return _shapes(_foreground(_grey(picture)))[1]


def items_canvas_from_picture(
    picture, *, item_side: int = 28, max_side: int = 640
) -> tuple[np.ndarray, float]:
    """A canvas of light items on black, scaled so its items are ``item_side``.

    The background is removed as in :func:`item_from_picture`; the picture is
    then resized so that the median size of its separate shapes of ink is
    ``item_side`` pixels, its longer side at most ``max_side``. A shape's size
    is its longer side, but at most ``ROW_WIDTH`` times its height: items
    touching in a row are one shape, each about as wide as tall. The shapes
    are found with a margin over the background's noise; the canvas keeps
    the items' faint pixels, only the noise taken off, as Fashion-MNIST's
    items and the canvases a finder learns from have them. Read so by the
    default reader (``benchmarks/bench_reader.py --n 300``, ``ROW_WIDTH``
    1.5), outfits, light on dark, touching rows and large JPEGs score item
    F1 0.915, 0.910, 0.897 and 0.918, class-agnostic box F1 0.979, 0.986,
    0.960, 0.995, against 0.896, 0.889, 0.875, 0.893 and 0.959, 0.972,
    0.943, 0.949 from canvases without the faint pixels.

    Parameters
    ----------
    picture : str, path-like, binary file or PIL.Image.Image
    item_side : int or None, default=28
        Pixels a side of a typical item on the canvas; ``None``: the
        picture's own size.
    max_side : int, default=640
        Most pixels on the canvas's longer side.

    Returns
    -------
    canvas : ndarray of shape (h, w), dtype uint8
    scale : float
        Canvas pixels per pixel of the picture's file (boxes on the canvas
        divided by it are in the picture's own pixels).

    Raises
    ------
    NoItemError
        If nothing stands out from the background.
    """
    image = _decoded(picture)
    ink, faint = _foregrounds(_grey(image))
    _check_found(ink, picture)
    reduced = _reduction(image)
    labels, n = _shapes(ink)
    if n and item_side is not None:
        from scipy import ndimage

        slices = [s for s in ndimage.find_objects(labels) if s is not None]
        heights = np.array([r.stop - r.start for r, _ in slices])
        widths = np.array([c.stop - c.start for _, c in slices])
        sides = np.maximum(heights, np.minimum(widths, ROW_WIDTH * heights))
        # the items' size: the median of the shapes not far smaller than the
        # largest (items are 18 to 42% of a photo's side, specks much less)
        scale = item_side / float(np.median(sides[sides >= 0.3 * sides.max()]))
    else:
        scale = 1.0
    scale = min(scale, max_side / max(ink.shape))
    shape = tuple(max(1, round(side * scale)) for side in ink.shape)
    return _stretch(_resize(faint, shape)), scale / reduced
