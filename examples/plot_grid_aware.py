"""
Cell by cell: the grid-aware network and the cell-wise head
===========================================================

A canvas is a grid of item-sized cells. ``CNNClassifier.from_preset("fast")``
reads it cell by cell: whichever cell holds the item, the probabilities are
the same, and empty cells cost nothing. ``MultiLabelTransfer(head="cells")``
reuses its convolution tower to name the content of every cell, so it counts
and locates items too.
"""

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

from skfashion.augment import MultiObjectComposer, QuadrantExpander
from skfashion.datasets import load_fashion_mnist
from skfashion.metrics import layout_summary, subset_accuracy
from skfashion.models import CNNClassifier, MultiLabelTransfer
from skfashion.plotting import CellPredictionsDisplay, layout_count_confusion

FAST = os.environ.get("SKFASHION_FAST", "0") not in ("", "0")  # docs tests
N_TRAIN, N_TEST, EPOCHS = (600, 200, 1) if FAST else (20_000, 5_000, 5)

train, test = load_fashion_mnist(), load_fashion_mnist(subset="test")
X, y = train.images[:N_TRAIN], train.target[:N_TRAIN]
cnn = CNNClassifier.from_preset("fast", epochs=EPOCHS, random_state=0)
cnn.set_params(augment=QuadrantExpander()).fit(X, y)  # trains on the items

# %%
# The same test items in each of the four cells: identical probabilities.
items = test.images[:N_TEST]
proba = [
    cnn.predict_proba(QuadrantExpander(cell=c).fit_transform(items)) for c in range(4)
]
print(
    "largest difference between cells:", max(np.abs(p - proba[0]).max() for p in proba)
)
print(f"test accuracy: {cnn.score(items, test.target[:N_TEST]):.3f}")

# %%
# The cell-wise head learns from the layouts of fresh composites.
transfer = MultiLabelTransfer(
    cnn, head="cells", augment=MultiObjectComposer(), epochs=EPOCHS, random_state=0
).fit(X, y)
composer = MultiObjectComposer(random_state=1)
canvases, Y = composer.fit_resample(items, test.target[:N_TEST])
layout = transfer.predict_layout(canvases)
print(f"subset accuracy: {subset_accuracy(Y, transfer.predict(canvases)):.3f}")
for name, value in layout_summary(composer.layout_, layout).items():
    print(f"{name}: {value:.3f}")

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(13, 6))
CellPredictionsDisplay(canvases[:12], layout[:12], composer.layout_[:12]).plot(
    left, n_cols=4
)
layout_count_confusion(composer.layout_, layout, ax=right)
fig.tight_layout()
plt.show()
