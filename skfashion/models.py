"""Keras CNNs as scikit-learn classifiers: single-label and multi-label.

:class:`CNNClassifier` names the one item of an image (the tutorial's network,
or the grid-aware one); :class:`MultiLabelTransfer` reuses a fitted one to
name every item on a canvas. Both are scikeras ``KerasClassifier``
subclasses, repaired for scikit-learn >= 1.6, so they work in pipelines,
cross-validation, grid search and joblib. They live in
:mod:`skfashion.classifier` and :mod:`skfashion.transfer`; this module gathers
them with the model files' :func:`~skfashion.persistence.save` and
:func:`~skfashion.persistence.load`.
"""

from __future__ import annotations

from .classifier import PRESETS, CNNClassifier
from .persistence import load, save
from .transfer import MultiLabelTransfer

__all__ = ["PRESETS", "CNNClassifier", "MultiLabelTransfer", "load", "save"]
