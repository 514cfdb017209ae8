"""
Fresh composites in every epoch
===============================

The tutorial's last section draws new random composites for every batch
instead of a fixed set. Pass the augmenter as ``augment``: ``fit`` then takes
the raw items and their labels, and each batch is composed anew. Validation
composites are drawn once and kept, so the curves compare like with like.
"""

# %%
import os

import matplotlib.pyplot as plt

from skfashion.augment import MultiObjectComposer, QuadrantExpander
from skfashion.datasets import load_fashion_mnist
from skfashion.models import CNNClassifier, MultiLabelTransfer
from skfashion.plotting import TrainingHistoryDisplay

FAST = os.environ.get("SKFASHION_FAST", "0") not in ("", "0")  # docs tests
N_TRAIN, N_TEST, EPOCHS = (600, 200, 1) if FAST else (20_000, 5_000, 5)

train, test = load_fashion_mnist(), load_fashion_mnist(subset="test")
X, y = train.images[:N_TRAIN], train.target[:N_TRAIN]
cnn = CNNClassifier(epochs=EPOCHS, augment=QuadrantExpander(), random_state=0).fit(X, y)

fixed = MultiLabelTransfer(cnn, epochs=EPOCHS, validation_split=0.2, random_state=0)
fixed.fit(*MultiObjectComposer(random_state=0).fit_resample(X, y))
fresh = MultiLabelTransfer(
    cnn,
    augment=MultiObjectComposer(),
    epochs=EPOCHS,
    validation_split=0.2,
    random_state=0,
).fit(X, y)

canvases, Y = MultiObjectComposer(random_state=1).fit_resample(
    test.images[:N_TEST], test.target[:N_TEST]
)
print(f"subset accuracy, fixed composites: {fixed.score(canvases, Y):.3f}")
print(f"subset accuracy, fresh composites: {fresh.score(canvases, Y):.3f}")

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4), sharey=True)
TrainingHistoryDisplay.from_estimator(fixed).plot(left)
left.set_title("one fixed set of composites")
TrainingHistoryDisplay.from_estimator(fresh).plot(right)
right.set_title("fresh composites every batch")
plt.show()
