"""The ``skfashion`` command line."""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from .datasets import DataFileError, load_fashion_mnist


def _data(args) -> int:
    start = time.perf_counter()
    data = load_fashion_mnist(
        subset="all", data_home=args.data_home, download=not args.no_download
    )
    seconds = time.perf_counter() - start
    print(f"Fashion-MNIST: {len(data.target):,} images verified in {seconds:.2f} s")
    return 0


def _demo(args) -> int:
    from .augment import MultiObjectComposer, QuadrantExpander

    start = time.perf_counter()
    train = load_fashion_mnist(data_home=args.data_home)
    print(
        f"loaded {train.images.shape} {train.images.dtype} images "
        f"in {time.perf_counter() - start:.2f} s"
    )
    X, y = train.images, train.target
    start = time.perf_counter()
    expanded = QuadrantExpander(random_state=0).fit_transform(X)
    print(
        f"QuadrantExpander: {X.shape} -> {expanded.shape} {expanded.dtype} "
        f"in {time.perf_counter() - start:.3f} s"
    )
    composer = MultiObjectComposer(random_state=0)
    start = time.perf_counter()
    canvases, Y = composer.fit_resample(X, y)
    seconds = time.perf_counter() - start
    print(
        f"MultiObjectComposer: {len(canvases):,} canvases {canvases.shape[1:]} "
        f"with labels {Y.shape} in {seconds:.3f} s"
    )
    counts = (composer.layout_ >= 0).sum(axis=1)
    print("  items per canvas:", dict(enumerate(np.bincount(counts).tolist())))
    # Label check on the pixels: a class is labelled iff one of its items shows.
    n, rows, cols = len(canvases), *composer.grid_
    h, w = composer.image_shape_
    shown = canvases.reshape(n, rows, h, cols, w).any(axis=(2, 4)).reshape(n, -1)
    visible = np.zeros_like(Y)
    canvas, cell = np.nonzero(shown)
    visible[canvas, composer.layout_[canvas, cell]] = 1
    wrong = int((visible != Y).any(axis=1).sum())
    print(f"  label check: {wrong} of {n:,} canvases label an item that is not visible")
    return 0 if wrong == 0 else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="skfashion", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command", required=True)
    data = commands.add_parser("data", help="find, download and verify the data")
    data.add_argument("--data-home", help="folder searched first, and downloaded to")
    data.add_argument("--no-download", action="store_true")
    data.set_defaults(run=_data)
    demo = commands.add_parser("demo", help="run the tutorial on the real data")
    demo.add_argument("--data-home", help="folder searched first, and downloaded to")
    demo.set_defaults(run=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (DataFileError, ValueError, OSError) as exc:
        if args.debug:
            raise
        print(f"skfashion: error: {exc}", file=sys.stderr)
        return 1
