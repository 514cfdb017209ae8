"""One grid search three ways: one process, two loky processes, two Dask workers.

Usage::

    python benchmarks/bench_parallel.py [--train-size 3000]

The grid: ``Pipeline([QuadrantExpander(), CNNClassifier(epochs=2)])`` over
dropout (0.1, 0.3) and filters ((16, 32), (32, 64)), 3-fold, on the first
``--train-size`` training items: 12 fits and a refit. It runs with
``n_jobs=1``; with ``n_jobs=2`` on joblib's loky backend, its workers held to
one thread each (:func:`skfashion.parallel.limited_threads`); and on a
``LocalCluster`` of two single-threaded worker processes through joblib's
``dask`` backend (:func:`skfashion.parallel.thread_limits`). Wall time counts
starting the workers (they import TensorFlow). Each run's best score is
printed to show they agree.

Results go to ``benchmarks/results/parallel.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from skfashion._quiet import import_keras_quietly

import_keras_quietly()

import joblib  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

from skfashion.augment import QuadrantExpander  # noqa: E402
from skfashion.datasets import load_fashion_mnist  # noqa: E402
from skfashion.models import CNNClassifier  # noqa: E402
from skfashion.parallel import limited_threads, thread_limits  # noqa: E402

GRID = {"cnn__dropout": [0.1, 0.3], "cnn__filters": [(16, 32), (32, 64)]}


def search(n_jobs: int) -> GridSearchCV:
    pipe = Pipeline(
        [
            ("expand", QuadrantExpander(random_state=0)),
            ("cnn", CNNClassifier(epochs=2, batch_size=64, random_state=0)),
        ]
    )
    return GridSearchCV(pipe, GRID, cv=3, n_jobs=n_jobs)


def timed(run) -> dict:
    wall, cpu = time.perf_counter(), time.process_time()
    best = run()
    return {
        "wall_s": round(time.perf_counter() - wall, 1),
        "main_process_cpu_s": round(time.process_time() - cpu, 1),
        "best_score": round(float(best), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-size", type=int, default=3000)
    parser.add_argument("--out", default="benchmarks/results/parallel.json")
    args = parser.parse_args()
    train = load_fashion_mnist()
    X, y = train.images[: args.train_size], train.target[: args.train_size]

    def one_process():
        return search(1).fit(X, y).best_score_

    def loky():
        with limited_threads(1):
            return search(2).fit(X, y).best_score_

    def dask():
        from dask.distributed import Client, LocalCluster

        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            dashboard_address=None,
            env=thread_limits(1),
        )
        with cluster, Client(cluster), joblib.parallel_backend("dask"):
            return search(-1).fit(X, y).best_score_

    results = {
        "grid": {k: [str(v) for v in values] for k, values in GRID.items()},
        "fits": 3 * 4,
        "train_size": args.train_size,
        "cores": os.cpu_count(),
        "runs": {},
    }
    for name, run in [
        ("n_jobs=1", one_process),
        ("loky, n_jobs=2", loky),
        ("dask, 2 workers", dask),
    ]:
        results["runs"][name] = timed(run)
        print(name, results["runs"][name], flush=True)
    Path(args.out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
