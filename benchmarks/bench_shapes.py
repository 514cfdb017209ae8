"""How often is one item taken for several, and several for one?

Usage::

    python benchmarks/bench_shapes.py [--n 10000] [--groups 2000]

``skfashion predict`` with a model of one item per picture refuses a picture
that holds several separate items (:func:`~skfashion.images.count_shapes`).
Fashion-MNIST's own items are often several shapes of ink (a sandal's
straps, a sneaker's sole), so the rule is measured on pictures the project
did not draw for it:

- **one item**: each of the first ``--n`` test items as a product photo
  (``product_photo`` of ``tests/photos.py``: dark on a light grey gradient,
  a soft shadow, off centre, 80 to 400 pixels, grey-level noise, every other
  one saved as JPEG (quality 75) and the rest as PNG), read back from its
  bytes; the rate at which it is called several items;
- **two or three items side by side**: ``--groups`` outfit photos
  (``outfit_photo``: 2 or 3 test items 18 to 42% of the photo's side, their
  ink boxes at least 4 pixels apart, noise), the rate at which they are
  caught (two shapes or more).

With ``--sweep``, every rule of a grid (how far apart parts of one item may
be, how large a part must be to count) is scored on the same photos.
Results go to ``benchmarks/results/shapes.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

from skfashion.datasets import load_fashion_mnist
from skfashion.images import SHAPE_RULE, _foreground, _grey, shape_sizes

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from photos import as_file, outfit_photo, product_photo

REACHES = (0.01, 0.015)  # parts this close are one shape
SHARES = (0.05,)  # a shape counts from this share of the largest
MARGINS = (0.0, 0.5, 1.0)  # boxes grown by this many reaches are one item


def _read(photo: Image.Image, index: int) -> Image.Image:
    """The photo saved (JPEG every other one) and decoded, as a file is read."""
    return Image.open(as_file(photo, "JPEG" if index % 2 else "PNG"))


def _single(item, rng, index):
    side = int(rng.randint(80, 401))
    size = (side, int(side * rng.uniform(0.7, 1.3)))
    low = rng.uniform(150, 220)
    photo = product_photo(
        item,
        size=size,
        background=(low, min(low + rng.uniform(10, 35), 250)),
        scale=rng.uniform(0.45, 0.8),
        position=tuple(rng.uniform(0.1, 0.9, 2)),
        random_state=rng,
    )
    pixels = np.asarray(photo, np.float64) + rng.normal(0, 3, (size[1], size[0], 1))
    return _read(Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)), index)


def _group(images, labels, rng, index):
    k = int(rng.randint(2, 4))
    chosen = rng.randint(len(images), size=k)
    photo, truth = outfit_photo(images[chosen], labels[chosen], random_state=rng)
    return _read(photo, index), len(truth)


def _counts(photo, rules) -> dict:
    """``{rule: items counted}`` of one photo."""
    ink = _foreground(_grey(photo))
    return {rule: len(shape_sizes(ink, rule=rule)) for rule in rules}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=2_000)
    parser.add_argument("--sweep", action="store_true")
    args = parser.parse_args()
    test = load_fashion_mnist(subset="test")
    rules = [(r, s, m) for r in REACHES for s in SHARES for m in MARGINS]
    rules = rules if args.sweep else []
    rules = list(dict.fromkeys([SHAPE_RULE, *rules]))
    rng = np.random.RandomState(0)
    start, cpu = time.perf_counter(), time.process_time()
    singles = [_counts(_single(test.images[i], rng, i), rules) for i in range(args.n)]
    groups, placed = [], []
    for i in range(args.groups):
        photo, k = _group(test.images, test.target, rng, i)
        groups.append(_counts(photo, rules))
        placed.append(k)
    placed = np.array(placed)
    rows = []
    for rule in rules:
        one = np.mean([p[rule] > 1 for p in singles])
        several = np.array([p[rule] > 1 for p in groups])
        rows.append(
            {
                "reach": rule[0],
                "share": rule[1],
                "margin": rule[2],
                "one_item_called_several": round(float(one), 4),
                "several_caught": round(float(several[placed >= 2].mean()), 4),
            }
        )
        print(json.dumps(rows[-1]))
    by_class = {}
    for c in range(10):
        mask = test.target[: args.n] == c
        calls = [p[SHAPE_RULE] > 1 for p, m in zip(singles, mask, strict=True) if m]
        by_class[int(c)] = round(float(np.mean(calls)), 4)
    result = {
        "rule": dict(zip(("reach", "share", "margin"), SHAPE_RULE, strict=True)),
        "photos_of_one_item": args.n,
        "photos_of_several": int((placed >= 2).sum()),
        "rules": rows,
        "one_item_called_several_by_class": by_class,
        "wall_s": round(time.perf_counter() - start, 1),
        "cpu_s": round(time.process_time() - cpu, 1),
    }
    out = Path(__file__).parent / "results" / "shapes.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "rules"}))


if __name__ == "__main__":
    main()
