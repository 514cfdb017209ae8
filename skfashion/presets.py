"""Named settings of :class:`~skfashion.models.CNNClassifier`, chosen by measurement.

Plain data, importable without Keras (the command line lists the names).
``docs/benchmarks.md`` gives what each one reaches.
"""

from __future__ import annotations

__all__ = ["PRESETS"]

#: Named settings of :class:`~skfashion.models.CNNClassifier`
#: (see :meth:`~skfashion.models.CNNClassifier.from_preset`).
PRESETS: dict[str, dict] = {
    "tutorial": {},
    "fast": {
        "architecture": "cells",
        "tower": "bn",
        "filters": (16, 64, 64),
        "dropout": 0.3,
        "batch_size": 128,
        "learning_rate": 3e-3,
        "lr_schedule": "cosine",
        "label_smoothing": 0.1,
        "flip": True,
        "test_flip": True,
        "epochs": 10,
    },
}
PRESETS["strong"] = {
    **PRESETS["fast"],
    "tower": "res",
    "filters": (32, 64, 128),
    "pooling": "average",
    "dropout": 0.1,
    "shift": 2,
    "erase": 0.3,
    "test_flip": True,
    "epochs": 30,
}
PRESETS["quick"] = {
    **PRESETS["fast"],
    "filters": (16, 32, 32),
    "flip": False,
    "test_flip": False,
    "epochs": 2,
}
