"""Many pictures: ``skfashion predict DIR`` and a Dask cluster.

::

    python benchmarks/bench_many.py [--n 10000]

Draws ``--n`` product photos (Fashion-MNIST test items, ``tests/photos.py``,
JPEG) into nested folders, then reads them all: one ``skfashion predict
--json DIR`` process (the shipped readers), its resident memory sampled every
half second; and ``skfashion.parallel.predict_pictures`` on a
``LocalCluster`` of two worker processes, compared with the first. Writes
``benchmarks/results/many.json``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results"
sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))


def draw(folder: Path, n: int) -> dict[str, int]:
    """``n`` product photos in ``folder/NNN/``: their classes by path."""
    from photos import product_photo

    from skfashion import load_fashion_mnist

    test = load_fashion_mnist(subset="test")
    rng = np.random.RandomState(0)
    classes = {}
    for k in range(n):
        i = rng.randint(len(test.target))
        sub = folder / f"{k // 500:03d}"
        sub.mkdir(exist_ok=True)
        path = sub / f"{k:05d}.jpg"
        product_photo(test.images[i], random_state=k).convert("RGB").save(
            path, quality=85
        )
        classes[str(path)] = int(test.target[i])
    return classes


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args(argv)
    from skfashion.datasets import CLASS_NAMES

    result = {"command": " ".join(sys.argv), "pictures": args.n}
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        classes = draw(Path(folder), args.n)
        result["draw_s"] = round(time.perf_counter() - start, 1)
        print("drawn", result["draw_s"], flush=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "skfashion", "predict", "--json", folder],
            stdout=subprocess.PIPE,
            text=True,
        )
        memory, lines = [], []
        import threading

        def sample():
            while process.poll() is None:
                value = rss_kb(process.pid)
                if value:
                    memory.append((len(lines), value))
                time.sleep(0.5)

        sampler = threading.Thread(target=sample)
        sampler.start()
        for line in process.stdout:
            lines.append(line)
        process.wait()
        sampler.join()
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        readings = [json.loads(line) for line in lines]
        right = np.mean(
            [
                bool(r["items"])
                and r["items"][0]["class"] == CLASS_NAMES[classes[r["path"]]]
                for r in readings
            ]
        )
        # resident memory once a tenth of the pictures were read, and at most
        tenth = next(kb for done, kb in memory if done >= len(readings) / 10)
        result["one_process"] = {
            "readings": len(readings),
            "errors": sum(r.get("error") is not None for r in readings),
            "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1),
            "pictures_per_second": round(len(readings) / wall, 1),
            "right": round(float(right), 4),
            "rss_mb_after_a_tenth": round(tenth / 1e3, 1),
            "rss_mb_max": round(max(kb for _, kb in memory) / 1e3, 1),
        }
        print(json.dumps(result["one_process"]), flush=True)
        from dask.distributed import Client, LocalCluster

        from skfashion.parallel import predict_pictures

        paths = [r["path"] for r in readings]
        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            client.run(lambda: None)  # the workers up
            start = time.perf_counter()
            there = [r.to_json() for r in predict_pictures(paths, client=client)]
            wall = time.perf_counter() - start
        result["dask_two_workers"] = {
            "readings": len(there),
            "wall_s": round(wall, 1),
            "pictures_per_second": round(len(there) / wall, 1),
            "same_as_one_process": there == readings,
        }
        print(json.dumps(result["dask_two_workers"]), flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "many.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS / 'many.json'}")


if __name__ == "__main__":
    main()
