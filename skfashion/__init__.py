"""skfashion: scikit-learn compatible Fashion-MNIST toolkit.

Multi-class and multi-label image classification with Keras CNNs, and
augmentations that insert clothing items into larger canvases.

The names below are imported when first used, so that ``import skfashion``
and the command line's answers start at once (scikit-learn takes a second and
a half to import, TensorFlow seven).
"""

from __future__ import annotations

import importlib

__version__ = "0.2.0.dev0"

#: Each public name, and the module it lives in.
_MODULES = {
    "CLASS_NAMES": "datasets",
    "MultiObjectComposer": "augment",
    "QuadrantExpander": "augment",
    "class_name": "datasets",
    "export": "exporter",
    "load": "persistence",
    "load_exported": "exported",
    "load_fashion_mnist": "datasets",
    "model_card": "zoo",
    "pretrained": "zoo",
    "read_picture": "reading",
    "save": "persistence",
}

__all__ = sorted(_MODULES)


def __getattr__(name: str):
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'skfashion' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
