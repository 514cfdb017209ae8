"""The ``skfashion`` command line: the tutorial end to end, and its pieces.

    skfashion demo [--quick] [--recipe NAME] [--epochs N] [--head cells|dense]
                   [--fresh] [--fine-tune] [--out DIR]
    skfashion train --kind single|multi [--recipe NAME] [--config FILE] --out MODEL
    skfashion evaluate [--model MODEL]
    skfashion predict [--model MODEL] [--example NAME] IMAGE...
    skfashion models
    skfashion export MODEL OUT
    skfashion serve [--model MODEL] [--host HOST] [--port PORT]
    skfashion show [--out DIR]
    skfashion data [--no-download]

Errors are one line on stderr and a non-zero exit status; ``--debug`` shows
the traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tomllib
from pathlib import Path

from . import __version__
from .datasets import DataFileError, load_fashion_mnist
from .demo_settings import DemoSettings
from .heads import HEADS, check_threshold, get_head
from .presets import PRESETS as _PRESETS
from .progress import Log
from .reading import AS
from .zoo import EXAMPLE_PICTURES, example_picture

PRESETS = tuple(sorted(_PRESETS))  # CNNClassifier.from_preset's names


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
    from .datasets import data_folder

    print(
        f"Fashion-MNIST: {len(data.target):,} images verified in {step.seconds:.2f} s "
        f"in {data_folder(args.data_home)}"
    )
    return 0


def _demo(args, log) -> int:
    overrides = {
        key: value
        for key in (
            "epochs",
            "multi_epochs",
            "anywhere_epochs",
            "train_size",
            "seed",
            "head",
        )
        if (value := getattr(args, key)) is not None
    }
    if args.recipe is not None:
        overrides["preset"] = args.recipe
        overrides.setdefault("epochs", None)  # the recipe's own
    from .report import run_demo

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
    if "cell_accuracy" in multi:
        print(
            f"multi-label per cell      {multi['cell_accuracy']:.4f}, "
            f"items named {multi['item_accuracy']:.4f}, "
            f"item counts {multi['item_count_accuracy']:.4f}"
        )
    if "anywhere" in metrics:
        a = metrics["anywhere"]
        print(
            f"items anywhere: mAP@0.5 {a['map50']:.4f}, F1 {a['f1']:.4f}, "
            f"count accuracy {a['count_accuracy']:.4f}, "
            f"subset accuracy {a['subset_accuracy']:.4f}"
        )
    print(f"report: {Path(args.out) / 'report.md'}")
    return 0


_TRAIN_KEYS = {
    "kind": str,
    "recipe": str,
    "head": str,
    "epochs": int,
    "batch_size": int,
    "filters": list,
    "dropout": float,
    "learning_rate": float,
    "fresh": bool,
    "fine_tune": bool,
    "threshold": (float, str),  # a number, or "tuned"
    "train_size": int,
    "seed": int,
    "base": str,
}


def _train_settings(args) -> dict:
    """Options from ``--config`` (TOML), overridden by those on the command line."""
    settings = {
        "kind": "single",
        "recipe": "fast",
        "head": "cells",
        "fresh": False,
        "fine_tune": False,
        "seed": 0,
    }
    if args.config:
        try:
            config = tomllib.loads(Path(args.config).read_text())
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{args.config} is not valid TOML: {exc}") from exc
        unknown = set(config) - set(_TRAIN_KEYS)
        if unknown:
            raise ValueError(
                f"{args.config}: unknown settings {sorted(unknown)}; "
                f"known: {sorted(_TRAIN_KEYS)}"
            )
        for key, value in config.items():
            expected = _TRAIN_KEYS[key]
            if expected is float or expected == (float, str):
                expected = (int, *([expected] if expected is float else expected))
            if not isinstance(value, expected) or (
                isinstance(value, bool) and _TRAIN_KEYS[key] is not bool
            ):
                kind = getattr(_TRAIN_KEYS[key], "__name__", "float or 'tuned'")
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
    if settings["recipe"] not in PRESETS:
        raise ValueError(
            f"recipe must be one of {sorted(PRESETS)}, got {settings['recipe']!r}"
        )
    get_head(settings["head"])  # a registered head, or one line naming them
    given = set(config if args.config else ()) | {
        key for key in _TRAIN_KEYS if getattr(args, key, None) not in (None, False)
    }
    _refuse_what_does_not_apply(settings, given)
    return settings


_MULTI_ONLY = ("base", "head", "threshold", "fine_tune")
_SINGLE_ONLY = ("recipe", "filters", "dropout", "fresh")


def _refuse_what_does_not_apply(settings: dict, given: set) -> None:
    """One line for the first option given that this training would ignore."""

    def flag(key):
        return "--" + key.replace("_", "-")

    if settings["kind"] == "single":
        for key in _MULTI_ONLY:
            if key in given:
                raise ValueError(f"{flag(key)} applies to --kind multi only")
    elif "base" in settings:
        for key in _SINGLE_ONLY:
            if key in given and key != "fresh":
                raise ValueError(
                    f"{flag(key)} sets up the single-label CNN, which --base replaces"
                )
    threshold = settings.get("threshold")
    if threshold is None or settings["kind"] != "multi":
        return
    head = get_head(settings["head"])
    if "threshold" not in head.uses:
        takes = sorted(name for name, h in HEADS.items() if "threshold" in h.uses)
        raise ValueError(
            f"--threshold applies to --head {' or '.join(takes)}, not "
            f"{head.name} ({head.summary})"
        )
    if threshold != "tuned":
        check_threshold(threshold)


def _train(args, log) -> int:
    from . import recipes
    from .models import load, save

    s = _train_settings(args)
    folder = Path(args.out).parent
    if not folder.is_dir():  # before the work, not after it
        raise ValueError(f"cannot write {args.out}: there is no folder {folder}")
    train = load_fashion_mnist(data_home=args.data_home)
    X, y = train.images[: s.get("train_size")], train.target[: s.get("train_size")]
    n_classes = len(set(y.tolist()))
    if n_classes < 10 or len(X) < 100:
        _warn(
            f"training on {len(X)} items, which hold {n_classes} of the 10 classes: "
            "too few to learn them (try --train-size 3000 or more)"
        )
    common = dict(seed=s["seed"], verbose=log.keras_verbose)
    common.update({k: s.get(k) for k in ("epochs", "batch_size")})
    if s["kind"] == "single" or "base" not in s:
        cnn = recipes.single_label(
            s["recipe"],
            fresh=s["fresh"],
            filters=s.get("filters"),
            dropout=s.get("dropout"),
            learning_rate=s.get("learning_rate"),
            **common,
        )
        cnn.set_params(checkpoint_dir=_checkpoint(args, "single", cnn.epochs))
        with log.step(f"training a single-label CNN on {len(X):,} items"):
            recipes.fit_single_label(cnn, X, y, seed=s["seed"])
        model = cnn
    else:
        cnn = load(s["base"], trust_pickle=args.trust_pickle)
    if s["kind"] == "multi":
        head = get_head(s["head"])
        threshold = s.get("threshold", head.training.get("threshold"))
        validation_split = None  # the head's own
        if threshold == "tuned":  # tuned on held-out composites
            validation_split = head.training.get("validation_split", 0.1)
            if len(X) * validation_split < 10:
                _warn(
                    f"--threshold tuned holds out {int(len(X) * validation_split)} "
                    f"of {len(X)} items to tune on: too few for stable thresholds"
                )
        transfer = recipes.multi_label(
            cnn,
            head=s["head"],
            fresh=s["fresh"],
            fine_tune=s["fine_tune"],
            threshold=s.get("threshold"),
            learning_rate=s.get("learning_rate"),
            validation_split=validation_split,
            **common,
        )
        transfer.set_params(checkpoint_dir=_checkpoint(args, "multi", transfer.epochs))
        with log.step(f"training a multi-label head on {len(X):,} items' composites"):
            recipes.fit_multi_label(transfer, X, y, seed=s["seed"])
        model = transfer
    save(recipes.for_saving(model), args.out)
    print(f"saved a {s['kind']}-label model to {args.out}")
    return 0


def _warn(message: str) -> None:
    """A warning line on stderr, even with --quiet."""
    print(f"skfashion: warning: {message}", file=sys.stderr)


def _checkpoint(args, stage: str, epochs: int) -> str | None:
    """The checkpoint folder of one training ``stage``; says if it resumes."""
    from .checkpoint import epochs_done

    if args.checkpoint is None:
        return None
    folder = Path(args.checkpoint) / stage
    done = epochs_done(folder)
    if done:
        print(
            f"resuming the {stage}-label training from its checkpoint in "
            f"{folder}: epoch {done} of {epochs} done"
        )
    return str(folder)


def _load_model(spec: str | None, trust_pickle: bool, *, exported: bool = False):
    """The model of ``--model``: a file or a shipped model's name; None: the
    shipped readers (:data:`skfashion.zoo.READERS`). ``exported``: for
    prediction only (:func:`skfashion.zoo.reading_model`: a shipped model's
    ONNX twin, an ONNX file read by onnxruntime)."""
    from .zoo import READERS, pretrained, reading_model

    is_file = _is_file(spec)
    if spec is None:
        if not set(READERS.values()) <= set(pretrained()):
            raise ValueError(
                "this installation lacks the shipped models that read pictures "
                "by default: give --model FILE (skfashion train makes one)"
            )
        return None
    if exported:
        return reading_model(spec, trust_pickle=trust_pickle)
    return _load_keras_model(spec, trust_pickle) if is_file else pretrained(spec)


def _is_file(spec: str | None) -> bool:
    """Whether ``--model`` names a file (else a shipped model, or None);
    neither: one line naming the shipped ones."""
    from .zoo import pretrained

    if spec is None or (spec in pretrained() and not Path(spec).exists()):
        return False
    if not Path(spec).exists():
        names = ", ".join(pretrained()) or "none here"
        raise ValueError(
            f"--model {spec}: no such file, nor a shipped model (their names: "
            f"{names}; skfashion models)"
        )
    return True


def _load_keras_model(path: str, trust_pickle: bool):
    """A model file of :func:`skfashion.save` (or joblib's, trusted)."""
    from ._quiet import import_keras_quietly

    import_keras_quietly()
    from .models import load

    return load(path, trust_pickle=trust_pickle)


def _models(args, log) -> int:
    from .zoo import TRAINED, model_card, pretrained

    names = pretrained()
    if not names:
        print("this installation ships no trained model (make pretrained makes them)")
        return 0
    print(f"{'name':14s} {'kind':9s} {'test':>7s} {'weights':>9s} {'file':>7s}  for")
    for name in names:
        card = model_card(name)
        test = card["test"]
        score = test.get("accuracy", test.get("subset_accuracy"))
        megabytes = (TRAINED / f"{name}.skf").stat().st_size / 1e6
        print(
            f"{name:14s} {card['kind']:9s} {score:7.4f} "
            f"{card['size']['weights']:9,d} {megabytes:5.1f}MB  {card['intended_use']}"
        )
    print(
        "test: accuracy (single), subset accuracy on test composites (cells, "
        "anywhere); skfashion.model_card(NAME) holds the rest"
    )
    return 0


def _evaluate(args, log) -> int:
    from .zoo import pretrained

    names = [args.model] if args.model is not None else pretrained()
    if not names:
        raise ValueError("this installation ships no trained model: give --model FILE")
    test = load_fashion_mnist(subset="test", data_home=args.data_home)
    images, labels = test.images[: args.test_size], test.target[: args.test_size]
    for name in names:
        if args.model is None:
            print(f"== {name} (shipped)")
        _evaluate_one(args, log, name, images, labels)
    return 0


def _evaluate_one(args, log, spec: str, images, labels) -> None:
    """Print the test scores of the model of ``spec`` (a file or a shipped name)."""
    from . import recipes

    model = _load_model(spec, args.trust_pickle)
    with log.step(f"evaluating {spec} on {len(images):,} test items"):
        results = recipes.evaluate(model, images, labels, seed=args.seed + 1)
    for name, value in results.items():
        print(
            f"{name:16s} {value:.4f}"
            if isinstance(value, float)
            else f"{name:16s} {value}"
        )


def _picture_paths(args) -> tuple[list[str], int]:
    """The pictures to read: the examples, the files, and the pictures in
    the folders given (recursively, known by their names' extensions); and
    how many files in those folders were left out as not pictures."""
    from PIL import Image

    known = set(Image.registered_extensions())
    paths, skipped = [str(example_picture(name)) for name in args.example], 0
    for given in args.images:
        if not os.path.isdir(given):
            paths.append(given)
            continue
        for folder, subfolders, files in os.walk(given):
            subfolders.sort()
            for name in sorted(files):
                if os.path.splitext(name)[1].lower() in known:
                    paths.append(os.path.join(folder, name))
                else:
                    skipped += 1
    return paths, skipped


def _predict(args, log) -> int:
    """Every picture is read; one that cannot be is one line on stderr."""
    import json

    from tqdm import tqdm

    from .reading import read_pictures

    paths, skipped = _picture_paths(args)
    if not paths:
        raise ValueError(
            "no picture to read: give pictures or folders of them, or --example NAME"
        )
    # a missing file is said at once, not after a shipped model has loaded
    if not any(os.path.exists(path) for path in paths) and not _is_file(args.model):
        model = None
    elif args.scheduler is None:
        model = _load_model(args.model, args.trust_pickle, exported=True)
    cleanup = contextlib.ExitStack()
    if args.scheduler is not None:
        from dask.distributed import Client

        from .parallel import predict_pictures

        _is_file(args.model)  # a wrong --model said here, not on every worker
        client = cleanup.enter_context(Client(args.scheduler))
        readings = predict_pictures(paths, args.model, client=client, as_=args.as_)
    else:
        errors = "raise" if args.debug else "report"
        readings = read_pictures(
            paths, model, as_=args.as_, top=args.top, errors=errors
        )
    bar = tqdm(
        total=len(paths),
        unit="picture",
        file=sys.stderr,
        disable=args.quiet or len(paths) < 2 or not sys.stderr.isatty(),
    )
    failed = 0
    with cleanup, bar:
        for reading in readings:
            failed += reading.error is not None
            if args.json:
                bar.write(json.dumps(reading.to_json()), file=sys.stdout)
            elif reading.error is not None:
                bar.write(f"skfashion: error: {reading.lines()[0]}", file=sys.stderr)
            else:
                bar.write("\n".join(reading.lines()), file=sys.stdout)
            bar.update()
    if skipped and not args.quiet:
        print(
            f"skfashion: {skipped} files in the folders given are not pictures "
            "(by their names) and were left out",
            file=sys.stderr,
        )
    return 1 if failed else 0


def _export(args, log) -> int:
    from .exporter import export

    model = _load_model(args.model, args.trust_pickle)
    with log.step(f"exporting {args.model} to ONNX"):
        export(model, args.out)
    print(f"exported {args.model} to {args.out} (skfashion predict --model {args.out})")
    return 0


def _serve(args, log) -> int:
    from .serve import create_app, serve

    model = None
    if args.model is not None:
        model = _load_model(args.model, args.trust_pickle, exported=True)
    app = create_app(
        model,
        model_name=args.model,
        max_file_bytes=args.max_file_bytes,
        max_files=args.max_files,
    )
    print(f"skfashion serve: http://{args.host}:{args.port}/ (Ctrl-C stops it)")
    serve(app, host=args.host, port=args.port)
    return 0


def _show(args, log) -> int:
    from .augment import MultiObjectComposer, QuadrantExpander
    from .report import write_pictures

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


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def _threshold(text: str) -> float | str:
    if text == "tuned":
        return text
    try:
        return float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"must be a number in [0, 1] or 'tuned', got {text}"
        ) from exc


def _add_trust_pickle(parser: argparse.ArgumentParser, what: str) -> None:
    """``--trust-pickle``: the model file ``what`` may be a joblib file."""
    parser.add_argument(
        "--trust-pickle",
        action="store_true",
        help=f"accept a joblib file as {what} (loading one runs its code)",
    )


def _add_recipe_options(parser: argparse.ArgumentParser) -> None:
    """The options naming what demo and train build: recipe and head."""
    parser.add_argument(
        "--recipe",
        choices=PRESETS,
        help="single-label network and training recipe (default fast; "
        "tutorial: the tutorial's network and recipe)",
    )
    parser.add_argument(
        "--head",
        choices=tuple(HEADS),
        help="multi-label head (default cells): "
        + "; ".join(f"{name}: {head.summary}" for name, head in HEADS.items()),
    )


_DESCRIPTIONS = {
    "data": (
        "Find the Fashion-MNIST files (SKFASHION_DATA, the Keras cache, "
        "Debian's folder; else download them) and verify their checksums."
    ),
    "demo": (
        "Run the tutorial end to end on the real data: expand, train the "
        "single-label CNN, compose, transfer to multi-label, evaluate; writes "
        "report.md, report.html, metrics.json, figures and both models into "
        "--out."
    ),
    "train": (
        "Train a single-label CNN, or a multi-label head on one, and save it as"
        " a skfashion model file. Options come from --config (TOML) and the "
        "command line, which wins."
    ),
    "evaluate": (
        "Score a saved model on the Fashion-MNIST test set: single-label models"
        " on expanded test items, multi-label ones on test composites."
    ),
    "predict": (
        "Name the clothing items in your own pictures (PNG, JPEG, ...) or in "
        "folders of them: with no --model the shipped models read a product "
        "photo as one item, a 56x56 grid as a canvas, and several items boxed."
    ),
    "models": (
        "List the trained models shipped with skfashion, with their test scores;"
        " use one with --model NAME or skfashion.pretrained(NAME)."
    ),
    "export": (
        "Write a saved or shipped model as one ONNX file, which skfashion "
        "predict --model reads and onnxruntime runs without TensorFlow."
    ),
    "serve": (
        "Serve a page to drop pictures on, and its HTTP API (POST /api/predict, "
        "GET /api/models, GET /healthz), with the shipped models."
    ),
    "show": (
        "Draw the tutorial's pictures: items per class, expanded items and composites."
    ),
}


def _add_command(commands, name, parent, summary) -> argparse.ArgumentParser:
    """A subcommand with its one-line summary and a description for --help."""
    return commands.add_parser(
        name, parents=[parent], help=summary, description=_DESCRIPTIONS[name]
    )


def _add_data(commands, with_data) -> None:
    """``skfashion data``'s options."""
    data = _add_command(commands, "data", with_data, "find and verify the data")
    data.add_argument(
        "--no-download",
        action="store_true",
        help="fail rather than download files found nowhere",
    )
    data.set_defaults(run=_data)


def _add_demo(commands, with_data) -> None:
    """``skfashion demo``'s options."""
    demo = _add_command(commands, "demo", with_data, "the tutorial, end to end")
    demo.add_argument(
        "--quick",
        action="store_true",
        help="a small real model in about a minute and a half on two cores (the "
        "'quick' recipe; no anywhere head)",
    )
    _add_recipe_options(demo)
    demo.add_argument(
        "--epochs",
        type=_positive,
        help="single-label epochs (default: the recipe's)",
    )
    demo.add_argument(
        "--multi-epochs",
        type=_positive,
        help=f"multi-label epochs (default {DemoSettings.multi_epochs})",
    )
    demo.add_argument(
        "--anywhere-epochs",
        type=_non_negative,
        help="epochs of the head that finds items anywhere (default "
        f"{DemoSettings.anywhere_epochs}; 0: none; --quick: none)",
    )
    demo.add_argument(
        "--fresh", action="store_true", help="fresh canvases every batch (dense head)"
    )
    demo.add_argument(
        "--fine-tune", action="store_true", help="unfreeze the CNN after a warm-up"
    )
    demo.add_argument(
        "--train-size", type=_positive, help="training items to use (default all)"
    )
    demo.add_argument("--seed", type=int, help="random seed (default 0)")
    demo.add_argument(
        "--out", default="reports/demo", help="report folder (default reports/demo)"
    )
    demo.set_defaults(run=_demo)


def _add_train(commands, with_data) -> None:
    """``skfashion train``'s options."""
    train = _add_command(commands, "train", with_data, "train and save a model")
    train.add_argument(
        "--config", metavar="FILE", help="TOML file of the options below"
    )
    train.add_argument(
        "--kind",
        choices=["single", "multi"],
        help="single: one class per image (default); multi: a multi-label head "
        "on a single-label CNN, which is trained first unless --base is given",
    )
    _add_recipe_options(train)
    train.add_argument(
        "--epochs",
        type=_positive,
        help="epochs of each training (default: the recipe's)",
    )
    train.add_argument(
        "--batch-size", type=_positive, help="images per step (default: the recipe's)"
    )
    train.add_argument(
        "--filters",
        type=_positive,
        nargs="+",
        help="filters of each convolution block (default: the recipe's)",
    )
    train.add_argument(
        "--dropout", type=float, help="dropout rate (default: the recipe's)"
    )
    train.add_argument(
        "--learning-rate", type=float, help="learning rate (default: the recipe's)"
    )
    train.add_argument(
        "--threshold",
        type=_threshold,
        help="decision threshold of a head that uses one (dense, anywhere): a "
        "number in [0, 1] or 'tuned' on held-out composites (the default)",
    )
    train.add_argument(
        "--fresh",
        action="store_true",
        help="draw fresh canvases every batch (default: one fixed set)",
    )
    train.add_argument(
        "--fine-tune",
        action="store_true",
        help="unfreeze the CNN after a warm-up (default: frozen)",
    )
    train.add_argument(
        "--base",
        metavar="MODEL",
        help="saved single-label model to transfer from (default: train one)",
    )
    train.add_argument(
        "--train-size",
        type=_positive,
        help="use the first N training items (default: all 60,000)",
    )
    train.add_argument("--seed", type=int, help="random seed (default 0)")
    train.add_argument(
        "--checkpoint",
        metavar="DIR",
        help="save the training's state in DIR after every epoch, and resume "
        "from it when DIR already holds one (default: no checkpoints)",
    )
    _add_trust_pickle(train, "--base")
    train.add_argument(
        "--out", required=True, help="model file to write (skfashion.save's format)"
    )
    train.set_defaults(run=_train)


def _add_evaluate(commands, with_data) -> None:
    """``skfashion evaluate``'s options."""
    evaluate = _add_command(
        commands, "evaluate", with_data, "score a saved model on the test set"
    )
    evaluate.add_argument(
        "--model",
        help="a saved model file, or a shipped model's name (default: score "
        "every shipped model)",
    )
    evaluate.add_argument(
        "--test-size", type=_positive, help="test items to use (default all 10,000)"
    )
    evaluate.add_argument(
        "--seed",
        type=int,
        default=0,
        help="the demo's seed: test canvases are drawn with seed + 1 (default 0)",
    )
    _add_trust_pickle(evaluate, "--model")
    evaluate.set_defaults(run=_evaluate)


def _add_predict(commands, common) -> None:
    """``skfashion predict``'s options."""
    predict = _add_command(commands, "predict", common, "classes in your own pictures")
    predict.add_argument(
        "--model",
        help="a saved model file (.skf, or .onnx from skfashion export), or a "
        "shipped model's name (skfashion models); default: the shipped models, "
        "each where it reads best",
    )
    _add_trust_pickle(predict, "--model")
    predict.add_argument(
        "--top",
        type=_positive,
        default=3,
        help="classes to print for a single-label model (default 3)",
    )
    predict.add_argument(
        "--as",
        dest="as_",
        choices=AS,
        default="auto",
        help="read each picture as one item, or as a canvas cell by cell "
        "(default auto: a picture of the model's canvas size is a canvas)",
    )
    predict.add_argument(
        "--json",
        action="store_true",
        help='one JSON object per picture: {"path", "read_as", "items": '
        '[{"class", "score", "box"}]}',
    )
    predict.add_argument(
        "--example",
        action="append",
        default=[],
        choices=tuple(EXAMPLE_PICTURES),
        help="read a picture shipped with skfashion too: "
        + "; ".join(f"{name}: {what}" for name, (_, what) in EXAMPLE_PICTURES.items()),
    )
    predict.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="read the pictures on the workers of this Dask scheduler (they "
        "must see the same files); --model: a shipped name or a file",
    )
    predict.add_argument(
        "images",
        nargs="*",
        metavar="PICTURE",
        help="pictures to read (any format), or folders of them (recursively)",
    )
    predict.set_defaults(run=_predict)


def _add_models(commands, common) -> None:
    """``skfashion models``'s options."""
    models = _add_command(commands, "models", common, "the shipped trained models")
    models.set_defaults(run=_models)


def _add_export(commands, common) -> None:
    """``skfashion export``'s options."""
    export = _add_command(commands, "export", common, "a model as one ONNX file")
    export.add_argument("model", help="a saved model file, or a shipped model's name")
    export.add_argument("out", help="the ONNX file to write")
    _add_trust_pickle(export, "MODEL")
    export.set_defaults(run=_export)


def _add_serve(commands, common) -> None:
    """``skfashion serve``'s options."""
    from .serve import MAX_FILE_BYTES, MAX_FILES

    serve = _add_command(commands, "serve", common, "a page and an HTTP API")
    serve.add_argument(
        "--model",
        help="a model file offered besides the shipped models (as 'file')",
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    serve.add_argument("--port", type=_positive, default=8000, help="default 8000")
    serve.add_argument(
        "--max-file-bytes",
        type=_positive,
        default=MAX_FILE_BYTES,
        help=f"largest upload (default {MAX_FILE_BYTES:,})",
    )
    serve.add_argument(
        "--max-files",
        type=_positive,
        default=MAX_FILES,
        help=f"most pictures a request (default {MAX_FILES})",
    )
    _add_trust_pickle(serve, "--model")
    serve.set_defaults(run=_serve)


def _add_show(commands, with_data) -> None:
    """``skfashion show``'s options."""
    show = _add_command(commands, "show", with_data, "draw the tutorial's pictures")
    show.add_argument(
        "--out", default="reports/pictures", help="folder (default reports/pictures)"
    )
    show.set_defaults(run=_show)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``skfashion``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--quiet", action="store_true", help="print only results and errors"
    )
    common.add_argument(
        "--debug",
        action="store_true",
        help="show tracebacks and TensorFlow's start-up messages",
    )
    with_data = argparse.ArgumentParser(add_help=False, parents=[common])
    with_data.add_argument(
        "--data-home",
        metavar="DIR",
        help="an existing folder searched first for the Fashion-MNIST files "
        "(default: $SKFASHION_DATA, the Keras cache, Debian's folder)",
    )

    parser = argparse.ArgumentParser(
        prog="skfashion", description="Fashion-MNIST, multi-class and multi-label."
    )
    parser.add_argument(
        "--version", action="version", version=f"skfashion {__version__}"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _add_data(commands, with_data)
    _add_demo(commands, with_data)
    _add_train(commands, with_data)
    _add_evaluate(commands, with_data)
    _add_predict(commands, common)
    _add_models(commands, common)
    _add_export(commands, common)
    _add_serve(commands, common)
    _add_show(commands, with_data)
    return parser


# The commands that train or score; the others import Keras only for a model
# file of the user's (predict with a shipped model runs on onnxruntime).
_NEED_KERAS = ("demo", "train", "evaluate", "export")

# What the extras bring, by module; missing, they are the user's to install.
_OPTIONAL_MODULES = {
    "matplotlib": "plot",
    "markdown_it": "plot",
    "onnx": "export",
    "tf2onnx": "export",
    "starlette": "serve",
    "uvicorn": "serve",
    "multipart": "serve",
    "python_multipart": "serve",
}


def main(argv: list[str] | None = None) -> int:
    """Run ``skfashion``; returns the exit status."""
    _quiet_libraries()
    args = build_parser().parse_args(argv)
    if not args.debug and args.command in _NEED_KERAS:
        from ._quiet import import_keras_quietly

        import_keras_quietly()
    try:
        data_home = getattr(args, "data_home", None)
        if data_home is not None and not Path(data_home).is_dir():
            raise ValueError(f"--data-home {data_home} is not a folder")
        return args.run(args, Log(quiet=args.quiet))
    except (DataFileError, ValueError, OSError) as exc:
        if args.debug:
            raise
        print(f"skfashion: error: {exc}", file=sys.stderr)
        return 1
    except ModuleNotFoundError as exc:
        if args.debug or exc.name not in _OPTIONAL_MODULES:
            raise  # a bug, not the user's: the traceback says where
        print(
            f"skfashion: error: {args.command} needs {exc.name}, which is not "
            f"installed: pip install 'skfashion[{_OPTIONAL_MODULES[exc.name]}]'",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("skfashion: interrupted", file=sys.stderr)
        return 130
