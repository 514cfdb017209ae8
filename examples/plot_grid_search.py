"""
Grid search over dropout and filters
====================================

:class:`~skfashion.models.CNNClassifier` is a scikit-learn classifier, so
``GridSearchCV`` uses stratified folds and its hyper-parameters are plain
parameters of the pipeline.
"""

# %%
import os

from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skfashion.augment import QuadrantExpander
from skfashion.datasets import load_fashion_mnist
from skfashion.models import CNNClassifier

FAST = os.environ.get("SKFASHION_FAST", "0") not in ("", "0")  # docs tests
N_TRAIN = 600 if FAST else 20_000

train = load_fashion_mnist()
n = N_TRAIN // (4 if FAST else 2)
pipe = Pipeline(
    [
        ("expand", QuadrantExpander(random_state=0)),
        ("cnn", CNNClassifier(epochs=1 if FAST else 3, random_state=0)),
    ]
)
filters = [(8, 16, 32)] if FAST else [(8, 16, 32), (16, 32, 64)]
grid = {"cnn__dropout": [0.1, 0.3], "cnn__filters": filters}
search = GridSearchCV(pipe, grid, cv=2 if FAST else 3).fit(
    train.images[:n], train.target[:n]
)

# %%
for params, score in zip(
    search.cv_results_["params"], search.cv_results_["mean_test_score"], strict=True
):
    print(f"{score:.3f}  {params}")
print("best:", search.best_params_)
