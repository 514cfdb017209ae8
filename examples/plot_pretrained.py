"""
Predicting with a shipped model
===============================

skfashion ships trained models: :func:`skfashion.pretrained` returns one,
fitted, with no training. Each has a card (:func:`skfashion.model_card`) that
says how it was trained and what it scored.
"""

# %%
import matplotlib.pyplot as plt

import skfashion
from skfashion.augment import MultiObjectComposer, QuadrantExpander
from skfashion.plotting import CellPredictionsDisplay, ProbabilityBarDisplay

print(skfashion.pretrained())  # the names
card = skfashion.model_card("strong")
print(card["intended_use"], "-", card["test"]["accuracy"], "on", card["test"]["items"])

# %%
# A fitted CNNClassifier: it scores the expanded test items at once.
test = skfashion.load_fashion_mnist(subset="test")
X, y = test.images[:1000], test.target[:1000]
model = skfashion.pretrained("strong")
canvases = QuadrantExpander(random_state=1).fit_transform(X)
print("accuracy on 1,000 test canvases:", model.score(canvases, y))

fig, ax = plt.subplots(figsize=(7, 3))
ProbabilityBarDisplay.from_estimator(model, canvases[0], y[0]).plot(ax=ax)

# %%
# The cells head on it names every item of a composite, cell by cell.
cells = skfashion.pretrained("strong-cells")
composer = MultiObjectComposer(random_state=1)
composites, Y = composer.fit_resample(X, y)
print("subset accuracy on 1,000 test composites:", cells.score(composites, Y))

fig, ax = plt.subplots(figsize=(8, 5))
CellPredictionsDisplay.from_estimator(cells, composites[:8], composer.layout_[:8]).plot(
    ax=ax
)
plt.show()
