"""Product photos of test items: read as well as the items themselves?

Usage::

    python benchmarks/bench_photos.py --model reports/demo/cnn.skf [--n 1000]

Each of the first ``--n`` test items is drawn as a product photo
(``product_photo`` of ``tests/photos.py``): dark on a light grey gradient
(levels drawn between 150 and 250), a soft shadow, off centre, 80 to 400
pixels, every other one saved as JPEG (quality 75) and the rest as PNG. The
photos are read back from their bytes by :func:`~skfashion.images.item_from_picture`,
as ``skfashion predict`` reads files, and the model's top-1 accuracy on them is
compared with its accuracy on the items themselves. The reading skfashion
0.1 used (invert when the border is light, crop at 10% of the maximum) is
scored too.

Results go to ``benchmarks/results/photos.json``.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

import skfashion
from skfashion.datasets import load_fashion_mnist
from skfashion.images import item_from_picture

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from photos import as_file, product_photo


def photo_file(item, rng, index) -> io.BytesIO:
    """One item as the bytes of a product photo of random size and look."""
    side = rng.randint(80, 401)
    size = (int(side * rng.uniform(0.8, 1.5)), side)
    low = rng.uniform(150, 230)
    photo = product_photo(
        item,
        size=size,
        background=(low, min(255, low + rng.uniform(0, 40))),
        scale=rng.uniform(0.4, 0.85),
        position=tuple(rng.uniform(0, 1, size=2)),
        shadow=rng.uniform(0, 0.25),
        random_state=rng,
    )
    return as_file(photo, "JPEG" if index % 2 else "PNG")


def previous_reading(picture) -> np.ndarray:
    """skfashion 0.1's reading: invert on a light border, crop, resize."""
    grey = np.asarray(Image.open(picture).convert("L"), dtype=np.float64)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    grey = 255 - grey if np.median(border) > 127 else grey
    rows, cols = np.nonzero(grey > 0.1 * grey.max())
    grey = grey[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    side = max(grey.shape)
    square = np.zeros((side, side))
    top, left = (side - grey.shape[0]) // 2, (side - grey.shape[1]) // 2
    square[top : top + grey.shape[0], left : left + grey.shape[1]] = grey
    image = Image.fromarray(square.astype(np.uint8))
    return np.asarray(image.resize((28, 28), Image.Resampling.LANCZOS))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="reports/demo/cnn.skf")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--out", default="benchmarks/results/photos.json")
    args = parser.parse_args()

    model = skfashion.load(args.model)
    test = load_fashion_mnist(subset="test")
    items, target = test.images[: args.n], test.target[: args.n]
    rng = np.random.RandomState(0)
    files = [photo_file(item, rng, i) for i, item in enumerate(items)]
    start = time.perf_counter()
    read = np.stack([item_from_picture(f) for f in files])
    seconds = time.perf_counter() - start
    old = np.stack([previous_reading(f) for f in files])

    def accuracy(images):
        return float(np.mean(model.predict(images) == target))

    results = {
        "model": args.model,
        "n_photos": args.n,
        "accuracy_items": accuracy(items),
        "accuracy_photos": accuracy(read),
        "accuracy_photos_previous_reading": accuracy(old),
        "mean_abs_pixel_error": float(np.abs(read.astype(float) - items).mean()),
        "read_seconds_per_photo": seconds / args.n,
    }
    for key, value in results.items():
        print(f"{key:34s} {value}")
    Path(args.out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
