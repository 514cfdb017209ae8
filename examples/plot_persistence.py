"""
Saving and loading models with joblib
=====================================

Fitted pipelines and models, frozen layers and thresholds included, survive
``joblib.dump`` and ``joblib.load`` with identical predictions.
"""

# %%
import tempfile
from pathlib import Path

import joblib
import numpy as np
from _settings import N_TRAIN
from sklearn.pipeline import Pipeline

from skfashion.augment import MultiObjectComposer, QuadrantExpander
from skfashion.datasets import load_fashion_mnist
from skfashion.models import CNNClassifier, MultiLabelTransfer

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
with tempfile.TemporaryDirectory() as folder:
    for name, model, data in [("pipeline", pipe, X), ("transfer", transfer, canvases)]:
        path = Path(folder) / f"{name}.joblib"
        joblib.dump(model, path)
        loaded = joblib.load(path)
        same = np.array_equal(loaded.predict(data), model.predict(data))
        print(f"{name}: {path.stat().st_size / 1e6:.1f} MB, same predictions: {same}")
print("frozen weights after loading:", len(loaded.model_.non_trainable_weights))
