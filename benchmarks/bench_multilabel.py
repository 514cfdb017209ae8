"""Multi-label heads compared: dense against cell-wise, frozen against fine-tuned.

Usage::

    python benchmarks/bench_multilabel.py --base reports/demo/cnn.skf
    python benchmarks/bench_multilabel.py --base fast --tutorial-epochs 6

Every head starts from the same fitted single-label base (a model file saved
by ``skfashion demo`` or ``skfashion train``, or ``fast``: the ``fast`` preset
trained here, as ``skfashion train`` does) and trains on composites of the
60,000 training items; all are scored on the same 10,000 test composites of 0
to 4 items (``MultiObjectComposer(random_state=1)`` over the 10,000 test
items). With ``--tutorial-epochs``, a tutorial-recipe base is trained too, for
the dense head (which needs a network of whole canvases) and for a cell-wise
head on the tutorial's convolutions.

Results go to ``benchmarks/results/multilabel.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from skfashion._quiet import import_keras_quietly

import_keras_quietly()

from skfashion import MultiObjectComposer, QuadrantExpander, load_fashion_mnist  # noqa: E402
from skfashion.metrics import (  # noqa: E402
    labels_from_layout,
    layout_summary,
    multilabel_summary,
    subset_accuracy_by_count,
)
from skfashion.models import CNNClassifier, MultiLabelTransfer, load  # noqa: E402


def score(name, transfer, seconds, canvases, Y, layout):
    layout_pred = (
        transfer.predict_layout(canvases) if transfer.head == "cells" else None
    )
    Y_pred = (
        transfer.predict(canvases)
        if layout_pred is None
        else labels_from_layout(layout_pred, Y.shape[1])
    )
    counts = (layout >= 0).sum(axis=1)
    row = {
        "name": name,
        "seconds": seconds,
        **multilabel_summary(Y, Y_pred),
        "subset_accuracy_by_count": subset_accuracy_by_count(Y, Y_pred, counts),
    }
    if layout_pred is not None:
        row.update(layout_summary(layout, layout_pred))
    shown = ", ".join(
        f"{k} {v:.4f}"
        for k, v in row.items()
        if isinstance(v, float) and k != "seconds"
    )
    print(f"{name} ({seconds / 60:.1f} min): {shown}", flush=True)
    by_count = row["subset_accuracy_by_count"]
    print("  by items: " + ", ".join(f"{k}: {v:.3f}" for k, v in by_count.items()))
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="reports/demo/cnn.skf")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--tutorial-epochs", type=int, default=0)
    parser.add_argument("--out", default="benchmarks/results/multilabel.json")
    args = parser.parse_args()

    train, test = load_fashion_mnist(), load_fashion_mnist(subset="test")
    X, y = train.images, train.target
    composer = MultiObjectComposer(random_state=1)
    canvases, Y = composer.fit_resample(test.images, test.target)
    layout = composer.layout_
    if args.base == "fast":  # what skfashion train --kind single trains
        start = time.perf_counter()
        base = CNNClassifier.from_preset("fast", random_state=0).fit(
            QuadrantExpander(random_state=0).fit_transform(X), y
        )
        base_seconds = time.perf_counter() - start
    else:
        base, base_seconds = load(args.base), None
    base_accuracy = base.score(
        QuadrantExpander(random_state=1).fit_transform(test.images), test.target
    )
    print(f"base: {base!r}, test accuracy {base_accuracy:.4f}", flush=True)
    common = dict(epochs=args.epochs, random_state=0, validation_split=0.1)
    runs = [
        (
            "cells head, from layouts, frozen",
            base,
            dict(head="cells", augment=MultiObjectComposer(), batch_size=128),
        ),
        (
            "cells head, from layouts, fine-tuned",
            base,
            dict(
                head="cells",
                augment=MultiObjectComposer(),
                batch_size=128,
                fine_tune=True,
                warmup_epochs=1,
            ),
        ),
        (
            "cells head, from Y alone, frozen",
            base,
            dict(
                head="cells",
                augment=MultiObjectComposer(),
                supervision="labels",
                batch_size=128,
            ),
        ),
    ]
    results = {
        "command": "python benchmarks/bench_multilabel.py "
        f"--base {args.base} --epochs {args.epochs}"
        + (
            f" --tutorial-epochs {args.tutorial_epochs}" if args.tutorial_epochs else ""
        ),
        "base": repr(base),
        "base_accuracy": base_accuracy,
        "base_seconds": base_seconds,
        "test_composites": len(canvases),
        "rows": [],
    }
    if args.tutorial_epochs:
        start = time.perf_counter()
        tutorial = CNNClassifier(epochs=args.tutorial_epochs, random_state=0).fit(
            QuadrantExpander(random_state=0).fit_transform(X), y
        )
        results["tutorial_base_seconds"] = time.perf_counter() - start
        tutorial_acc = tutorial.score(
            QuadrantExpander(random_state=1).fit_transform(test.images), test.target
        )
        results["tutorial_base_accuracy"] = tutorial_acc
        print(f"tutorial base, {args.tutorial_epochs} epochs: {tutorial_acc:.4f}")
        runs += [
            (
                "dense head (tutorial's), tutorial base, frozen",
                tutorial,
                dict(augment=MultiObjectComposer(), threshold="tuned"),
            ),
            (
                "dense head (tutorial's), tutorial base, fine-tuned",
                tutorial,
                dict(
                    augment=MultiObjectComposer(),
                    threshold="tuned",
                    fine_tune=True,
                    warmup_epochs=1,
                ),
            ),
            (
                "cells head, tutorial base, from layouts, frozen",
                tutorial,
                dict(head="cells", augment=MultiObjectComposer(), batch_size=128),
            ),
        ]
    for name, start_from, params in runs:
        start = time.perf_counter()
        transfer = MultiLabelTransfer(start_from, **common, **params).fit(X, y)
        seconds = time.perf_counter() - start
        results["rows"].append(score(name, transfer, seconds, canvases, Y, layout))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))
    print(f"results: {args.out}")


if __name__ == "__main__":
    main()
