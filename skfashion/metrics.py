"""Multi-label evaluation you can trust, on scikit-learn's metrics.

Keras' ``accuracy`` on a sigmoid head compares each of the ten outputs
separately, so a network that predicts "nothing" on every canvas already
scores about 0.8: it says little. These measure whole canvases instead.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    hamming_loss,
    make_scorer,
    precision_recall_fscore_support,
)

__all__ = [
    "cell_accuracy",
    "cell_confusion_matrix",
    "check_layouts",
    "count_accuracy",
    "item_accuracy",
    "item_count_accuracy",
    "labels_from_layout",
    "layout_summary",
    "multilabel_report",
    "multilabel_scorers",
    "multilabel_summary",
    "subset_accuracy",
    "subset_accuracy_by_count",
]


def _check_indicators(Y_true, Y_pred):
    Y_true, Y_pred = np.asarray(Y_true), np.asarray(Y_pred)
    if Y_true.ndim != 2 or Y_true.shape != Y_pred.shape:
        raise ValueError(
            "Y_true and Y_pred must be multi-hot indicators of the same shape "
            f"(n, n_labels), got {Y_true.shape} and {Y_pred.shape}"
        )
    if np.any((Y_true != 0) & (Y_true != 1)) or np.any((Y_pred != 0) & (Y_pred != 1)):
        raise ValueError("multi-hot indicators must hold only 0 and 1")
    return Y_true, Y_pred


def subset_accuracy(Y_true, Y_pred) -> float:
    """Fraction of canvases whose every label is right.

    Parameters
    ----------
    Y_true, Y_pred : array-like of shape (n, n_labels)
        Multi-hot indicators.

    Returns
    -------
    score : float

    Examples
    --------
    >>> from skfashion.metrics import subset_accuracy
    >>> subset_accuracy([[1, 0], [0, 0]], [[1, 0], [0, 1]])
    0.5
    """
    return float(accuracy_score(*_check_indicators(Y_true, Y_pred)))


def count_accuracy(Y_true, Y_pred) -> float:
    """Fraction of canvases where the number of distinct classes is right.

    Parameters
    ----------
    Y_true, Y_pred : array-like of shape (n, n_labels)
        Multi-hot indicators.

    Returns
    -------
    score : float

    Examples
    --------
    >>> from skfashion.metrics import count_accuracy
    >>> count_accuracy([[1, 1, 0], [0, 0, 0]], [[1, 0, 1], [1, 0, 0]])
    0.5
    """
    Y_true, Y_pred = _check_indicators(Y_true, Y_pred)
    return float(np.mean(Y_true.sum(axis=1) == Y_pred.sum(axis=1)))


def multilabel_summary(Y_true, Y_pred) -> dict[str, float]:
    """The headline multi-label figures, in one dict.

    F1 scores count a class (or a canvas) with nothing to find and nothing
    found as right (``zero_division=1``), so an empty canvas predicted empty
    scores 1.

    Parameters
    ----------
    Y_true, Y_pred : array-like of shape (n, n_labels)
        Multi-hot indicators.

    Returns
    -------
    summary : dict
        ``subset_accuracy``, ``hamming_loss``, ``f1_micro``, ``f1_macro``,
        ``f1_samples`` and ``count_accuracy``.

    Examples
    --------
    >>> from skfashion.metrics import multilabel_summary
    >>> summary = multilabel_summary([[1, 0], [0, 0]], [[1, 0], [0, 0]])
    >>> summary["subset_accuracy"], summary["f1_samples"]
    (1.0, 1.0)
    """
    Y_true, Y_pred = _check_indicators(Y_true, Y_pred)
    f1 = {
        f"f1_{avg}": float(f1_score(Y_true, Y_pred, average=avg, zero_division=1.0))
        for avg in ("micro", "macro", "samples")
    }
    return {
        "subset_accuracy": subset_accuracy(Y_true, Y_pred),
        "hamming_loss": float(hamming_loss(Y_true, Y_pred)),
        **f1,
        "count_accuracy": count_accuracy(Y_true, Y_pred),
    }


def multilabel_report(Y_true, Y_pred, *, target_names=None) -> dict[str, dict]:
    """Per-class precision, recall, F1 and support.

    Parameters
    ----------
    Y_true, Y_pred : array-like of shape (n, n_labels)
        Multi-hot indicators.
    target_names : sequence of str, default=None
        Names of the labels; their indices by default.

    Returns
    -------
    report : dict
        For each label, a dict of ``precision``, ``recall``, ``f1`` and
        ``support`` (canvases that hold it).

    Examples
    --------
    >>> from skfashion.metrics import multilabel_report
    >>> report = multilabel_report([[1, 0], [1, 1]], [[1, 0], [0, 1]],
    ...                            target_names=["Bag", "Coat"])
    >>> report["Bag"]["recall"], report["Coat"]["precision"]
    (0.5, 1.0)
    """
    Y_true, Y_pred = _check_indicators(Y_true, Y_pred)
    names = target_names if target_names is not None else range(Y_true.shape[1])
    precision, recall, f1, support = precision_recall_fscore_support(
        Y_true, Y_pred, average=None, zero_division=1.0
    )
    return {
        str(name): {
            "precision": float(p),
            "recall": float(r),
            "f1": float(f),
            "support": int(s),
        }
        for name, p, r, f, s in zip(names, precision, recall, f1, support, strict=True)
    }


def multilabel_scorers() -> dict:
    """Scorers for ``GridSearchCV(scoring=...)`` and ``cross_validate``.

    Returns
    -------
    scorers : dict
        ``subset_accuracy``, ``neg_hamming_loss``, ``f1_micro``,
        ``f1_samples`` and ``count_accuracy``, each from
        :func:`~sklearn.metrics.make_scorer`.

    Examples
    --------
    >>> from skfashion.metrics import multilabel_scorers
    >>> sorted(multilabel_scorers())[:2]
    ['count_accuracy', 'f1_micro']
    """
    return {
        "subset_accuracy": make_scorer(subset_accuracy),
        "neg_hamming_loss": make_scorer(hamming_loss, greater_is_better=False),
        "f1_micro": make_scorer(f1_score, average="micro", zero_division=1.0),
        "f1_samples": make_scorer(f1_score, average="samples", zero_division=1.0),
        "count_accuracy": make_scorer(count_accuracy),
    }


# -- layouts: what is in each cell ----------------------------------------------


def check_layouts(layout_true, layout_pred, n_classes: int | None = None):
    """Two layouts as arrays, or a ValueError that says what is wrong.

    A layout is (n_canvases, n_cells) integers: a class in ``[0, n_classes)``
    or -1 (empty) per cell, as :attr:`MultiObjectComposer.layout_
    <skfashion.augment.MultiObjectComposer>` and ``predict_layout`` give.

    Examples
    --------
    >>> from skfashion.metrics import check_layouts
    >>> [a.tolist() for a in check_layouts([[0, -1]], [[0, 2]])]
    [[[0, -1]], [[0, 2]]]
    """
    layout_true, layout_pred = np.asarray(layout_true), np.asarray(layout_pred)
    if layout_true.ndim != 2 or layout_true.shape != layout_pred.shape:
        raise ValueError(
            "layouts must be of the same shape (n_canvases, n_cells), got "
            f"{layout_true.shape} and {layout_pred.shape}"
        )
    for layout in (layout_true, layout_pred):
        if layout.dtype.kind not in "iu":
            raise ValueError(f"layouts hold integer classes, got dtype {layout.dtype}")
        high = n_classes - 1 if n_classes is not None else None
        if layout.size and (
            layout.min() < -1 or (high is not None and layout.max() > high)
        ):
            raise ValueError(
                "layouts hold a class in [0, n_classes) or -1 (empty) per cell, "
                f"got values in [{layout.min()}, {layout.max()}]"
            )
    return layout_true, layout_pred


def labels_from_layout(layout, n_classes: int) -> np.ndarray:
    """The multi-hot labels of canvases: the classes present in their cells.

    Parameters
    ----------
    layout : array-like of shape (n_canvases, n_cells)
        The class in each cell, ``-1`` when empty.
    n_classes : int
        Columns of the result.

    Returns
    -------
    Y : ndarray of shape (n_canvases, n_classes), dtype int

    Examples
    --------
    >>> from skfashion.metrics import labels_from_layout
    >>> labels_from_layout([[2, -1, 2, 0]], n_classes=3).tolist()
    [[1, 0, 1]]
    """
    layout = np.asarray(layout)
    Y = np.zeros((len(layout), n_classes), dtype=int)
    canvases, cells = np.nonzero(layout >= 0)
    Y[canvases, layout[canvases, cells]] = 1
    return Y


def cell_accuracy(layout_true, layout_pred) -> float:
    """Fraction of cells whose content (a class, or empty) is right.

    Parameters
    ----------
    layout_true, layout_pred : array-like of shape (n_canvases, n_cells)
        The class in each cell, ``-1`` when empty (as
        :attr:`MultiObjectComposer.layout_` and ``predict_layout`` give them).

    Returns
    -------
    score : float

    Examples
    --------
    >>> from skfashion.metrics import cell_accuracy
    >>> cell_accuracy([[3, -1, -1, 7]], [[3, -1, 2, 7]])
    0.75
    """
    layout_true, layout_pred = check_layouts(layout_true, layout_pred)
    return float(np.mean(layout_true == layout_pred))


def item_accuracy(layout_true, layout_pred) -> float:
    """Fraction of the cells holding an item whose class is named right.

    Parameters
    ----------
    layout_true, layout_pred : array-like of shape (n_canvases, n_cells)
        The class in each cell, ``-1`` when empty.

    Returns
    -------
    score : float
        ``nan`` when no cell holds an item.

    Examples
    --------
    >>> from skfashion.metrics import item_accuracy
    >>> item_accuracy([[3, -1, -1, 7]], [[3, -1, 2, 1]])
    0.5
    """
    layout_true, layout_pred = check_layouts(layout_true, layout_pred)
    items = layout_true >= 0
    if not items.any():
        return float("nan")
    return float(np.mean(layout_true[items] == layout_pred[items]))


def item_count_accuracy(layout_true, layout_pred) -> float:
    """Fraction of canvases whose number of items is right, duplicates counted.

    Unlike :func:`count_accuracy`, two items of the same class count as two.

    Parameters
    ----------
    layout_true, layout_pred : array-like of shape (n_canvases, n_cells)
        The class in each cell, ``-1`` when empty.

    Returns
    -------
    score : float

    Examples
    --------
    >>> from skfashion.metrics import item_count_accuracy
    >>> true = [[3, 3, -1, -1], [-1, -1, -1, -1]]
    >>> item_count_accuracy(true, [[3, 5, -1, -1], [1, -1, -1, -1]])
    0.5
    """
    layout_true, layout_pred = check_layouts(layout_true, layout_pred)
    return float(
        np.mean((layout_true >= 0).sum(axis=1) == (layout_pred >= 0).sum(axis=1))
    )


def cell_confusion_matrix(layout_true, layout_pred, *, n_classes: int = 10):
    """Confusion of cell contents; "empty" is the first row and column.

    Parameters
    ----------
    layout_true, layout_pred : array-like of shape (n_canvases, n_cells)
        The class in each cell, ``-1`` when empty.
    n_classes : int, default=10
        Classes are ``0 .. n_classes - 1``.

    Returns
    -------
    matrix : ndarray of shape (n_classes + 1, n_classes + 1)
        ``matrix[i, j]``: cells holding ``i - 1`` (row 0: empty) read as
        ``j - 1``.

    Examples
    --------
    >>> from skfashion.metrics import cell_confusion_matrix
    >>> cell_confusion_matrix([[0, -1]], [[1, -1]], n_classes=2)
    array([[1, 0, 0],
           [0, 0, 1],
           [0, 0, 0]])
    """
    layout_true, layout_pred = check_layouts(layout_true, layout_pred, n_classes)
    return confusion_matrix(
        layout_true.ravel(), layout_pred.ravel(), labels=np.arange(-1, n_classes)
    )


def subset_accuracy_by_count(Y_true, Y_pred, counts) -> dict[int, float]:
    """Subset accuracy of the canvases holding each number of items.

    Parameters
    ----------
    Y_true, Y_pred : array-like of shape (n, n_labels)
        Multi-hot indicators.
    counts : array-like of shape (n,)
        Items on each canvas (duplicates counted).

    Returns
    -------
    scores : dict
        ``{count: subset accuracy}`` for each count present.

    Examples
    --------
    >>> from skfashion.metrics import subset_accuracy_by_count
    >>> subset_accuracy_by_count([[1, 0], [1, 1]], [[1, 0], [1, 0]], [1, 2])
    {1: 1.0, 2: 0.0}
    """
    Y_true, Y_pred = _check_indicators(Y_true, Y_pred)
    counts = np.asarray(counts)
    right = np.all(Y_true == Y_pred, axis=1)
    return {int(k): float(right[counts == k].mean()) for k in np.unique(counts)}


def layout_summary(layout_true, layout_pred) -> dict[str, float]:
    """The per-cell figures, in one dict.

    Parameters
    ----------
    layout_true, layout_pred : array-like of shape (n_canvases, n_cells)
        The class in each cell, ``-1`` when empty.

    Returns
    -------
    summary : dict
        ``cell_accuracy``, ``item_accuracy`` and ``item_count_accuracy``.

    Examples
    --------
    >>> from skfashion.metrics import layout_summary
    >>> layout_summary([[3, -1]], [[3, -1]])["item_count_accuracy"]
    1.0
    """
    return {
        "cell_accuracy": cell_accuracy(layout_true, layout_pred),
        "item_accuracy": item_accuracy(layout_true, layout_pred),
        "item_count_accuracy": item_count_accuracy(layout_true, layout_pred),
    }
