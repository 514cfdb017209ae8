"""Train the models that skfashion ships, from scratch (``make pretrained``).

::

    python scripts/train_pretrained.py [NAME ...] [--out skfashion/trained]
        [--work .pretrained] [--test-size N] [--resave | --rescore]

Each model is trained by the recipes the command line uses
(:mod:`skfashion.recipes`) on the 60,000 training items, seed 0, with its
checkpoint in ``WORK/NAME/``: an interrupted run, started again, resumes
after its last finished epoch. It is saved as ``OUT/NAME.skf`` beside its
card ``OUT/NAME.json`` (recipe, seed, size, cost, the data's checksum, test
scores measured here, versions, date, intended use and limits). A model whose
file exists is kept (delete it to train it again); heads are trained on the
base file shipped beside them. Each is exported to ``OUT/NAME.onnx``
(:func:`skfashion.export`), its card completed (licence, preprocessing,
version, files, metrics). Last, ``OUT/manifest.json`` gets the SHA-256 of
every model file, card and ONNX twin.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from skfashion.zoo import SHIPPED as MODELS  # the registry this script runs

#: What a single-label model cannot do (its card's "limits"; a head's are its
#: own: skfashion.heads).
SINGLE_LIMITS = (
    "reads one item per image, dark background, light item (Fashion-MNIST's "
    "look; product photos are converted by skfashion.read_picture); the 10 "
    "Fashion-MNIST classes only; an image of several items gets one class"
)


#: What a model of a kind other than a head's cannot do (its card's "limits").
LIMITS = {
    "single": SINGLE_LIMITS,
    "namer": (
        "names one item per image, as cut from a picture by a finder "
        "(skfashion.images.cut_items): its test accuracy on clean items is "
        "below its source's; otherwise as a single-item model: " + SINGLE_LIMITS
    ),
}
#: How each kind of model is made, for its card.
RECIPE = {
    "single": "{source}",
    "namer": "{source}, trained further on items cut as a finder cuts them "
    "(skfashion.recipes.fit_namer)",
}


def _size(model) -> dict:
    from skfashion.networks import multiply_adds

    network = model.model_
    size = {"weights": int(network.count_params())}
    try:
        size["multiply_adds"] = multiply_adds(network)
        size["input_shape"] = list(network.input_shape[1:3])
    except ValueError:  # the anywhere head reads canvases of any size
        pass
    return size


def _data_checksum(images, labels) -> str:
    digest = hashlib.sha256(np.ascontiguousarray(images).tobytes())
    digest.update(np.ascontiguousarray(labels).tobytes())
    return digest.hexdigest()


def _train(name, out, work, train, test, test_size):
    from skfashion import recipes
    from skfashion.heads import get_head
    from skfashion.models import load, save

    kind, source, use = MODELS[name]
    X, y = train.images, train.target
    if kind == "single":
        model = recipes.single_label(source, seed=0, verbose=2)
    elif kind == "namer":
        model = recipes.namer(load(out / f"{source}.skf"), verbose=2)
    else:
        base = load(out / f"{source}.skf")
        model = recipes.multi_label(base, head=kind, seed=0)  # the head's recipe
    model.set_params(checkpoint_dir=str(work / name))
    wall, cpu = time.perf_counter(), time.process_time()
    fit = {"single": recipes.fit_single_label, "namer": recipes.fit_namer}.get(
        kind, recipes.fit_multi_label
    )
    fit(model, X, y, seed=0)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    save(recipes.for_saving(model), out / f"{name}.skf", optimizer=False)
    card = {
        "name": name,
        "kind": "single" if kind == "namer" else kind,  # what the model is
        "intended_use": use,
        "limits": LIMITS.get(kind) or get_head(kind).limits,
        "recipe": RECIPE.get(kind, "head={kind!r} on {source!r}").format(
            kind=kind, source=source
        ),
        "params": _params(model),
        "seed": 0,
        "size": _size(model),
        "training": {
            "items": len(X),
            "data_sha256": _data_checksum(X, y),
            "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1),
            "machine": f"{platform.machine()}, {_cpus()} CPU cores",
        },
        "test": _test_scores(model, kind, test, test_size),
        "versions": _versions(),
        "date": datetime.date.today().isoformat(),
    }
    (out / f"{name}.json").write_text(json.dumps(card, indent=2) + "\n")
    print(json.dumps({"name": name, "test": card["test"], **card["training"]}))


def _test_scores(model, kind, test, test_size=None) -> dict:
    """``model``'s scores on the first ``test_size`` test items (all: None), or
    on composites of them, for its card's ``test``."""
    from skfashion import recipes

    images, labels = test.images[:test_size], test.target[:test_size]
    scored = {"items": len(images)}
    if kind in ("single", "namer"):
        scores = recipes.evaluate_single_label(model, images, labels)
    elif hasattr(model, "predict_boxes"):  # on composites of items anywhere
        scores = recipes.evaluate_anywhere(model, images, labels, n=2000).summary
        scored = {"canvases": 2000, "from_items": len(images)}
    else:
        scores = recipes.evaluate_multi_label(model, images, labels).summary
    return {**scored, **_jsonable(scores)}


def _rescore(name: str, out: Path, test) -> None:
    """``OUT/NAME.json``'s test scores measured again on ``OUT/NAME.skf``, as
    the code predicts now; the file, its ONNX twin and the rest of the card
    are kept."""
    from skfashion.models import load

    card_path = out / f"{name}.json"
    card = json.loads(card_path.read_text())
    n = card["test"].get("items") or card["test"].get("from_items")
    scores = _test_scores(load(out / f"{name}.skf"), MODELS[name][0], test, n)
    print(f"{name}: test {card['test']} -> {scores}")
    card["test"] = scores
    card_path.write_text(json.dumps(card, indent=2) + "\n")
    complete_card(name, out)


def _params(model) -> dict:
    params = model.get_params(deep=False)
    return {
        k: list(v)
        if isinstance(v, tuple)
        else v
        if isinstance(v, (int, float, str, bool, type(None)))
        else repr(v)
        for k, v in params.items()
        if k not in ("verbose", "checkpoint_dir", "base", "callbacks")
    }


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return round(float(value), 4)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _cpus() -> int:
    return len(os.sched_getaffinity(0))


def _versions() -> dict:
    import keras
    import sklearn

    import skfashion

    return {
        "skfashion": skfashion.__version__,
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "scikit-learn": sklearn.__version__,
        "python": platform.python_version(),
    }


#: What every card says beyond how the model was trained and scored: what
#: torchvision's and keras-hub's cards carry (licence, preprocessing, a
#: version, metrics by dataset).
VERSION = 1
LICENSE = {
    "weights": "MIT, as skfashion",
    "training data": "Fashion-MNIST (Zalando Research), MIT",
}
PREPROCESSING = {
    "single": (
        "28x28 uint8 grey-scale items, light on black, as Fashion-MNIST's; the "
        "network scales pixels by 1/255. A picture is cut to its item by "
        "skfashion.read_picture: background removed (a light one inverted), "
        "the item's box padded square and resized to 28x28"
    ),
    "cells": (
        "56x56 uint8 canvases of a 2x2 grid of 28x28 cells, light items on "
        "black; the network scales pixels by 1/255 and reads each inked cell"
    ),
    "anywhere": (
        "uint8 canvases of any size of at least 14x14, light items of about 14 "
        "to 67 pixels on black; the network scales pixels by 1/255. A photo is "
        "turned light-on-black and scaled so its median item is 28 pixels by "
        "skfashion.read_picture, boxes given back in the photo's pixels"
    ),
}


def export_twin(name: str, out: Path) -> None:
    """``OUT/NAME.onnx``, the model exported (where missing or older)."""
    from skfashion.exporter import export
    from skfashion.models import load

    model, onnx = out / f"{name}.skf", out / f"{name}.onnx"
    if not onnx.exists() or onnx.stat().st_mtime < model.stat().st_mtime:
        export(load(model), onnx)
        print(f"{name}: exported to {onnx} ({onnx.stat().st_size:,} bytes)")


def complete_card(name: str, out: Path) -> None:
    """The card's licence, preprocessing, version, files and metrics."""
    path = out / f"{name}.json"
    card = json.loads(path.read_text())
    test = card["test"]
    scores = {k: v for k, v in test.items() if isinstance(v, float)}
    card.update(
        version=VERSION,
        license=LICENSE,
        preprocessing=PREPROCESSING[card["kind"]],
        files={"model": f"{name}.skf", "onnx": f"{name}.onnx"},
        metrics={"Fashion-MNIST test": scores},
    )
    path.write_text(json.dumps(card, indent=2) + "\n")


def write_manifest(out: Path) -> dict:
    """``OUT/manifest.json``: the SHA-256 of every model file, of its card and
    of its ONNX twin, in MODELS' order."""
    names = [name for name in MODELS if (out / f"{name}.skf").exists()]

    def digests(suffix):
        return {
            name: hashlib.sha256((out / f"{name}{suffix}").read_bytes()).hexdigest()
            for name in names
            if (out / f"{name}{suffix}").exists()
        }

    sha256 = digests(".skf")
    manifest = {
        "sha256": sha256,
        "cards_sha256": digests(".json"),
        "onnx_sha256": digests(".onnx"),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return sha256


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # no choices=: argparse checks an empty list against them as one value
    parser.add_argument("names", nargs="*", help=f"of {', '.join(MODELS)} (all)")
    parser.add_argument("--out", default="skfashion/trained")
    parser.add_argument("--work", default=".pretrained")
    parser.add_argument("--test-size", type=int, default=None)
    parser.add_argument(
        "--resave",
        action="store_true",
        help="write the existing files again in the current file format "
        "(the same weights, with their presets' predict-time settings), then "
        "the manifest; nothing is trained",
    )
    parser.add_argument(
        "--rescore",
        action="store_true",
        help="score the existing files again on the test items, as the code "
        "predicts now, and write their cards and the manifest; nothing is "
        "trained or exported",
    )
    args = parser.parse_args(argv)
    args.names = args.names or list(MODELS)
    if set(args.names) - set(MODELS):
        parser.error(f"unknown models {sorted(set(args.names) - set(MODELS))}")
    from skfashion.datasets import load_fashion_mnist

    out, work = Path(args.out), Path(args.work)
    out.mkdir(parents=True, exist_ok=True)
    if args.rescore:
        test = load_fashion_mnist(subset="test")
        for name in args.names:
            _rescore(name, out, test)
        write_manifest(out)
        return
    if args.resave:
        test = load_fashion_mnist(subset="test")  # to score what changes
        for name in args.names:
            _resave(name, out, test)
        _finish(args.names, out)
        return
    train = load_fashion_mnist()
    test = load_fashion_mnist(subset="test")
    for name in args.names:
        if (out / f"{name}.skf").exists():
            print(f"{name}: {out / name}.skf exists, kept")
            continue
        _train(name, out, work, train, test, args.test_size)
    _finish(args.names, out)


def _predict_settings(name: str) -> dict:
    """The predict-time parameters of a single-item model's preset (for a
    namer, its source's): what a resave gives the model, its weights kept."""
    from skfashion.presets import PRESETS

    kind, source, _ = MODELS[name]
    if kind == "namer":
        kind, source, _ = MODELS[source]
    return {"test_flip": PRESETS[source]["test_flip"]} if kind == "single" else {}


def _resave(name: str, out: Path, test) -> None:
    """``OUT/NAME.skf`` written again, with :func:`_predict_settings`; a
    model whose settings change is scored again on ``test``, its card updated."""
    from skfashion import recipes
    from skfashion.models import load, save

    path, card_path = out / f"{name}.skf", out / f"{name}.json"
    before, model = path.stat().st_size, load(path)
    settings = {
        k: v for k, v in _predict_settings(name).items() if model.get_params()[k] != v
    }
    model.set_params(**settings)
    save(model, path, optimizer=False)
    print(f"{name}: {before:,} -> {path.stat().st_size:,} bytes, {settings or ''}")
    if settings:
        card = json.loads(card_path.read_text())
        n = card["test"]["items"]
        scores = recipes.evaluate_single_label(model, test.images[:n], test.target[:n])
        print(f"{name}: test {card['test']} -> {_jsonable(scores)}")
        card["params"].update(settings)
        card["test"].update(_jsonable(scores))
        card_path.write_text(json.dumps(card, indent=2) + "\n")


def _finish(names, out: Path) -> None:
    """The ONNX twins, the cards' common parts, the manifest."""
    for name in names:
        export_twin(name, out)
        complete_card(name, out)
    write_manifest(out)


if __name__ == "__main__":
    main()
