"""Validation of image batches shared by the augmenters and the models.

Pixels stay as they come (uint8 by default) until a network scales them. A
model decides once, in ``fit``, how its pixels map to [0, 255]
(:func:`pixel_scale`), records it, and applies the same to every later batch
(:func:`as_pixels`).
"""

from __future__ import annotations

import math
import os
from numbers import Integral
from typing import NamedTuple

import numpy as np


class ImageBatch(NamedTuple):
    """A validated batch: ``images`` is (n, h, w); ``layout`` how it came in."""

    images: np.ndarray
    layout: str  # "flat" (n, h*w), "hw" (n, h, w) or "hwc" (n, h, w, 1)


def check_images(X, *, name: str = "X") -> ImageBatch:
    """Check a batch of grey-scale images and view it as (n, h, w).

    Accepts (n, h, w), (n, h, w, 1) or flat (n, h*w) with a square width.
    Integer pixels must lie in [0, 255]; float pixels must be finite. Numeric
    pixels are neither copied nor converted.
    """
    _refuse_pictures(X, name)
    if not (isinstance(X, np.ndarray) and X.dtype.kind in "bui" and X.size):
        # scikit-learn's own checks first: sparse, complex, object, NaN, empty
        # (a non-empty array of integers passes them all: the readers' pixels,
        # checked without importing scikit-learn)
        from sklearn.utils import check_array

        X = check_array(X, dtype="numeric", allow_nd=True, input_name=name)
    if X.ndim == 2:
        side = math.isqrt(X.shape[1])
        if side * side != X.shape[1] or side == 0:
            one_image = (
                f"; if {name} is one {X.shape[0]}x{X.shape[1]} image, pass a batch "
                f"of one: {name}[np.newaxis]"
                if X.shape[0] == X.shape[1]
                else ""
            )
            raise ValueError(
                f"flat {name} must have a square number of columns (784 for "
                f"28x28 images), got {X.shape[1]}{one_image}"
            )
        images, layout = X.reshape(len(X), side, side), "flat"
    elif X.ndim == 3:
        images, layout = X, "hw"
    elif X.ndim == 4 and X.shape[-1] == 1:
        images, layout = X[..., 0], "hwc"
    else:
        raise ValueError(
            f"{name} must be images of shape (n, h, w), (n, h, w, 1) or flat "
            f"(n, h*w), got shape {X.shape}"
        )
    if images[0].size == 0:
        raise ValueError(f"{name} holds empty images (shape {X.shape})")
    if X.dtype.kind in "iu" and X.dtype != np.uint8 and (X.min() < 0 or X.max() > 255):
        raise ValueError(
            f"integer pixels in {name} must lie in [0, 255], got values in "
            f"[{X.min()}, {X.max()}]"
        )
    return ImageBatch(images, layout)


def _refuse_pictures(X, name: str) -> None:
    """A path or a PIL image is a picture to read, not an array of pixels."""
    first = X[0] if isinstance(X, list | tuple) and len(X) else X
    if isinstance(first, str | os.PathLike) or hasattr(first, "getbands"):
        raise TypeError(
            f"{name} is a picture ({type(first).__name__}), not an array of "
            "images: read pictures with skfashion.read_picture(picture, model)"
        )


def restore_layout(images: np.ndarray, layout: str) -> np.ndarray:
    """Return (n, h, w) ``images`` in the ``layout`` of :func:`check_images`."""
    if layout == "flat":
        return images.reshape(len(images), -1)
    if layout == "hwc":
        return images[..., np.newaxis]
    return images


def check_labels(y, n_images: int, n_classes: int) -> np.ndarray:
    """Check integer class labels in ``[0, n_classes)``, one per image."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be one label per image (1-D), got shape {y.shape}")
    if len(y) != n_images:
        raise ValueError(f"X has {n_images} images but y has {len(y)} labels")
    if y.dtype.kind == "f" and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
        y = y.astype(np.intp)
    if y.dtype.kind not in "iu":
        raise TypeError(f"y must hold integer class indices, got dtype {y.dtype}")
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(
            f"labels must lie in [0, {n_classes - 1}], got values in "
            f"[{y.min()}, {y.max()}]"
        )
    return y


def pixel_scale(images: np.ndarray) -> float:
    """The factor that brings ``images``' pixels to [0, 255], decided once at fit.

    Integer pixels are in [0, 255] already (1.0). Float pixels whose maximum
    is at most 1 are taken for the tutorial's [0, 1] scaling (255.0); other
    floats are in [0, 255] (1.0).

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion._images import pixel_scale
    >>> pixel_scale(np.zeros((1, 2, 2), np.uint8)), pixel_scale(np.ones((1, 2, 2)))
    (1.0, 255.0)
    """
    if images.dtype.kind != "f" or not images.size:
        return 1.0
    return 255.0 if float(images.max()) <= 1.0 else 1.0


def as_pixels(images: np.ndarray, scale: float) -> np.ndarray:
    """(n, h, w) ``images`` in [0, 255]: uint8 as it is, else float32 times ``scale``.

    Integer pixels become uint8 (they lie in [0, 255]: :func:`check_images`).
    """
    if images.dtype == np.uint8:
        return images
    if images.dtype.kind in "biu":
        return images.astype(np.uint8)
    images = images.astype(np.float32, copy=False)
    return images * np.float32(scale) if scale != 1 else images


def check_pair(value, name: str, meaning: str) -> tuple[int, int]:
    """Two positive integers, or a ValueError naming ``name`` and ``meaning``."""
    if (
        len(value) != 2
        or not all(isinstance(v, Integral) and not isinstance(v, bool) for v in value)
        or min(value) < 1
    ):
        raise ValueError(
            f"{name} must be two positive integers {meaning}, got {value!r}"
        )
    return int(value[0]), int(value[1])
