"""Any picture, read by default: the shipped readers against each shipped model.

Usage::

    python benchmarks/bench_reader.py [--n 200] [--models NAME ...] [--out FILE]

``skfashion predict PICTURE`` with no ``--model`` reads with the shipped
models (:data:`skfashion.zoo.READERS`). Each kind of picture below is drawn
from the Fashion-MNIST *test* items (``tests/photos.py``), saved as PNG or
JPEG (every other one) and read back from its bytes, and read by the default
reader and by each shipped model given with ``--model``:

- **product photos**: one item, dark on a light grey gradient, off centre,
  80 to 400 pixels: the share named right, and how many were not read as one
  item;
- **outfits**: 2 to 4 items apart on a table (``outfit_photo``): item F1
  (right class and IoU >= 0.5), and the F1 of the boxes alone (any class:
  finding, apart from naming), as for every kind of several items;
- **dark outfits**: the same, light items on a dark table;
- **touching rows**: 2 to 4 items in a row, their ink touching: item F1;
- **large JPEG outfits**: 2500 to 4000 pixels a side: item F1;
- **grid pictures**: 56x56 composites of 0 to 4 items, one per cell: subset
  accuracy (every cell right).

Results go to ``benchmarks/results/reader.json``.
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

from skfashion.augment import MultiObjectComposer
from skfashion.box_metrics import item_scores
from skfashion.datasets import load_fashion_mnist
from skfashion.reading import read_picture
from skfashion.zoo import shared

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from photos import outfit_photo, product_photo, touching_row_photo

MODELS = (None, "fast", "strong", "strong-cells", "fast-anywhere", "strong-namer")


def _file(photo: Image.Image, index: int) -> io.BytesIO:
    data = io.BytesIO()
    photo.save(data, "JPEG" if index % 2 else "PNG", quality=85)
    data.seek(0)
    return data


def products(images, labels, n, rng):
    for i in range(n):
        side = int(rng.randint(80, 401))
        photo = product_photo(
            images[i],
            size=(side, int(side * rng.uniform(0.7, 1.3))),
            scale=rng.uniform(0.45, 0.8),
            position=tuple(rng.uniform(0.1, 0.9, 2)),
            random_state=rng,
        )
        yield _file(photo, i), int(labels[i])


def outfits(images, labels, n, rng, *, large=False, dark=False):
    for i in range(n):
        chosen = rng.randint(len(images), size=rng.randint(2, 5))
        photo, truth = outfit_photo(
            images[chosen], labels[chosen], random_state=rng, dark=dark
        )
        if large:
            factor = rng.uniform(2500, 4000) / max(photo.size)
            size = tuple(round(side * factor) for side in photo.size)
            photo = photo.resize(size, Image.Resampling.BICUBIC)
            truth = np.column_stack([truth[:, :1], np.rint(truth[:, 1:] * factor)])
        yield _file(photo, i if not large else 1), truth.astype(int)


def touching_rows(images, labels, n, rng):
    """2 to 4 items side by side, each item's ink touching the next."""
    for i in range(n):
        chosen = rng.randint(len(images), size=rng.randint(2, 5))
        photo, truth = touching_row_photo(
            images[chosen], labels[chosen], random_state=rng
        )
        yield _file(photo, i), truth


def grids(images, labels, n, rng):
    composer = MultiObjectComposer(n_samples=n, random_state=rng)
    canvases, _ = composer.fit_resample(images, labels)
    for canvas, layout in zip(canvases, composer.layout_, strict=True):
        yield _file(Image.fromarray(canvas), 0), layout  # PNG: exact pixels


def _boxes(reading):
    return np.array(
        [(f.label, *f.box, f.score) for f in reading.items if f.box is not None], float
    ).reshape(-1, 6)


def score(kind, pictures, model):
    start, cpu = time.perf_counter(), time.process_time()
    readings, truths = [], []
    for data, truth in pictures:
        data.seek(0)
        readings.append(read_picture(data, model))
        truths.append(truth)
    row = {"pictures": len(readings)}
    if kind == "products":
        right = [
            bool(r.items) and r.read_as != "items anywhere" and r.items[0].label == t
            for r, t in zip(readings, truths, strict=True)
        ]
        row["right"] = float(np.mean(right))
        row["not_one_item"] = int(
            sum(r.read_as != "item" or len(r.items) < 1 for r in readings)
        )
    elif kind == "grids":
        right = []
        for r, layout in zip(readings, truths, strict=True):
            named = {(f.cell, f.label) for f in r.items if f.cell is not None}
            right.append(named == {(c, v) for c, v in enumerate(layout) if v >= 0})
        row["subset"] = float(np.mean(right))
    else:
        found = [_boxes(r) for r in readings]
        row.update(item_scores(truths, found))
        # the boxes alone, whatever their class: finding, apart from naming
        row["boxes_f1"] = item_scores(
            [np.column_stack([np.zeros(len(t)), t[:, 1:]]).astype(int) for t in truths],
            [np.column_stack([np.zeros(len(f)), f[:, 1:]]) for f in found],
        )["f1"]
    row["seconds_per_picture"] = (time.perf_counter() - start) / len(readings)
    row["cpu_per_picture"] = (time.process_time() - cpu) / len(readings)
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument(
        "--models",
        nargs="*",
        default=list(MODELS[1:]),
        help="shipped models to read with besides the default reader",
    )
    parser.add_argument("--out", default="benchmarks/results/reader.json")
    args = parser.parse_args()
    models = [None, *args.models]
    test = load_fashion_mnist(subset="test")
    images, labels = test.images, test.target
    n = args.n
    kinds = {
        "products": list(products(images, labels, n, np.random.RandomState(0))),
        "outfits": list(outfits(images, labels, n // 2, np.random.RandomState(1))),
        "dark outfits": list(
            outfits(images, labels, n // 2, np.random.RandomState(5), dark=True)
        ),
        "touching rows": list(
            touching_rows(images, labels, n // 2, np.random.RandomState(2))
        ),
        "large JPEG outfits": list(
            outfits(
                images, labels, max(n // 10, 5), np.random.RandomState(3), large=True
            )
        ),
        "grids": list(grids(images, labels, n, np.random.RandomState(4))),
    }
    for name in args.models:
        shared(name)  # loaded before the clock starts
    results = {}
    for kind, pictures in kinds.items():
        for name in models:
            row = score(kind, pictures, None if name is None else shared(name))
            results.setdefault(kind, {})[name or "default"] = row
            print(
                json.dumps({"kind": kind, "model": name or "default", **row}),
                flush=True,
            )
    out = Path(args.out)
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(out)


if __name__ == "__main__":
    main()
