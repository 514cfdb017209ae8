"""The first answer: cold starts of the command line, and many pictures at once.

::

    python benchmarks/bench_startup.py [--python PYTHON] [--runs 3] [--n 1000]

Every command runs in a new process, ``--runs`` times: wall and CPU time
(the child's user + system), best and median. ``predict`` with the shipped
models (their ONNX twins) is measured beside the Keras path (the same model
given as its ``.skf`` file). Then ``--n`` product photos (Fashion-MNIST test
items drawn by ``tests/photos.py``, JPEG) in one ``predict`` call, by the
default reader and by ``strong`` alone, through ONNX and through Keras.
``--python`` is the interpreter whose ``skfashion`` is measured (a virtualenv
without bytecode measures a first start: Python compiles every module it
imports). Writes ``benchmarks/results/startup[-LABEL].json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results"
sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))


def timed(argv: list[str]) -> tuple[float, float, str]:
    """Wall and CPU seconds of one run of ``argv``, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result.stdout


def measure(argv: list[str], runs: int) -> dict:
    times = [timed(argv)[:2] for _ in range(runs)]
    walls, cpus = zip(*times, strict=True)
    return {
        "wall_best": round(min(walls), 3),
        "wall_median": round(statistics.median(walls), 3),
        "cpu_best": round(min(cpus), 3),
        "cpu_median": round(statistics.median(cpus), 3),
    }


def photos(folder: Path, n: int) -> list[int]:
    """``n`` product photos of test items in ``folder``; their classes."""
    from photos import product_photo

    from skfashion import load_fashion_mnist

    test = load_fashion_mnist(subset="test")
    rng = np.random.RandomState(0)
    chosen = rng.choice(len(test.target), n, replace=False)
    for k, i in enumerate(chosen):
        photo = product_photo(test.images[i], random_state=k)
        photo.convert("RGB").save(folder / f"{k:05d}.jpg", quality=85)
    return test.target[chosen].tolist()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--label", default="")
    args = parser.parse_args(argv)
    cli = [args.python, "-m", "skfashion"]
    trained = Path(__file__).parents[1] / "skfashion" / "trained"
    from skfashion.datasets import CLASS_NAMES
    from skfashion.zoo import example_picture

    product = str(example_picture("product"))
    outfit = str(example_picture("outfit"))
    starts = {
        "skfashion --help": [*cli, "--help"],
        "skfashion models": [*cli, "models"],
        "predict product photo (default, ONNX)": [*cli, "predict", product],
        "predict outfit photo (default, ONNX)": [*cli, "predict", outfit],
        "predict product photo --model strong (ONNX)": [
            *cli,
            "predict",
            "--model",
            "strong",
            product,
        ],
        "predict product photo --model strong.skf (Keras)": [
            *cli,
            "predict",
            "--model",
            str(trained / "strong.skf"),
            product,
        ],
    }
    result = {"command": " ".join(sys.argv), "python": args.python, "starts": {}}
    for name, command in starts.items():
        result["starts"][name] = measure(command, args.runs)
        print(name, result["starts"][name], flush=True)
    with tempfile.TemporaryDirectory() as folder:
        labels = photos(Path(folder), args.n)
        files = sorted(str(p) for p in Path(folder).glob("*.jpg"))
        many = {
            "default (ONNX)": [],
            "strong (ONNX)": ["--model", "strong"],
            "strong.skf (Keras)": ["--model", str(trained / "strong.skf")],
        }
        result["many"] = {"pictures": len(files)}
        for name, options in many.items():
            wall, cpu, out = timed([*cli, "predict", "--json", *options, *files])
            readings = [json.loads(line) for line in out.splitlines()]
            right = np.mean(
                [
                    bool(r["items"]) and r["items"][0]["class"] == CLASS_NAMES[y]
                    for r, y in zip(readings, labels, strict=True)
                ]
            )
            result["many"][name] = {
                "wall": round(wall, 2),
                "cpu": round(cpu, 2),
                "pictures_per_second": round(len(files) / wall, 1),
                "right": round(float(right), 4),
            }
            print(name, result["many"][name], flush=True)
    RESULTS.mkdir(exist_ok=True)
    label = f"-{args.label}" if args.label else ""
    out = RESULTS / f"startup{label}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out} ({os.path.getsize(out)} bytes)")


if __name__ == "__main__":
    main()
