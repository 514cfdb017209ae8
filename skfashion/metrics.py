"""Multi-label evaluation you can trust, on scikit-learn's metrics.

Keras' ``accuracy`` on a sigmoid head compares each of the ten outputs
separately, so a network that predicts "nothing" on every canvas already
scores about 0.8: it says little. These measure whole canvases instead.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    hamming_loss,
    make_scorer,
    precision_recall_fscore_support,
)

__all__ = [
    "count_accuracy",
    "multilabel_report",
    "multilabel_scorers",
    "multilabel_summary",
    "subset_accuracy",
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
