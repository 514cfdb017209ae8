"""Sweep of single-label recipes against time: ``CNNClassifier`` on all items.

::

    python benchmarks/sweep_fast.py '{"epochs": 5}' '{"tower": "res", ...}' ...

Each argument is a JSON object of parameters over the ``fast`` preset; each
prints one JSON line: the parameters, weights, multiply-adds per item, test
accuracy on the 10,000 test items (the grid-aware network reads an expanded
canvas's one inked cell: the same), the same with the mean over the test
items shifted by one pixel in each of the four directions too (five views,
each with its mirror image where ``test_flip``), and training wall and CPU
seconds. The
60,000 training items, seed 0, are given raw (``grid=(1, 1)``).
"""

import json
import sys
import time

import numpy as np

from skfashion.datasets import load_fashion_mnist
from skfashion.models import CNNClassifier
from skfashion.networks import multiply_adds


def _shifted(images, dy, dx):
    """``images`` moved by ``(dy, dx)`` pixels, black where they uncover."""
    out = np.zeros_like(images)
    h, w = images.shape[1:]
    out[:, max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = images[
        :, max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out


def main():
    train = load_fashion_mnist()
    test = load_fashion_mnist(subset="test")
    for arg in sys.argv[1:]:
        params = json.loads(arg)
        if "filters" in params:
            params["filters"] = tuple(params["filters"])
        cnn = CNNClassifier.from_preset("fast", grid=(1, 1), random_state=0, **params)
        wall, cpu = time.perf_counter(), time.process_time()
        cnn.fit(train.images, train.target)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        accuracy = cnn.score(test.images, test.target)
        proba = sum(
            cnn.predict_proba(_shifted(test.images, dy, dx))
            for dy, dx in ((0, 0), (0, 1), (0, -1), (1, 0), (-1, 0))
        )
        shifted = np.mean(cnn.classes_[proba.argmax(axis=1)] == test.target)
        row = {
            "params": json.loads(arg),
            "weights": cnn.model_.count_params(),
            "multiply_adds": multiply_adds(cnn.model_),
            "accuracy": round(float(accuracy), 4),
            "accuracy_5_shifts": round(float(shifted), 4),
            "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1),
        }
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
