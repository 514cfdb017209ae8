"""
Expanding items and composing canvases
======================================

The two augmentations of the tutorial, as scikit-learn estimators:
:class:`~skfashion.augment.QuadrantExpander` puts each 28x28 item in a random
quadrant of a black 56x56 canvas; :class:`~skfashion.augment.MultiObjectComposer`
fills 0 to 4 distinct quadrants and returns the multi-hot labels of what is
visible.
"""

# %%
import matplotlib.pyplot as plt

from skfashion.augment import MultiObjectComposer, QuadrantExpander
from skfashion.datasets import load_fashion_mnist
from skfashion.plotting import ImageGridDisplay

train = load_fashion_mnist()
X, y = train.images[:2000], train.target[:2000]

# %%
# One item per canvas, in a random quadrant. Pixels stay uint8.
expanded = QuadrantExpander(random_state=0).fit_transform(X)
print(X.shape, "->", expanded.shape, expanded.dtype)

fig, ax = plt.subplots(figsize=(7, 9))
ImageGridDisplay.from_classes(expanded, y, n_per_row=5).plot(ax=ax)

# %%
# Several items per canvas. ``layout_`` says which class sits in which cell.
composer = MultiObjectComposer(random_state=0)
canvases, Y = composer.fit_resample(X, y)
print(composer.layout_[:3])
print(Y[:3])

fig, ax = plt.subplots(figsize=(7, 6))
counts = (composer.layout_ >= 0).sum(axis=1)
ImageGridDisplay.from_item_counts(canvases, counts, n_per_row=5).plot(ax=ax)
plt.show()
