"""Accuracy against time: the tutorial's network and recipe against the grid-aware ones.

Usage::

    python benchmarks/bench_networks.py            # the full table (~30 min)
    python benchmarks/bench_networks.py --quick    # a smoke version (make bench)
    python benchmarks/bench_networks.py --tutorial-epochs 2 --rows "tutorial recipe" \
        "grid-aware, bn tower (default)" "quick preset"   # the presets' timing
    KERAS_BACKEND=jax python benchmarks/bench_networks.py --backend-only

Every model is fitted in this one run on 60,000 training items (expanded to
56x56 canvases, one item in a random quadrant) and scored after every epoch
on the 10,000 expanded test images, so each row gives its accuracy against
wall-clock and process CPU time. ``--tutorial-epochs N`` trains the tutorial
recipe for N of its 15 epochs only, and takes its time for 15 as 15 / N times
theirs (its epochs all cost the same). Then ``predict`` on 10,000 canvases is timed
against the tutorial's own ``model.predict`` (batch 32), best of 3, and one
epoch of the default network is timed on the current Keras backend.

Results go to ``benchmarks/results/networks.json`` (or ``--out``);
``benchmarks/write_benchmarks_page.py`` turns them into ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from skfashion._quiet import import_keras_quietly

import_keras_quietly()

import keras  # noqa: E402
import numpy as np  # noqa: E402

from skfashion import QuadrantExpander, load_fashion_mnist  # noqa: E402
from skfashion.models import PRESETS, CNNClassifier  # noqa: E402
from skfashion.networks import multiply_adds  # noqa: E402

ROWS = {
    "tutorial recipe": dict(PRESETS["tutorial"]),
    "tutorial network, new recipe": {
        **PRESETS["fast"],
        "architecture": "canvas",
        "tower": "tutorial",
        "filters": (16, 32, 64),
        "kernel_size": 2,
        "flip": False,  # flips apply to cells
    },
    "grid-aware, tutorial tower": {
        **PRESETS["fast"],
        "tower": "tutorial",
        "filters": (16, 32, 64),
        "kernel_size": 2,
    },
    "grid-aware, bn tower (default)": dict(PRESETS["fast"]),
    "quick preset": dict(PRESETS["quick"]),
}


class EpochClock(keras.callbacks.Callback):
    """Test accuracy, wall and CPU seconds at the end of every epoch."""

    def __init__(self, estimator, X_test, y_test):
        super().__init__()
        self.estimator, self.X_test, self.y_test = estimator, X_test, y_test
        self.points = []

    def on_train_begin(self, logs=None):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def on_epoch_end(self, epoch, logs=None):
        wall, cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        accuracy = float(np.mean(self.estimator.predict(self.X_test) == self.y_test))
        # the scoring is not training: keep it out of the clocks
        self.wall += time.perf_counter() - start_wall
        self.cpu += time.process_time() - start_cpu
        self.points.append(
            {"epoch": epoch + 1, "wall": wall, "cpu": cpu, "accuracy": accuracy}
        )
        print(f"    epoch {epoch + 1}: {accuracy:.4f} at {wall:.0f} s", flush=True)


def fit_row(name, params, X, y, X_test, y_test, epochs=None):
    params = dict(params, random_state=0)
    if epochs is not None:
        params["epochs"] = epochs
    cnn = CNNClassifier(**params)
    clock = EpochClock(cnn, X_test, y_test)
    cnn.set_params(callbacks=[clock])
    print(f"{name}: {cnn!r}", flush=True)
    wall, cpu = time.perf_counter(), time.process_time()
    cnn.fit(X, y)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    cnn.set_params(callbacks=None)
    final = clock.points[-1]
    row = {
        "name": name,
        "params": {k: v for k, v in cnn.get_params().items() if k in params},
        "parameters": int(cnn.model_.count_params()),
        "multiply_adds": multiply_adds(cnn.model_),
        "epochs": int(cnn.epochs),
        "accuracy": final["accuracy"],
        "wall": final["wall"],
        "cpu": final["cpu"],
        "fit_wall": wall,
        "fit_cpu": cpu,
        "curve": clock.points,
    }
    print(
        f"  -> accuracy {row['accuracy']:.4f}, {row['parameters']:,} parameters, "
        f"training {row['wall']:.0f} s wall, {row['cpu']:.0f} s CPU",
        flush=True,
    )
    return row, cnn


def best_of(repeats, run):
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return {"wall": min(walls), "cpu": min(cpus), "walls": walls}


def predict_ratio(fitted, canvases, repeats):
    """The tutorial's model.predict (batch 32) against each model's predict."""
    tutorial = fitted["tutorial recipe"]
    tutorial.model_.predict(canvases[:64, ..., None], batch_size=32, verbose=0)
    keras_times = best_of(
        repeats,
        lambda: tutorial.model_.predict(canvases[..., None], batch_size=32, verbose=0),
    )
    result = {
        "n_canvases": len(canvases),
        "tutorial model.predict, batch 32": keras_times,
        "CNNClassifier.predict": {},
    }
    print(
        f"predict on {len(canvases):,} canvases: the tutorial's model.predict "
        f"{keras_times['wall']:.2f} s wall, {keras_times['cpu']:.2f} s CPU",
        flush=True,
    )
    for name, estimator in fitted.items():
        estimator.predict(canvases[:64])  # traced before timing
        times = best_of(repeats, lambda e=estimator: e.predict(canvases))
        times["speed-up"] = {k: keras_times[k] / times[k] for k in ("wall", "cpu")}
        result["CNNClassifier.predict"][name] = times
        print(
            f"  CNNClassifier.predict, {name}: {times['wall']:.2f} s wall, "
            f"{times['cpu']:.2f} s CPU: {times['speed-up']['wall']:.1f}x wall, "
            f"{times['speed-up']['cpu']:.1f}x CPU",
            flush=True,
        )
    return result


def backend_epoch(X, y, n, repeats):
    """One epoch of the default network on ``n`` items, on this backend."""
    times = {}
    for name in ("tutorial recipe", "grid-aware, bn tower (default)"):
        params = dict(ROWS[name], epochs=1, random_state=0)
        times[name] = best_of(
            repeats, lambda p=params: CNNClassifier(**p).fit(X[:n], y[:n])
        )
        print(
            f"{keras.backend.backend()}: one epoch of {name} on {n:,} items: "
            f"{times[name]['wall']:.1f} s wall, {times[name]['cpu']:.1f} s CPU",
            flush=True,
        )
    return {"backend": keras.backend.backend(), "n_items": n, "one_epoch": times}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few items and epochs")
    parser.add_argument("--backend-only", action="store_true")
    parser.add_argument("--rows", nargs="*", default=list(ROWS), choices=list(ROWS))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tutorial-epochs", type=int, default=None)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    train, test = load_fashion_mnist(), load_fashion_mnist(subset="test")
    n_train, n_test, epochs = (3000, 1000, 1) if args.quick else (None, None, None)
    X = QuadrantExpander(random_state=0).fit_transform(train.images[:n_train])
    y = train.target[:n_train]
    X_test = QuadrantExpander(random_state=1).fit_transform(test.images[:n_test])
    y_test = test.target[:n_test]
    results = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "keras": keras.__version__,
            "backend": keras.backend.backend(),
        },
        "command": shlex.join(["python", *sys.argv]),
        "train_items": len(X),
        "test_items": len(X_test),
        "seed": 0,
    }
    if args.backend_only:
        results["backend"] = backend_epoch(X, y, 3000 if args.quick else 20000, 2)
        out = args.out or f"benchmarks/results/backend_{keras.backend.backend()}.json"
    else:
        rows, fitted = [], {}
        for name in args.rows:
            n_epochs = epochs
            if name == "tutorial recipe" and args.tutorial_epochs:
                n_epochs = args.tutorial_epochs
            row, fitted[name] = fit_row(
                name, ROWS[name], X, y, X_test, y_test, n_epochs
            )
            if name == "tutorial recipe" and args.tutorial_epochs:
                row["wall_15_epochs"] = row["wall"] * 15 / n_epochs
                row["cpu_15_epochs"] = row["cpu"] * 15 / n_epochs
            rows.append(row)
        results["rows"] = rows
        if "tutorial recipe" in fitted:
            results["predict"] = predict_ratio(fitted, X_test, args.repeats)
        out = args.out or (
            "benchmarks/results/networks_quick.json"
            if args.quick
            else "benchmarks/results/networks.json"
        )
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(results, indent=2, default=str))
    print(f"results: {out}")


if __name__ == "__main__":
    main()
