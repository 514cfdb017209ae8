"""Throughput of the augmenters against a transcription of the tutorial's loops.

Run with ``make bench`` (or ``python benchmarks/bench_augment.py``). Prints
images per second on the full training set, the speed-up as a ratio measured
in the same run, and how many of the tutorial's composite labels name an item
that is no longer visible.
"""

import json
import time
from pathlib import Path

import numpy as np
from keras.utils import to_categorical

from skfashion.augment import MultiObjectComposer, QuadrantExpander
from skfashion.datasets import load_fashion_mnist


def tutorial_expand_4times(img):
    """The tutorial's ``expand_4times``, as written."""
    bg = np.zeros(img.shape)
    idx = np.random.randint(0, 4)
    slots = [bg, bg, bg, bg]
    slots[idx] = img
    return np.vstack([np.hstack(slots[:2]), np.hstack(slots[2:])])


def tutorial_expand_4times2(x_data, y_data, draws=4):
    """The tutorial's ``expand_4times2``. As written it draws four canvases and
    keeps the last (``draws=4``); ``draws=1`` is what it meant to do. Each slot
    carries the index of its item, so that hidden labels can be counted. The
    shuffle inside the filling loop is the tutorial's: it lets a later item
    overwrite an earlier one."""
    for _ in range(draws):
        bg = np.zeros(shape=(28, 28))
        obj_count = np.random.randint(0, 5)
        label = np.zeros((10,))
        slots = [(bg, -1)] * 4
        placed = []
        for idx in range(obj_count):
            i = np.random.randint(len(x_data))
            slots[idx] = (x_data[i], i)
            placed.append(i)
            label += to_categorical(y_data[i], 10)
            np.random.shuffle(slots)
    images = [s[0] for s in slots]
    new_img = np.vstack([np.hstack(images[:2]), np.hstack(images[2:])])
    on_canvas = {s[1] for s in slots}
    overwritten = any(i not in on_canvas for i in placed)
    shown = {y_data[i] for i in on_canvas if i >= 0}
    hidden = any(y_data[i] not in shown for i in placed)
    return new_img, (label >= 1).astype(np.int8), overwritten, hidden


def best_of(repeats, fn):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    results = {"n_items": 0, "expand": {}, "compose": {}, "labels": {}}
    start = time.perf_counter()
    train = load_fashion_mnist()
    print(f"load_fashion_mnist(): {time.perf_counter() - start:.2f} s")
    X, y = train.images, train.target
    X_float = X.astype(np.float64) / 255  # the tutorial's pixels
    n = len(X)
    np.random.seed(0)

    expander = QuadrantExpander(random_state=0).fit(X)
    ours_u8 = best_of(5, lambda: expander.transform(X))
    ours_f64 = best_of(5, lambda: expander.transform(X_float))
    start = time.perf_counter()
    np.array([tutorial_expand_4times(img) for img in X_float])
    tutorial = time.perf_counter() - start
    results["n_items"] = n
    results["expand"] = {"uint8": ours_u8, "float64": ours_f64, "tutorial": tutorial}
    print(f"\nQuadrantExpander on {n:,} images")
    print(f"  ours uint8   {ours_u8:7.3f} s  {n / ours_u8:12,.0f} images/s")
    print(f"  ours float64 {ours_f64:7.3f} s  {n / ours_f64:12,.0f} images/s")
    print(f"  tutorial     {tutorial:7.3f} s  {n / tutorial:12,.0f} images/s")
    print(
        f"  speed-up     {tutorial / ours_u8:7.0f}x (uint8), "
        f"{tutorial / ours_f64:.0f}x (float64)"
    )

    composer = MultiObjectComposer(random_state=0)
    ours_u8 = best_of(5, lambda: composer.fit_resample(X, y))
    ours_f64 = best_of(5, lambda: composer.fit_resample(X_float, y))
    start = time.perf_counter()
    [tutorial_expand_4times2(X_float, y) for _ in range(n)]
    as_written = time.perf_counter() - start
    start = time.perf_counter()
    drawn = [tutorial_expand_4times2(X_float, y, draws=1) for _ in range(n)]
    tutorial = time.perf_counter() - start
    results["compose"] = {
        "uint8": ours_u8,
        "float64": ours_f64,
        "tutorial_as_written": as_written,
        "tutorial_one_draw": tutorial,
    }
    print(f"\nMultiObjectComposer, {n:,} canvases")
    print(f"  ours uint8   {ours_u8:7.3f} s  {n / ours_u8:12,.0f} canvases/s")
    print(f"  ours float64 {ours_f64:7.3f} s  {n / ours_f64:12,.0f} canvases/s")
    print(f"  tutorial, as written (4 draws per canvas kept)  {as_written:7.3f} s")
    print(f"  tutorial, one draw per canvas  {tutorial:7.3f} s")
    print(
        f"  speed-up     {as_written / ours_u8:.0f}x as written, "
        f"{tutorial / ours_u8:.0f}x against one draw (uint8); "
        f"{tutorial / ours_f64:.0f}x against one draw (float64)"
    )

    overwritten = np.mean([r[2] for r in drawn])
    hidden = np.mean([r[3] for r in drawn])
    canvases, Y = composer.fit_resample(X, y)
    layout = composer.layout_
    shown = canvases.reshape(n, 2, 28, 2, 28).any(axis=(2, 4)).reshape(n, 4)
    visible = np.zeros_like(Y)
    rows, cells = np.nonzero(shown)
    visible[rows, layout[rows, cells]] = 1
    print("\nTutorial's composites")
    print(f"  with an item overwritten by another          {overwritten:6.1%}")
    print(f"  with a label no visible item shows          {hidden:6.1%}")
    wrong = (visible != Y).any(axis=1)
    print(
        f"Ours: with a label no visible item shows {wrong.mean():6.1%} "
        f"(checked on the pixels of {n:,} canvases)"
    )
    results["labels"] = {
        "tutorial_overwritten": float(overwritten),
        "tutorial_hidden_label": float(hidden),
        "ours_hidden_label": float(wrong.mean()),
    }
    Path("benchmarks/results/augment.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
