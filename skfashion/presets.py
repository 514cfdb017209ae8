"""Named settings of :class:`~skfashion.models.CNNClassifier`, chosen by measurement.

Plain data, importable without Keras (the command line lists the names).
``docs/benchmarks.md`` gives what each one reaches.
"""

from __future__ import annotations

__all__ = ["PRESETS", "UNSURE"]

#: The presets' ``test_flip``: mirror at test time the items whose largest
#: probability is below it (:func:`skfashion.forward.predict_in_batches`). On
#: the 10,000 Fashion-MNIST test items the shipped ``fast``, ``strong`` and
#: ``strong-namer`` mirror 27%, 13% and 15% of them at 0.8 and name them
#: exactly as when every item is mirrored (0.9286, 0.9474, 0.9448).
UNSURE = 0.8

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
        "test_flip": UNSURE,
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
    "test_flip": UNSURE,
    "epochs": 30,
}
PRESETS["quick"] = {
    **PRESETS["fast"],
    "filters": (16, 32, 32),
    "flip": False,
    "test_flip": False,
    "epochs": 2,
}
