"""Validation of image batches shared by the augmenters and the models."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from sklearn.utils import check_array


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
    # scikit-learn's own checks first: sparse, complex, object, NaN, empty.
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


def cell_grid(shape: tuple[int, int], cell_shape: tuple[int, int]) -> tuple[int, int]:
    """Rows and columns of ``cell_shape`` cells in images of ``shape``.

    Raises a ValueError when the images are not a whole number of cells.
    """
    (height, width), (cell_height, cell_width) = shape, cell_shape
    rows, cols = height // cell_height, width // cell_width
    if rows * cell_height != height or cols * cell_width != width or not rows:
        raise ValueError(
            f"images of shape {tuple(shape)} are not a whole number of "
            f"{cell_height}x{cell_width} cells (the items this model was trained on)"
        )
    return rows, cols


def split_cells(canvases: np.ndarray, cell_shape: tuple[int, int]) -> np.ndarray:
    """(n, rows * h, cols * w) canvases as (n, rows * cols, h, w) cells, row-major.

    Raises a ValueError when the canvases are not a whole number of cells.
    """
    rows, cols = cell_grid(canvases.shape[1:], cell_shape)
    height, width = cell_shape
    cells = canvases.reshape(len(canvases), rows, height, cols, width).swapaxes(2, 3)
    return cells.reshape(len(canvases), rows * cols, height, width)


def inked_cells(
    canvases: np.ndarray, cell_shape: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """The cells of ``canvases`` and which of them have ink (a pixel not 0).

    Returns cells of shape (n, n_cells, h, w) and a bool mask (n, n_cells).
    """
    cells = split_cells(canvases, cell_shape)
    return cells, cells.reshape(*cells.shape[:2], -1).any(axis=2)
