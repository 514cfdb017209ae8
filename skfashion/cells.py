"""Cells: one item's place on a canvas, and networks that read them one by one.

A canvas of the tutorial is a grid of cells, each the size of one item. The
grid-aware networks (``CNNClassifier(architecture="cells")`` and
``MultiLabelTransfer(head="cells")``) read each cell alone, and compute only
the cells with ink: everything about cells that the estimators share lives
here.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._images import check_pair

__all__ = [
    "cell_grid",
    "cell_shape_of",
    "check_grid",
    "inked_cells",
    "predict_inked_cells",
    "predict_per_item",
    "split_cells",
]


def check_grid(grid) -> tuple[int, int]:
    """A grid as ``(rows, cols)``, two positive integers, or a ValueError.

    Examples
    --------
    >>> from skfashion.cells import check_grid
    >>> check_grid([2, 3])
    (2, 3)
    """
    return check_pair(grid, "grid", "(rows, cols)")


def cell_shape_of(canvas_shape: tuple[int, int], grid) -> tuple[int, int]:
    """Height and width of the cells of a ``grid`` of rows and columns.

    Raises a ValueError, naming the fix, when the canvas is not a whole
    number of cells.

    Examples
    --------
    >>> from skfashion.cells import cell_shape_of
    >>> cell_shape_of((56, 56), (2, 2))
    (28, 28)
    """
    rows, cols = grid
    height, width = canvas_shape
    if height % rows or width % cols:
        raise ValueError(
            f"images of shape {tuple(canvas_shape)} are not a {rows}x{cols} grid "
            "of whole cells: set grid to the canvases' grid"
        )
    return (height // rows, width // cols)


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


def predict_inked_cells(
    predict: Callable[[np.ndarray], np.ndarray],
    canvases: np.ndarray,
    cell_shape: tuple[int, int],
    *,
    at_least_one: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Run ``predict`` on the cells with ink only.

    Parameters
    ----------
    predict : callable
        Takes (m, h, w, 1) cells, returns (m, k) outputs.
    canvases : ndarray of shape (n, rows * h, cols * w)
    cell_shape : tuple of (int, int)
    at_least_one : bool, default=False
        Count the first cell of a canvas without ink as inked, so that every
        canvas has an output (a black cell's).

    Returns
    -------
    outputs : ndarray of shape (m, k)
        The outputs of the m inked cells, canvas by canvas, row-major.
    inked : ndarray of shape (n, n_cells), dtype bool
        Which cells were computed.

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.cells import predict_inked_cells
    >>> canvases = np.zeros((2, 4, 4), np.uint8)
    >>> canvases[0, 2:, 2:] = 9
    >>> outputs, inked = predict_inked_cells(
    ...     lambda cells: cells.reshape(len(cells), -1).max(1, keepdims=True),
    ...     canvases, (2, 2), at_least_one=True)
    >>> outputs.ravel().tolist(), inked.sum(axis=1).tolist()
    ([9, 0], [1, 1])
    """
    cells, inked = inked_cells(canvases, cell_shape)
    if at_least_one:
        inked[~inked.any(axis=1), 0] = True
    return predict(cells[inked][..., np.newaxis]), inked


def predict_per_item(
    predict: Callable[[np.ndarray], np.ndarray],
    canvases: np.ndarray,
    cell_shape: tuple[int, int],
) -> np.ndarray:
    """A grid-aware single-label network's probabilities for each canvas.

    The mean of ``predict``'s outputs over the canvas's inked cells (a
    canvas of one item: that item's); a canvas with no ink gets those of one
    black cell. Empty cells are never computed.

    Parameters
    ----------
    predict : callable
        Takes (m, h, w, 1) cells, returns (m, n_classes) probabilities.
    canvases : ndarray of shape (n, rows * h, cols * w)
    cell_shape : tuple of (int, int)

    Returns
    -------
    proba : ndarray of shape (n, n_classes)

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.cells import predict_per_item
    >>> canvases = np.zeros((2, 4, 4), np.uint8)
    >>> canvases[0, 0, 0] = canvases[0, 3, 3] = 9
    >>> def ink(cells):  # "inked" and "black", from a cell's brightest pixel
    ...     inked = cells.max(axis=(1, 2, 3)) / 9
    ...     return np.stack([inked, 1 - inked], axis=1)
    >>> predict_per_item(ink, canvases, (2, 2)).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    proba, inked = predict_inked_cells(predict, canvases, cell_shape, at_least_one=True)
    counts = inked.sum(axis=1)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return np.add.reduceat(proba, starts, axis=0) / counts[:, np.newaxis]
