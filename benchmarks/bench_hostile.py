"""Hostile files: how long skfashion takes to refuse them, and how much memory.

::

    python benchmarks/bench_hostile.py

Each file is built here, as an attacker would, then read in a new process
(``skfashion predict`` or ``skfashion.load``): wall time and the process's
peak resident memory (``ru_maxrss``), against a good file's. Writes
``benchmarks/results/hostile.json``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def run(code: str, *args: str) -> dict:
    """Run ``code`` in a new Python: seconds, peak MB, last line printed."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", code, *args], stdout=out, stderr=out, text=True
        )
        _, status, usage = os.wait4(process.pid, 0)  # this child's own peak
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        out.seek(0)
        said = out.read().strip().splitlines()
    return {
        "seconds": round(seconds, 2),
        "peak_mb": round(usage.ru_maxrss / 1e3, 1),
        "answer": said[-1][:160] if said else "",
        "exit_status": process.returncode,
    }


LOAD = (
    "import sys, skfashion\n"
    "try:\n    skfashion.load(sys.argv[1]); print('loaded')\n"
    "except ValueError as e:\n    print('refused:', e)"
)
PREDICT = (
    "import sys\nfrom skfashion.cli import main\n"
    "sys.exit(main(['predict', *sys.argv[1:]]))"
)


def zeros_member(good: Path, out: Path, nbytes: int) -> None:
    """``good`` with its first array member replaced by ``nbytes`` of zeros,
    deflated (a file of about a thousandth of that)."""
    with zipfile.ZipFile(good) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    target = next(n for n in members if n.endswith(".npy"))
    header = {"descr": "<f4", "fortran_order": False, "shape": (nbytes // 4,)}
    text = repr(header).encode().ljust(117) + b"\n"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            if name != target:
                archive.writestr(name, data)
                continue
            with archive.open(name, "w", force_zip64=True) as member:
                member.write(b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little"))
                member.write(text)
                chunk = bytes(1 << 24)
                for _ in range(nbytes // len(chunk)):
                    member.write(chunk)


def main() -> None:
    from skfashion.zoo import TRAINED, example_picture

    results = {}
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        good = TRAINED / "fast.skf"
        results["a good model file (fast.skf)"] = run(LOAD, str(good))
        crafted = folder / "zeros.skf"
        zeros_member(good, crafted, 1_200_000_000)
        size = crafted.stat().st_size
        results[f"a {size / 1e6:.1f} MB model file declaring 1.2 GB"] = run(
            LOAD, str(crafted)
        )
        fifo = folder / "f.png"
        os.mkfifo(fifo)
        results["a FIFO named f.png"] = run(PREDICT, str(fifo))
        bomb = folder / "bomb.png"  # drawn in a process of its own: a forked
        # child counts its parent's memory in its peak
        draw = "import sys; from PIL import Image; Image.new('I;16', (13000, 13000))"
        subprocess.run(
            [sys.executable, "-c", f"{draw}.save(sys.argv[1])", str(bomb)], check=True
        )
        results[f"a 13000x13000 16-bit PNG of {bomb.stat().st_size // 1000} KB"] = run(
            PREDICT, str(bomb)
        )
        results["a good photo (product.jpg)"] = run(
            PREDICT, str(example_picture("product"))
        )
    for name, row in results.items():
        print(f"{name}: {row}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "hostile.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
