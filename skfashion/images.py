"""Pictures a user brings (PNG, JPEG, any size or colour) as the model sees them.

Fashion-MNIST items are light on a black background and fill a 28x28 box;
product photos are usually dark on white. :func:`item_from_picture` turns
one into the other; :func:`canvas_from_picture` keeps the whole picture as a
canvas for a multi-label model. Pillow (the ``plot`` extra) reads the files.
"""

from __future__ import annotations

import os

import numpy as np

__all__ = ["canvas_from_picture", "item_from_picture"]


def _grey(picture) -> np.ndarray:
    """A picture (path or PIL image) as float grey levels, light on dark."""
    try:
        from PIL import Image, ImageOps, UnidentifiedImageError
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError(
            "reading pictures needs Pillow: pip install 'skfashion[plot]'"
        ) from exc
    if isinstance(picture, str | os.PathLike):
        try:
            with Image.open(picture) as opened:
                opened.load()
                image = opened.copy()
        except (UnidentifiedImageError, OSError) as exc:
            raise ValueError(f"cannot read {picture} as an image: {exc}") from None
    else:
        image = picture
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P"):
        # Transparent parts are background: lay the picture on white.
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    grey = np.asarray(image.convert("L"), dtype=np.float64)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    return 255 - grey if np.median(border) > 127 else grey


def _resize(grey: np.ndarray, shape) -> np.ndarray:
    from PIL import Image

    image = Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8))
    return np.asarray(image.resize((shape[1], shape[0]), Image.Resampling.LANCZOS))


def item_from_picture(picture, *, size: int = 28) -> np.ndarray:
    """Turn a picture of one item into a Fashion-MNIST-like item.

    Grey levels, inverted when the background is light, cropped to the item,
    centred on a black square and resized to ``size`` x ``size``.

    Parameters
    ----------
    picture : str, path-like or PIL.Image.Image
        The picture.
    size : int, default=28
        Side of the returned item.

    Returns
    -------
    item : ndarray of shape (size, size), dtype uint8

    Raises
    ------
    ValueError
        If the file cannot be read as an image.

    Examples
    --------
    >>> from PIL import Image, ImageDraw
    >>> from skfashion.images import item_from_picture
    >>> photo = Image.new("RGB", (300, 200), "white")  # a dark disc on white
    >>> ImageDraw.Draw(photo).ellipse([100, 50, 200, 150], fill="navy")
    >>> item = item_from_picture(photo)  # a light disc on black, filling 28x28
    >>> item.shape, item.dtype, int(item[14, 14]) > 200, int(item[0, 0]) < 20
    ((28, 28), dtype('uint8'), True, True)
    """
    grey = _grey(picture)
    rows, cols = np.nonzero(grey > 0.1 * grey.max()) if grey.max() > 0 else ([], [])
    if len(rows):
        grey = grey[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    side = max(grey.shape)
    square = np.zeros((side, side))
    top, left = (side - grey.shape[0]) // 2, (side - grey.shape[1]) // 2
    square[top : top + grey.shape[0], left : left + grey.shape[1]] = grey
    return _resize(square, (size, size))


def canvas_from_picture(picture, shape: tuple[int, int] = (56, 56)) -> np.ndarray:
    """Turn a whole picture into a canvas of ``shape`` (light items on black).

    Parameters
    ----------
    picture : str, path-like or PIL.Image.Image
        The picture.
    shape : tuple of (int, int), default=(56, 56)
        Height and width of the canvas.

    Returns
    -------
    canvas : ndarray of shape ``shape``, dtype uint8

    Examples
    --------
    >>> from PIL import Image
    >>> from skfashion.images import canvas_from_picture
    >>> canvas_from_picture(Image.new("L", (90, 30), 255)).max()
    np.uint8(0)
    """
    return _resize(_grey(picture), shape)
