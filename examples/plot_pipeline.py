"""
A Pipeline: expand, then classify
=================================

``Pipeline([QuadrantExpander(), CNNClassifier()])`` is the tutorial's
single-label recipe in two steps. Test images go through the same expander
at prediction time.
"""

# %%
import os

import matplotlib.pyplot as plt
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.pipeline import Pipeline

from skfashion.augment import QuadrantExpander
from skfashion.datasets import CLASS_NAMES, load_fashion_mnist
from skfashion.models import CNNClassifier
from skfashion.plotting import TrainingHistoryDisplay

FAST = os.environ.get("SKFASHION_FAST", "0") not in ("", "0")  # docs tests
N_TRAIN, N_TEST, EPOCHS = (600, 200, 1) if FAST else (20_000, 5_000, 5)

train, test = load_fashion_mnist(), load_fashion_mnist(subset="test")
pipe = Pipeline(
    [
        ("expand", QuadrantExpander(random_state=0)),
        ("cnn", CNNClassifier(epochs=EPOCHS, validation_split=0.1, random_state=0)),
    ]
)
pipe.fit(train.images[:N_TRAIN], train.target[:N_TRAIN])
X_test, y_test = test.images[:N_TEST], test.target[:N_TEST]
print(f"test accuracy: {pipe.score(X_test, y_test):.3f}")

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
TrainingHistoryDisplay.from_estimator(pipe["cnn"]).plot(left, metric="accuracy")
ConfusionMatrixDisplay.from_estimator(
    pipe,
    X_test,
    y_test,
    display_labels=CLASS_NAMES,
    ax=right,
    colorbar=False,
    xticks_rotation=45,
)
fig.tight_layout()
plt.show()
