"""Items anywhere: the ``"anywhere"`` head against the cells and dense heads.

Usage::

    python benchmarks/bench_anywhere.py --base reports/demo/cnn.skf
    python benchmarks/bench_anywhere.py --base fast.skf --train-size 20000 --epochs 1

The head is trained on the base's frozen convolutions from fresh composites
of the training items (``MultiObjectComposer(placement="anywhere")``), then
scored on canvases this script draws itself, with code of its own (Pillow's
resizing, its own placement), from the 10,000 test items:

- ``apart``: 112x112 canvases of 0 to 6 items, each resized to 21-42 pixels,
  anywhere, their boxes at least 2 pixels apart;
- ``touching``: the same, every item after the first put against one already
  placed (boxes 0 pixels apart), so that their ink may touch;
- ``overlap``: as ``touching``, every item pushed into the one it touches and
  drawn over it (its ink replacing the other's, as in a photo), up to 30% of
  the smaller box shared, the covered item's whole box its truth;
- ``wide``: 320x320 canvases of 0 to 12 items as ``apart``;
- ``clutter``: canvases as ``apart`` with faint noise and 2 to 6 small
  bright specks (2 to 5 pixels a side, off the items) that are no item;
- ``small``, ``large``: 112x112 canvases as ``apart``, of items resized to
  14-20 and to 48-64 pixels; ``huge`` and ``mixed``: 160x160 canvases of
  items of 64-90 and of 14-90 pixels (sizes the head did not learn: read
  through ``predict_boxes``' pyramid of ``--scales``);
- ``grid``: today's 56x56 grid composites of 0 to 4 items
  (``MultiObjectComposer(random_state=1)``), for the cells head's subset
  accuracy.

With ``--cells`` (a cells-head model file) and ``--dense``, those heads are
scored on the same canvases where they can read them (the multi-hot labels:
subset accuracy). F1 is also given by item size. Results go to
``benchmarks/results/anywhere.json``.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

from skfashion._quiet import import_keras_quietly

import_keras_quietly()

from skfashion import MultiObjectComposer, load_fashion_mnist  # noqa: E402
from skfashion.box_metrics import (  # noqa: E402
    item_scores,
    labels_of_boxes,
    match_boxes,
    mean_average_precision,
)
from skfashion.heads import AnywhereHead  # noqa: E402
from skfashion.models import MultiLabelTransfer, load  # noqa: E402
from skfashion.reading import read_picture  # noqa: E402
from skfashion.zoo import reading_model  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from photos import outfit_photo  # noqa: E402


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def draw_canvases(
    items,
    labels,
    n,
    rng,
    *,
    touching,
    side=112,
    sizes=(21, 42),
    max_items=6,
    overlap=0.0,
):
    """Test canvases drawn without the project's code: Pillow and a loop.

    ``touching``: every item after the first against one already placed;
    with ``overlap``, pushed into it by up to that share of its width or
    height and drawn over it (its ink replaces the other's, as in a photo),
    so long as no two boxes share more than ``overlap`` of the smaller one.
    """
    canvases = np.zeros((n, side, side), np.uint8)
    truth = []
    for canvas in canvases:
        rows = []
        for _ in range(rng.randint(0, max_items + 1)):
            index = rng.randint(len(items))
            size = rng.randint(sizes[0], sizes[1] + 1)
            patch = np.asarray(
                Image.fromarray(items[index]).resize((size, size), Image.BILINEAR)
            )
            ys, xs = np.nonzero(patch)
            if not len(ys):
                continue
            ink = (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
            w, h = ink[2] - ink[0], ink[3] - ink[1]
            for _ in range(50):
                if touching and rows:
                    x0, y0, x1, y1 = rows[rng.randint(len(rows))][1:]
                    side_of = rng.randint(4)
                    into = 0  # how far into it (no draw unless overlapping)
                    if overlap:
                        reach = overlap * min(w, h, x1 - x0, y1 - y0)
                        into = rng.randint(0, int(reach) + 1)
                    if side_of == 0:
                        bx, by = x1 - into, rng.randint(y0 - h + 1, y1)
                    elif side_of == 1:
                        bx, by = x0 - w + into, rng.randint(y0 - h + 1, y1)
                    elif side_of == 2:
                        bx, by = rng.randint(x0 - w + 1, x1), y1 - into
                    else:
                        bx, by = rng.randint(x0 - w + 1, x1), y0 - h + into
                else:
                    bx, by = rng.randint(0, side - w + 1), rng.randint(0, side - h + 1)
                box = (bx, by, bx + w, by + h)
                if box[0] < 0 or box[1] < 0 or box[2] > side or box[3] > side:
                    continue
                if overlap:
                    if all(shared(box, r[1:]) <= overlap for r in rows):
                        break
                    continue
                gap = 0 if touching else 2
                if all(
                    max(box[0] - r[3], r[1] - box[2], box[1] - r[4], r[2] - box[3])
                    >= gap
                    for r in rows
                ):
                    break
            else:
                continue
            px, py = box[0] - ink[0], box[1] - ink[1]
            region = canvas[max(py, 0) : py + size, max(px, 0) : px + size]
            piece = patch[max(-py, 0) :, max(-px, 0) :][
                : region.shape[0], : region.shape[1]
            ]
            if overlap:  # drawn over the items before it
                np.copyto(region, piece, where=piece > 0)
            else:  # the brighter pixel wins where the ink of two touches
                np.maximum(region, piece, out=region)
            rows.append((labels[index], *box))
        truth.append(np.array(rows, dtype=int).reshape(-1, 5))
    return canvases, truth


def shared(a, b) -> float:
    """The area two boxes share, as a share of the smaller one's."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return max(w, 0) * max(h, 0) / smaller


def add_clutter(canvases, truth, rng, *, specks=(2, 7), noise=20):
    """Faint noise everywhere and small bright specks (no item) off the items."""
    cluttered = canvases.astype(np.int16)
    cluttered += rng.randint(0, noise + 1, size=canvases.shape) * (
        rng.rand(*canvases.shape) < 0.3
    )
    side = canvases.shape[1]
    for canvas, rows in zip(cluttered, truth, strict=True):
        for _ in range(rng.randint(*specks)):
            w, h = rng.randint(2, 6, size=2)
            x, y = rng.randint(0, side - w), rng.randint(0, side - h)
            if any(
                x < r[3] and r[1] < x + w and y < r[4] and r[2] < y + h for r in rows
            ):
                continue  # on an item: not clutter
            canvas[y : y + h, x : x + w] = rng.randint(150, 256)
    return np.clip(cluttered, 0, 255).astype(np.uint8)


def multi_hot(truth, n_classes=10):
    Y = np.zeros((len(truth), n_classes), int)
    for i, rows in enumerate(truth):
        Y[i, rows[:, 0]] = 1
    return Y


SIZES = (20, 25, 30, 35, 40, 46)


def found_by_size(truth, found):
    """Recall (right class, IoU >= 0.5) by the longer side of the true box."""
    hits, sides = [], []
    for rows, pred in zip(truth, found, strict=True):
        _, taken = match_boxes(rows, pred)
        hits.append(taken)
        sides.append(np.maximum(rows[:, 3] - rows[:, 1], rows[:, 4] - rows[:, 2]))
    hits, sides = np.concatenate(hits), np.concatenate(sides)
    bins = np.digitize(sides, SIZES)
    names = [f"<{SIZES[0]}"] + [f"{a}-{b - 1}" for a, b in itertools.pairwise(SIZES)]
    names.append(f">={SIZES[-1]}")
    return {
        names[b]: {
            "recall": float(hits[bins == b].mean()),
            "items": int((bins == b).sum()),
        }
        for b in np.unique(bins)
    }


#: Bins of how much of an item's box another item covers (its largest share).
OVERLAPS = (1e-9, 0.1, 0.2)


def found_by_overlap(truth, found):
    """Recall (right class, IoU >= 0.5) by the share of the box another covers."""
    hits, covered = [], []
    for rows, pred in zip(truth, found, strict=True):
        _, taken = match_boxes(rows, pred)
        hits.append(taken)
        share = [
            max((shared(a, b) for j, b in enumerate(rows[:, 1:]) if j != i), default=0)
            for i, a in enumerate(rows[:, 1:])
        ]
        covered.append(np.array(share, float))
    hits, covered = np.concatenate(hits), np.concatenate(covered)
    bins = np.digitize(covered, OVERLAPS)
    names = ["none", "up to 10%", "10-20%", "20-30%"]
    return {
        names[b]: {
            "recall": float(hits[bins == b].mean()),
            "items": int((bins == b).sum()),
        }
        for b in np.unique(bins)
    }


def score_boxes(model, canvases, truth, namers=None):
    timings = []  # the faster of two calls: the first also warms up
    for _ in range(2):
        start, cpu = time.perf_counter(), cpu_seconds()
        found = model.predict_boxes(canvases, namers=namers)
        timings.append((time.perf_counter() - start, cpu_seconds() - cpu))
    seconds, cpu = min(timings)
    ranked = model.predict_boxes(canvases, threshold=0.05, namers=namers)
    scores = item_scores(truth, found)
    Y, Y_pred = multi_hot(truth), labels_of_boxes(found, 10)
    recall_by_size = found_by_size(truth, found)
    return {
        "recall_by_overlap": found_by_overlap(truth, found),
        "map50": mean_average_precision(truth, ranked),
        **scores,
        "subset_accuracy": float((Y_pred == Y).all(axis=1).mean()),
        "predict_boxes_seconds": seconds,
        "predict_boxes_cpu_seconds": cpu,
        "recall_by_size": recall_by_size,
    }


#: Canvases of items of sizes the head did not learn: (side, item sizes).
OTHER_SIZES = {
    "small": (112, (14, 20)),
    "large": (112, (48, 64)),
    "huge": (160, (64, 90)),
    "mixed": (160, (14, 90)),
}


def score_photos(model, items, labels, n, rng):
    """Item scores on outfit photos, read from their JPEG or PNG bytes."""
    truth, found = [], []
    start = time.perf_counter()
    for i in range(n):
        k = rng.randint(2, 6)
        chosen = rng.randint(len(items), size=k)
        photo, boxes = outfit_photo(items[chosen], labels[chosen], random_state=rng)
        data = io.BytesIO()
        photo.save(data, format="JPEG" if i % 2 else "PNG", quality=85)
        data.seek(0)
        reading = read_picture(data, model)
        found.append(
            np.array(
                [(f.label, *f.box, f.score) for f in reading.items], float
            ).reshape(-1, 6)
        )
        truth.append(boxes)
    return {
        **item_scores(truth, found),
        "photos": n,
        "seconds_per_photo": (time.perf_counter() - start) / n,
    }


def score_cells(model, canvases, truth):
    """What the cells head reads on the same canvases: labels and counts."""
    Y = multi_hot(truth)
    Y_pred = model.predict(canvases)
    counts = np.array([len(t) for t in truth])
    return {
        "subset_accuracy": float((Y_pred == Y).all(axis=1).mean()),
        "count_accuracy": float((model.predict_counts(canvases) == counts).mean()),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="single-label model file")
    parser.add_argument("--train-size", type=int, default=60000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--canvas", type=int, default=96)
    parser.add_argument("--max-objects", type=int, default=6)
    parser.add_argument("--min-gap", type=int, default=0)
    parser.add_argument("--clutter", type=int, default=0, help="specks per canvas")
    parser.add_argument("--scale", type=float, nargs=2, default=(0.75, 1.5))
    parser.add_argument("--learning-rate", type=float, default=2e-3)
    parser.add_argument("--n-test", type=int, default=2000)
    parser.add_argument("--out", default="benchmarks/results/anywhere.json")
    parser.add_argument("--save", help="save the trained head here")
    parser.add_argument(
        "--head",
        help="a trained anywhere head (a model file, or its ONNX twin: the "
        "shipped readers' way): skip training",
    )
    parser.add_argument("--cells", help="a cells-head model file to compare")
    parser.add_argument("--n-photos", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0, help="the head's random_state")
    parser.add_argument(
        "--namers",
        nargs="+",
        help="models of one item (shipped names or files) that name the items "
        "found, by the mean of their probabilities (predict_boxes(namers=))",
    )
    parser.add_argument(
        "--scales", type=float, nargs="+", help="predict_boxes' pyramid (the head's)"
    )
    args = parser.parse_args(argv)
    if args.scales:  # every reading below, pictures too, through this pyramid
        AnywhereHead.scales = tuple(args.scales)

    X, y = load_fashion_mnist(return_X_y=True)
    X_test, y_test = load_fashion_mnist(subset="test", return_X_y=True)
    X, X_test = X.reshape(-1, 28, 28), X_test.reshape(-1, 28, 28)
    base = load(args.base)
    head = MultiLabelTransfer(
        base,
        head="anywhere",
        augment=MultiObjectComposer(
            placement="anywhere",
            canvas_shape=(args.canvas, args.canvas),
            scale=tuple(args.scale),
            min_objects=0,
            max_objects=args.max_objects,
            min_gap=args.min_gap,
            clutter=args.clutter,
        ),
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        validation_split=0.05,
        threshold="tuned",
        verbose=2,
        random_state=args.seed,
    )
    train = None
    if args.head:
        head = reading_model(args.head)
    else:
        start, cpu = time.perf_counter(), cpu_seconds()
        head.fit(X[: args.train_size], y[: args.train_size])
        train = {
            "seconds": time.perf_counter() - start,
            "cpu_seconds": cpu_seconds() - cpu,
        }
        print(
            f"trained in {train['seconds']:.0f} s ({train['cpu_seconds']:.0f} s "
            f"CPU); threshold {head.threshold_}",
            flush=True,
        )
    if args.save and not args.head:
        from skfashion import save

        save(head, args.save)
    results = {"train": train, "args": vars(args), "timing": "faster of two calls"}
    # shipped names: their ONNX twins, as the shipped readers name items
    namers = [reading_model(n) for n in args.namers or ()] or None
    cells = load(args.cells) if args.cells else None
    for name, touching in (("apart", False), ("touching", True)):
        rng = np.random.RandomState(1 if touching else 0)
        canvases, truth = draw_canvases(
            X_test, y_test, args.n_test, rng, touching=touching
        )
        results[name] = score_boxes(head, canvases, truth, namers)
        print(name, json.dumps(results[name], default=float), flush=True)
        if cells is not None:
            results[f"cells_{name}"] = score_cells(cells, canvases, truth)
            print(f"cells head, {name}", results[f"cells_{name}"], flush=True)
    rng = np.random.RandomState(7)
    canvases, truth = draw_canvases(
        X_test, y_test, args.n_test // 2, rng, touching=False
    )
    results["clutter"] = score_boxes(
        head, add_clutter(canvases, truth, rng), truth, namers
    )
    print("clutter", json.dumps(results["clutter"], default=float), flush=True)
    rng = np.random.RandomState(8)
    canvases, truth = draw_canvases(
        X_test, y_test, args.n_test // 2, rng, touching=True, overlap=0.3
    )
    results["overlap"] = score_boxes(head, canvases, truth, namers)
    print("overlap", json.dumps(results["overlap"], default=float), flush=True)
    rng = np.random.RandomState(9)
    canvases, truth = draw_canvases(
        X_test, y_test, args.n_test // 8, rng, touching=False, side=320, max_items=12
    )
    results["wide"] = score_boxes(head, canvases, truth, namers)
    print("wide", json.dumps(results["wide"], default=float), flush=True)
    for seed, (name, (side, sizes)) in enumerate(OTHER_SIZES.items(), start=3):
        canvases, truth = draw_canvases(
            X_test,
            y_test,
            args.n_test // 2,
            np.random.RandomState(seed),
            touching=False,
            side=side,
            sizes=sizes,
        )
        results[name] = score_boxes(head, canvases, truth, namers)
        print(name, json.dumps(results[name], default=float), flush=True)
    composer = MultiObjectComposer(n_samples=args.n_test, random_state=1)
    grid, Y_grid = composer.fit_resample(X_test, y_test)
    results["grid_subset_accuracy"] = float(
        (labels_of_boxes(head.predict_boxes(grid, namers=namers), 10) == Y_grid)
        .all(axis=1)
        .mean()
    )
    print("grid subset accuracy", round(results["grid_subset_accuracy"], 4))
    if cells is not None:
        results["cells_grid_subset_accuracy"] = float(
            (cells.predict(grid) == Y_grid).all(axis=1).mean()
        )
        print("cells head, grid", results["cells_grid_subset_accuracy"])
    if args.n_photos and namers is None:  # photos with namers: bench_reader.py
        rng = np.random.RandomState(2)
        results["photos"] = score_photos(head, X_test, y_test, args.n_photos, rng)
        print("photos", results["photos"], flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2, default=float))


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    main()
