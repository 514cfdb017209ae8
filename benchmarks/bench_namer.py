"""The namer by size: items cut from their true boxes and named, at 18 to 90 px.

Usage::

    python benchmarks/bench_namer.py [--models fast strong fast-anywhere ...]
        [--n 2000] [--out benchmarks/results/namer.json]

A finder that boxes every item still reads it wrong if its namer cannot name
items of every size. This script isolates the namer: the same ``--n`` test
items (of the 10,000) are resized with Pillow (bilinear, code of its own) to
each size, put on a black canvas, and cut back from their ink's true box as
the anywhere head cuts the boxes it finds
(:func:`skfashion.boxes.crop_items`: a square around the box, resized to the
base's 28x28). Each model names the same cuts:

- a head of items anywhere with its namer (the network that names the boxes
  ``predict_boxes`` finds), with flips where its base predicts with them;
- a single-item model with its network of one item (the cell of a
  grid-aware model), with its own test-time flips.

Accuracy by size goes to ``--out``; ``unresized`` is the items as they are.
Shipped models are given by name, others by model file; ``a+b`` names by
the mean of both models' probabilities.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
from PIL import Image

from skfashion._quiet import import_keras_quietly

import_keras_quietly()

from skfashion import load_fashion_mnist  # noqa: E402
from skfashion.boxes import crop_items  # noqa: E402
from skfashion.forward import predict_in_batches  # noqa: E402
from skfashion.models import load  # noqa: E402
from skfashion.zoo import pretrained  # noqa: E402

#: The longer sides, in pixels, the items are resized to (the issue's 18-90).
SIZES = (18, 21, 28, 36, 42, 56, 72, 90)


def cuts_at(items: np.ndarray, size: int, rng) -> np.ndarray:
    """Each item resized to ``size`` (Pillow), on a canvas, cut from its box."""
    side = size + 8
    canvases = np.zeros((len(items), side, side), np.uint8)
    boxes = np.zeros((len(items), 4))
    for i, item in enumerate(items):  # Pillow resizes one image at a time
        patch = np.asarray(Image.fromarray(item).resize((size, size), Image.BILINEAR))
        x, y = rng.randint(0, side - size + 1, size=2)
        canvases[i, y : y + size, x : x + size] = patch
        ys, xs = np.nonzero(patch)
        boxes[i] = x + xs.min(), y + ys.min(), x + xs.max() + 1, y + ys.max() + 1
    return crop_items(canvases, np.arange(len(items)), boxes, (28, 28))


def namer_of(model):
    """Class probabilities of 28x28 cuts (floats in [0, 255]) by ``model``."""
    if hasattr(model, "head_part"):  # a head: its namer, flipped as predict_boxes does
        return model.head_part.name_items
    return lambda cuts: predict_in_batches(
        model.model_, cuts[..., None], mirror=getattr(model, "test_flip", False)
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--models",
        nargs="+",
        default=[
            "fast",
            "strong",
            "fast-anywhere",
            "strong-namer",
            "fast-anywhere+strong",
            "fast-anywhere+strong-namer",
            "strong-namer+strong",
        ],
    )
    parser.add_argument("--n", type=int, default=2000, help="test items per size")
    parser.add_argument("--out", default="benchmarks/results/namer.json")
    args = parser.parse_args(argv)

    X, y = load_fashion_mnist(subset="test", return_X_y=True)
    chosen = np.random.RandomState(0).choice(len(X), args.n, replace=False)
    items, labels = X.reshape(-1, 28, 28)[chosen], y[chosen]
    cuts = {"unresized": items.astype(np.float32)}
    for size in SIZES:
        cuts[str(size)] = cuts_at(items, size, np.random.RandomState(size))
    results = {"items": args.n, "sizes": list(cuts), "accuracy": {}}
    for name in args.models:  # "a+b": the mean of a's and b's probabilities
        namers = [
            namer_of(load(part) if os.path.exists(part) else pretrained(part))
            for part in name.split("+")
        ]
        start = time.perf_counter()
        accuracy = {
            size: float(
                (sum(namer(cut) for namer in namers).argmax(1) == labels).mean()
            )
            for size, cut in cuts.items()
        }
        results["accuracy"][name] = accuracy
        print(
            name,
            {k: round(v, 4) for k, v in accuracy.items()},
            f"({time.perf_counter() - start:.1f} s)",
            flush=True,
        )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    main()
