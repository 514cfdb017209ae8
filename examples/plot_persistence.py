"""
Saving and loading models
=========================

:func:`skfashion.save` writes a fitted model or pipeline to one file that
:func:`skfashion.load` reads without unpickling anything; ``joblib.dump``
and ``joblib.load`` work too, but loading a joblib file runs whatever code it
holds. Both give identical predictions, frozen layers and thresholds
included.
"""

# %%
import os
import tempfile
from pathlib import Path

import joblib
import numpy as np
from sklearn.pipeline import Pipeline

import skfashion
from skfashion.augment import MultiObjectComposer, QuadrantExpander
from skfashion.datasets import load_fashion_mnist
from skfashion.models import CNNClassifier, MultiLabelTransfer

FAST = os.environ.get("SKFASHION_FAST", "0") not in ("", "0")  # docs tests
N_TRAIN = 600 if FAST else 20_000

train = load_fashion_mnist()
X, y = train.images[: N_TRAIN // 2], train.target[: N_TRAIN // 2]
pipe = Pipeline(
    [
        ("expand", QuadrantExpander(random_state=0)),
        ("cnn", CNNClassifier(epochs=1, random_state=0)),
    ]
).fit(X, y)
canvases, Y = MultiObjectComposer(random_state=0).fit_resample(X, y)
transfer = MultiLabelTransfer(pipe, epochs=1, threshold=0.4, random_state=0)
transfer.fit(canvases, Y)

# %%
# The safe format, then joblib. ``skfashion.load`` opens a joblib file only
# when told to trust it.
with tempfile.TemporaryDirectory() as folder:
    for name, model, data in [("pipeline", pipe, X), ("transfer", transfer, canvases)]:
        for suffix in ("skf", "joblib"):
            path = Path(folder) / f"{name}.{suffix}"
            if suffix == "skf":
                skfashion.save(model, path)
                loaded = skfashion.load(path)
            else:
                joblib.dump(model, path)
                loaded = skfashion.load(path, trust_pickle=True)
            same = np.array_equal(loaded.predict(data), model.predict(data))
            size = path.stat().st_size / 1e6
            print(f"{name}.{suffix}: {size:.1f} MB, same predictions: {same}")
print("frozen weights after loading:", len(loaded.model_.non_trainable_weights))
