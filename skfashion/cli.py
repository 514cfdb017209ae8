"""The ``skfashion`` command line: the tutorial end to end, and its pieces.

    skfashion demo [--quick] [--epochs N] [--fresh] [--fine-tune] [--out DIR]
    skfashion train --kind single|multi [--config FILE] --out MODEL
    skfashion evaluate --model MODEL
    skfashion predict --model MODEL IMAGE...
    skfashion show [--out DIR]
    skfashion data [--no-download]

Errors are one line on stderr and a non-zero exit status; ``--debug`` shows
the traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from pathlib import Path

from .datasets import CLASS_NAMES, DataFileError, load_fashion_mnist
from .report import DemoSettings, Log, run_demo, write_pictures


def _quiet_libraries() -> None:
    # 3: TensorFlow's C++ log also prints harmless errors about tf.data attributes.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("MPLBACKEND", "Agg")


# -- commands -------------------------------------------------------------------


def _data(args, log) -> int:
    with log.step("finding and verifying Fashion-MNIST") as step:
        data = load_fashion_mnist(
            subset="all", data_home=args.data_home, download=not args.no_download
        )
    print(
        f"Fashion-MNIST: {len(data.target):,} images verified in {step.seconds:.2f} s"
    )
    return 0


def _demo(args, log) -> int:
    overrides = {
        key: value
        for key in ("epochs", "multi_epochs", "train_size", "seed")
        if (value := getattr(args, key)) is not None
    }
    overrides.update(fresh=args.fresh, fine_tune=args.fine_tune)
    settings = (
        DemoSettings.quick(**overrides) if args.quick else DemoSettings(**overrides)
    )
    metrics = run_demo(settings, args.out, data_home=args.data_home, log=log)
    multi = metrics["multi_label"]
    print(f"single-label test accuracy  {metrics['single_label']['test_accuracy']:.4f}")
    print(
        f"multi-label subset accuracy {multi['subset_accuracy']:.4f}, "
        f"micro-F1 {multi['f1_micro']:.4f}, Hamming loss {multi['hamming_loss']:.4f}, "
        f"count accuracy {multi['count_accuracy']:.4f}"
    )
    print(f"report: {Path(args.out) / 'report.md'}")
    return 0


_TRAIN_KEYS = {
    "kind": str,
    "epochs": int,
    "batch_size": int,
    "filters": list,
    "dropout": float,
    "learning_rate": float,
    "fresh": bool,
    "fine_tune": bool,
    "threshold": float,
    "train_size": int,
    "seed": int,
    "base": str,
}


def _train_settings(args) -> dict:
    """Options from ``--config`` (TOML), overridden by those on the command line."""
    settings = {
        "kind": "single",
        "epochs": 6,
        "batch_size": 32,
        "fresh": False,
        "fine_tune": False,
        "seed": 0,
    }
    if args.config:
        try:
            config = tomllib.loads(Path(args.config).read_text())
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{args.config} is not valid TOML: {exc}") from None
        unknown = set(config) - set(_TRAIN_KEYS)
        if unknown:
            raise ValueError(
                f"{args.config}: unknown settings {sorted(unknown)}; "
                f"known: {sorted(_TRAIN_KEYS)}"
            )
        for key, value in config.items():
            expected = (int, float) if _TRAIN_KEYS[key] is float else _TRAIN_KEYS[key]
            if not isinstance(value, expected) or (
                isinstance(value, bool) and _TRAIN_KEYS[key] is not bool
            ):
                kind = _TRAIN_KEYS[key].__name__
                raise ValueError(
                    f"{args.config}: {key} must be of type {kind}, got {value!r}"
                )
        settings.update(config)
    for key in _TRAIN_KEYS:
        value = getattr(args, key, None)
        if value is not None and value is not False:
            settings[key] = value
    if settings["kind"] not in ("single", "multi"):
        raise ValueError(f"kind must be 'single' or 'multi', got {settings['kind']!r}")
    return settings


def _train(args, log) -> int:
    from .augment import MultiObjectComposer, QuadrantExpander
    from .models import CNNClassifier, MultiLabelTransfer, dump, load

    s = _train_settings(args)
    train = load_fashion_mnist(data_home=args.data_home)
    X, y = train.images[: s.get("train_size")], train.target[: s.get("train_size")]
    common = dict(
        epochs=s["epochs"],
        batch_size=s["batch_size"],
        random_state=s["seed"],
        verbose=log.keras_verbose,
    )
    if "learning_rate" in s:
        common["learning_rate"] = s["learning_rate"]
    if s["kind"] == "single" or "base" not in s:
        cnn_params = {k: s[k] for k in ("dropout",) if k in s}
        if "filters" in s:
            cnn_params["filters"] = tuple(s["filters"])
        cnn = CNNClassifier(
            augment=QuadrantExpander() if s["fresh"] else None, **common, **cnn_params
        )
        with log.step(f"training a single-label CNN on {len(X):,} items"):
            cnn.fit(
                X if s["fresh"] else QuadrantExpander(random_state=0).fit_transform(X),
                y,
            )
        model = cnn
    else:
        cnn = load(s["base"])
    if s["kind"] == "multi":
        transfer = MultiLabelTransfer(
            cnn,
            fine_tune=s["fine_tune"],
            threshold=s.get("threshold", 0.5),
            augment=MultiObjectComposer() if s["fresh"] else None,
            **common,
        )
        with log.step(f"training a multi-label head on {len(X):,} items' composites"):
            if s["fresh"]:
                transfer.fit(X, y)
            else:
                transfer.fit(*MultiObjectComposer(random_state=0).fit_resample(X, y))
        model = transfer
    dump(model, args.out)
    print(f"saved a {s['kind']}-label model to {args.out}")
    return 0


def _evaluate(args, log) -> int:
    from .augment import MultiObjectComposer, QuadrantExpander
    from .metrics import multilabel_summary
    from .models import MultiLabelTransfer, load

    model = load(args.model)
    test = load_fashion_mnist(subset="test", data_home=args.data_home)
    with log.step(f"evaluating {args.model} on the test set"):
        if isinstance(model, MultiLabelTransfer):
            canvases, Y = MultiObjectComposer(random_state=1).fit_resample(
                test.images, test.target
            )
            results = multilabel_summary(Y, model.predict(canvases))
        else:  # a Pipeline places the raw items itself
            images = test.images
            if not hasattr(model, "steps"):
                images = QuadrantExpander(random_state=1).fit_transform(images)
            results = {"accuracy": float(model.score(images, test.target))}
    for name, value in results.items():
        print(f"{name:16s} {value:.4f}")
    return 0


def _predict(args, log) -> int:
    import numpy as np

    from .augment import QuadrantExpander
    from .images import canvas_from_picture, item_from_picture
    from .models import MultiLabelTransfer, load

    model = load(args.model)
    cnn = model.steps[-1][1] if hasattr(model, "steps") else model
    shape = cnn.input_shape_
    for path in args.images:
        if not Path(path).is_file():
            raise FileNotFoundError(f"no such image: {path}")
        if isinstance(model, MultiLabelTransfer):
            canvas = canvas_from_picture(path, shape)
            proba = model.predict_proba(canvas[np.newaxis])[0]
            found = [
                f"{CLASS_NAMES[i]} ({proba[i]:.2f})"
                for i in np.flatnonzero(proba >= model.threshold_)
            ]
            print(f"{path}: " + (", ".join(found) if found else "no item found"))
            continue
        item = item_from_picture(path)
        if shape != item.shape and cnn is model:  # the item goes in one cell
            grid = (shape[0] // item.shape[0], shape[1] // item.shape[1])
            item = QuadrantExpander(grid, cell=0).fit_transform(item[np.newaxis])[0]
        proba = model.predict_proba(item[np.newaxis])[0]
        classes = cnn.classes_
        best = np.argsort(proba)[::-1][: args.top]
        names = [
            CLASS_NAMES[c] if isinstance(c, int | np.integer) else str(c)
            for c in classes[best]
        ]
        print(
            f"{path}: "
            + ", ".join(f"{n} {p:.2f}" for n, p in zip(names, proba[best], strict=True))
        )
    return 0


def _show(args, log) -> int:
    from .augment import MultiObjectComposer, QuadrantExpander

    train = load_fashion_mnist(data_home=args.data_home)
    X, y = train.images[:2000], train.target[:2000]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    expanded = QuadrantExpander(random_state=0).fit_transform(X)
    composer = MultiObjectComposer(random_state=0)
    canvases, _ = composer.fit_resample(X, y)
    counts = (composer.layout_ >= 0).sum(axis=1)
    for name in write_pictures(out, X, y, expanded, canvases, counts):
        print(out / name)
    return 0


# -- parser ---------------------------------------------------------------------


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``skfashion``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-home", help="folder searched first for the data")
    common.add_argument("--quiet", action="store_true", help="no progress output")
    common.add_argument("--debug", action="store_true", help="show tracebacks")

    parser = argparse.ArgumentParser(
        prog="skfashion", description="Fashion-MNIST, multi-class and multi-label."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    data = commands.add_parser(
        "data", parents=[common], help="find and verify the data"
    )
    data.add_argument("--no-download", action="store_true")
    data.set_defaults(run=_data)

    demo = commands.add_parser(
        "demo", parents=[common], help="the tutorial, end to end"
    )
    demo.add_argument(
        "--quick", action="store_true", help="a smoke run of about a minute"
    )
    demo.add_argument(
        "--epochs", type=_positive, help="single-label epochs (default 6)"
    )
    demo.add_argument(
        "--multi-epochs", type=_positive, help="multi-label epochs (default 4)"
    )
    demo.add_argument("--fresh", action="store_true", help="fresh canvases every batch")
    demo.add_argument("--fine-tune", action="store_true", help="unfreeze the base")
    demo.add_argument("--train-size", type=_positive, help="training items to use")
    demo.add_argument("--seed", type=int)
    demo.add_argument("--out", default="reports/demo", help="report folder")
    demo.set_defaults(run=_demo)

    train = commands.add_parser(
        "train", parents=[common], help="train and save a model"
    )
    train.add_argument("--config", help="TOML file of the options below")
    train.add_argument("--kind", choices=["single", "multi"])
    train.add_argument("--epochs", type=_positive)
    train.add_argument("--batch-size", type=_positive)
    train.add_argument("--filters", type=_positive, nargs="+")
    train.add_argument("--dropout", type=float)
    train.add_argument("--learning-rate", type=float)
    train.add_argument("--threshold", type=float, help="multi-label decision threshold")
    train.add_argument(
        "--fresh", action="store_true", help="fresh canvases every batch"
    )
    train.add_argument("--fine-tune", action="store_true")
    train.add_argument("--base", help="saved single-label model to transfer from")
    train.add_argument("--train-size", type=_positive)
    train.add_argument("--seed", type=int)
    train.add_argument("--out", required=True, help="model file to write")
    train.set_defaults(run=_train)

    evaluate = commands.add_parser(
        "evaluate", parents=[common], help="score a saved model on the test set"
    )
    evaluate.add_argument("--model", required=True)
    evaluate.set_defaults(run=_evaluate)

    predict = commands.add_parser(
        "predict", parents=[common], help="classes in your own pictures"
    )
    predict.add_argument("--model", required=True)
    predict.add_argument("--top", type=_positive, default=3, help="classes to print")
    predict.add_argument("images", nargs="+", metavar="IMAGE")
    predict.set_defaults(run=_predict)

    show = commands.add_parser(
        "show", parents=[common], help="draw the tutorial's pictures"
    )
    show.add_argument("--out", default="reports/pictures")
    show.set_defaults(run=_show)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``skfashion``; returns the exit status."""
    _quiet_libraries()
    args = build_parser().parse_args(argv)
    try:
        return args.run(args, Log(quiet=args.quiet))
    except (DataFileError, ValueError, TypeError, OSError, ImportError) as exc:
        if args.debug:
            raise
        print(f"skfashion: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("skfashion: interrupted", file=sys.stderr)
        return 130
