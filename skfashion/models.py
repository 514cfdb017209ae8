"""Keras CNNs as scikit-learn classifiers: single-label and multi-label.

:class:`CNNClassifier` names the one item of an image (the tutorial's network,
or the grid-aware one); :class:`MultiLabelTransfer` reuses a fitted one to
name every item on a canvas. Both are scikeras ``KerasClassifier``
subclasses, repaired for scikit-learn >= 1.6, so they work in pipelines,
cross-validation, grid search and joblib. They live in
:mod:`skfashion.classifier` and :mod:`skfashion.transfer`; this module gathers
them with the model files' :func:`dump` and :func:`load`.
"""

from __future__ import annotations

from .classifier import PRESETS, CNNClassifier
from .transfer import MultiLabelTransfer

__all__ = ["PRESETS", "CNNClassifier", "MultiLabelTransfer", "dump", "load"]

_FILE_TAG = "skfashion-model"


def dump(estimator, path) -> None:
    """Save a fitted model (or Pipeline) to ``path`` with joblib, tagged as ours.

    Parameters
    ----------
    estimator : CNNClassifier, MultiLabelTransfer or Pipeline
        A fitted model.
    path : str or path-like
        Where to write it.
    """
    import joblib

    joblib.dump({"format": _FILE_TAG, "estimator": estimator}, path)


def load(path):
    """Load a model saved by :func:`dump` (or ``skfashion train``).

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    estimator : CNNClassifier, MultiLabelTransfer or Pipeline

    Raises
    ------
    ValueError
        If the file is not a model saved by skfashion.
    """
    import joblib

    try:
        content = joblib.load(path)
    except FileNotFoundError:
        raise
    except Exception as exc:  # pickle raises many kinds for a foreign file
        raise ValueError(f"{path} is not a skfashion model file ({exc})") from None
    if not isinstance(content, dict) or content.get("format") != _FILE_TAG:
        raise ValueError(
            f"{path} is not a skfashion model file (save one with skfashion train)"
        )
    return content["estimator"]
