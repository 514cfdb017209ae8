"""The tutorial end to end on the real data, written up as a report folder.

:func:`run_demo` loads Fashion-MNIST, expands it, trains the single-label CNN,
composes multi-object canvases, transfers the CNN to multi-label, evaluates
both and writes ``metrics.json``, the figures, the saved models and
``report.md`` into one folder.
"""

from __future__ import annotations

import inspect
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from . import recipes
from .augment import MultiObjectComposer, QuadrantExpander
from .datasets import CLASS_NAMES, load_fashion_mnist
from .demo_settings import DemoSettings
from .heads import get_head
from .metrics import multilabel_report
from .progress import Log

__all__ = ["DemoSettings", "Log", "run_demo", "write_pictures"]


def _epochs(n: int) -> str:
    return f"{n} epoch" + ("" if n == 1 else "s")


def _figure(path, draw, size=(8, 5), *, title):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=size)
    draw(ax)
    ax.set_title(title)
    return _save(fig, path)


def _save(fig, path) -> str:
    """Write ``fig`` to ``path``, close it, and return the file's name."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path.name


def _history_figure(path, estimator, title, accuracy="accuracy"):
    """Loss and accuracy per epoch, side by side, with their titles.

    ``accuracy`` says what the accuracy counts (its panel's title).
    """
    import matplotlib.pyplot as plt

    from .plotting import TrainingHistoryDisplay

    display = TrainingHistoryDisplay.from_estimator(estimator)
    metrics = ["loss"] + [m for m in ("accuracy",) if m in display.history]
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 4))
    for ax, metric in zip(np.atleast_1d(axes), metrics, strict=True):
        display.plot(ax, metric=metric)
        ax.set_title(
            accuracy if metric == "accuracy" else "loss (what training lowers)"
        )
    fig.suptitle(title)
    return _save(fig, path)


def write_pictures(out: Path, X, y, expanded, canvases, counts) -> list[str]:
    """The tutorial's pictures: items per class, expanded images, composites."""
    from .plotting import ImageGridDisplay

    grids = [
        (
            "class_samples.png",
            ImageGridDisplay.from_classes(X, y, n_per_row=8),
            (8, 11),
            "Fashion-MNIST items, by class",
        ),
        (
            "expanded.png",
            ImageGridDisplay.from_classes(expanded, y, n_per_row=6),
            (8, 13),
            "Items expanded to canvases, one random cell each",
        ),
        (
            "composites.png",
            ImageGridDisplay.from_item_counts(canvases, counts, n_per_row=6),
            (8, 7),
            "Composites of 0 to 4 items",
        ),
    ]
    return [
        _figure(out / name, grid.plot, size, title=title)
        for name, grid, size, title in grids
    ]


@dataclass
class _Data:
    """The demo's items and the canvases drawn from them."""

    X: np.ndarray
    y: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    expanded: np.ndarray | None = None
    expanded_test: np.ndarray | None = None
    canvases: np.ndarray | None = None
    counts: np.ndarray | None = None  # items on each training composite


def run_demo(settings: DemoSettings, out, *, data_home=None, log=None) -> dict:
    """Run the tutorial and write the report folder ``out``; returns the metrics.

    Parameters
    ----------
    settings : DemoSettings
        Epochs, options and sizes.
    out : str or path-like
        The report folder (created if needed).
    data_home : str, default=None
        Passed to :func:`~skfashion.datasets.load_fashion_mnist`.
    log : Log, default=None
        Progress messages; silent by default.

    Returns
    -------
    metrics : dict
        What ``metrics.json`` holds.
    """
    from .models import save

    log = log or Log(quiet=True)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    seconds = {}
    started = time.perf_counter()

    with log.step("loading Fashion-MNIST") as step:
        data = _load(settings, data_home)
    seconds["load"] = step.seconds
    with log.step(
        f"expanding {len(data.X):,} + {len(data.X_test):,} images to 56x56"
    ) as step:
        _augment(data, settings.seed)
    seconds["augment"] = step.seconds
    figures = write_pictures(
        out, data.X, data.y, data.expanded, data.canvases, data.counts
    )
    cnn, single, single_seconds = _single_label(settings, data, log)
    seconds.update(single_seconds)
    transfer, evaluation, multi_seconds = _multi_label(settings, data, cnn, log)
    seconds.update(multi_seconds)
    figures += _figures(out, data, cnn, single["predicted"], transfer, evaluation)
    save(cnn, out / "cnn.skf")
    save(transfer, out / "multilabel.skf")
    models = ["cnn.skf", "multilabel.skf"]
    anywhere = None
    if settings.anywhere_epochs:
        anywhere, anywhere_seconds = _anywhere(settings, data, cnn, log)
        seconds.update(anywhere_seconds)
        figures.append(_anywhere_figure(out, anywhere))
        save(anywhere.model, out / "anywhere.skf")
        models.append("anywhere.skf")
    seconds["total"] = time.perf_counter() - started

    metrics = _metrics(settings, data, cnn, single, transfer, evaluation)
    if anywhere is not None:
        metrics["anywhere"] = {
            **anywhere.evaluation.summary,
            "threshold": float(anywhere.model.threshold_),
            "history": {
                k: list(map(float, v)) for k, v in anywhere.model.history_.items()
            },
        }
    metrics.update(seconds=seconds, figures=figures, models=models)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    markdown = _markdown(metrics)
    (out / "report.md").write_text(markdown)
    (out / "report.html").write_text(markdown_to_html(markdown, out))
    log(
        f"report written to {out}/report.md and report.html "
        f"({seconds['total'] / 60:.1f} min)"
    )
    return metrics


def _load(settings, data_home) -> _Data:
    train = load_fashion_mnist(data_home=data_home)
    test = load_fashion_mnist(subset="test", data_home=data_home)
    return _Data(
        train.images[: settings.train_size],
        train.target[: settings.train_size],
        test.images[: settings.test_size],
        test.target[: settings.test_size],
    )


def _augment(data: _Data, seed: int) -> None:
    """The expanded items and composites the figures show and tests score."""
    data.expanded = QuadrantExpander(random_state=seed).fit_transform(data.X)
    data.expanded_test = QuadrantExpander(random_state=seed + 1).fit_transform(
        data.X_test
    )
    composer = MultiObjectComposer(random_state=seed)
    data.canvases, _ = composer.fit_resample(data.X, data.y)
    data.counts = (composer.layout_ >= 0).sum(axis=1)


def _single_label(settings, data: _Data, log):
    """Train the single-label CNN and score it on the expanded test items."""
    from sklearn.metrics import classification_report

    cnn = recipes.single_label(
        settings.preset,
        fresh=settings.fresh,
        seed=settings.seed,
        verbose=log.keras_verbose,
        validation_split=0.1,
        epochs=settings.epochs,
        batch_size=settings.batch_size,
    )
    seconds = {}
    with log.step(f"training the single-label CNN, {_epochs(cnn.epochs)}") as step:
        recipes.fit_single_label(cnn, data.X, data.y, seed=settings.seed)
    seconds["train_single"] = step.seconds
    with log.step("evaluating it on the expanded test images") as step:
        predicted = cnn.predict(data.expanded_test)
    seconds["evaluate_single"] = step.seconds
    accuracy = float(np.mean(predicted == data.y_test))
    per_class = classification_report(
        data.y_test,
        predicted,
        labels=range(10),
        target_names=CLASS_NAMES,
        output_dict=True,
        zero_division=0,
    )
    recipes.for_saving(cnn)
    return (
        cnn,
        dict(accuracy=accuracy, per_class=per_class, predicted=predicted),
        seconds,
    )


def _multi_label(settings, data: _Data, cnn, log):
    """Transfer the CNN to multi-label and score it on test composites."""
    transfer = recipes.multi_label(
        cnn,
        head=settings.head,
        fresh=settings.fresh,
        fine_tune=settings.fine_tune,
        seed=settings.seed,
        verbose=log.keras_verbose,
        validation_split=0.1,
        epochs=settings.multi_epochs,
        warmup_epochs=max(1, settings.multi_epochs // 3),
        batch_size=settings.batch_size,  # None: the head's own
    )
    seconds = {}
    with log.step(
        f"transferring to multi-label ({settings.head} head), "
        f"{_epochs(settings.multi_epochs)}"
    ) as step:
        recipes.fit_multi_label(transfer, data.X, data.y, seed=settings.seed)
    seconds["train_multi"] = step.seconds
    with log.step("evaluating it on test composites") as step:
        evaluation = recipes.evaluate_multi_label(
            transfer, data.X_test, data.y_test, seed=settings.seed + 1
        )
    seconds["evaluate_multi"] = step.seconds
    recipes.for_saving(transfer)
    return transfer, evaluation, seconds


@dataclass
class _Anywhere:
    model: object
    evaluation: object


def _anywhere(settings, data: _Data, cnn, log):
    """Train the head that finds items anywhere; score it on test composites."""
    model = recipes.multi_label(
        cnn,
        head="anywhere",
        seed=settings.seed,
        verbose=log.keras_verbose,
        epochs=settings.anywhere_epochs,
    )
    seconds = {}
    with log.step(
        f"training the anywhere head (finds and boxes items), "
        f"{_epochs(settings.anywhere_epochs)}"
    ) as step:
        recipes.fit_multi_label(model, data.X, data.y, seed=settings.seed)
    seconds["train_anywhere"] = step.seconds
    with log.step("evaluating it on 2,000 112x112 test composites") as step:
        evaluation = recipes.evaluate_anywhere(
            model, data.X_test, data.y_test, seed=settings.seed + 1, n=2000
        )
    seconds["evaluate_anywhere"] = step.seconds
    recipes.for_saving(model)
    return _Anywhere(model, evaluation), seconds


def _anywhere_figure(out, anywhere: _Anywhere) -> str:
    from .plotting import BoxPredictionsDisplay

    e = anywhere.evaluation
    return _figure(
        out / "anywhere_boxes.png",
        lambda ax: BoxPredictionsDisplay(e.canvases[:8], e.found[:8], e.boxes[:8]).plot(
            ax
        ),
        (10, 5.5),
        title="Items found anywhere: green right, red wrong, dashed missed",
    )


def _figures(out, data: _Data, cnn, predicted, transfer, evaluation) -> list[str]:
    """The report's figures of both models, written to ``out``."""
    from sklearn.metrics import ConfusionMatrixDisplay

    from .plotting import (
        CellPredictionsDisplay,
        PerClassScoresDisplay,
        ProbabilityBarDisplay,
        item_count_confusion,
        layout_count_confusion,
    )

    e = evaluation
    figures = [
        _history_figure(
            out / "single_history.png",
            cnn,
            "Single-label CNN: learning curves",
            "accuracy: share of canvases named right",
        ),
        _figure(
            out / "confusion_matrix.png",
            lambda ax: ConfusionMatrixDisplay.from_predictions(
                data.y_test,
                predicted,
                display_labels=list(CLASS_NAMES),
                ax=ax,
                colorbar=False,
                xticks_rotation=45,
            ),
            (8, 7),
            title="Single-label confusion matrix (test canvases)",
        ),
        _figure(
            out / "probabilities.png",
            lambda ax: ProbabilityBarDisplay.from_estimator(
                cnn, data.expanded_test[1], data.y_test[1]
            ).plot(ax),
            title="Single-label probabilities for one test canvas",
        ),
        _history_figure(
            out / "multi_history.png",
            transfer,
            "Multi-label head: learning curves",
            "accuracy: share of cells whose content (class or empty) is right",
        ),
        _figure(
            out / "per_class_scores.png",
            lambda ax: PerClassScoresDisplay.from_predictions(e.Y, e.Y_pred).plot(ax),
            title="Multi-label scores per class (test composites)",
        ),
        _figure(
            out / "item_count_confusion.png",
            lambda ax: (
                layout_count_confusion(e.layout, e.layout_pred, ax=ax)
                if e.layout_pred is not None
                else item_count_confusion(e.Y, e.Y_pred, max_count=4, ax=ax)
            ),
            (6, 5),
            title="Items per canvas: true against predicted",
        ),
        _figure(
            out / "multi_probabilities.png",
            lambda ax: ProbabilityBarDisplay.from_estimator(
                transfer, e.canvases[1], e.Y[1]
            ).plot(ax),
            title="Multi-label probabilities for one test composite",
        ),
    ]
    if e.layout_pred is not None:
        figures.append(
            _figure(
                out / "cell_predictions.png",
                lambda ax: CellPredictionsDisplay(
                    e.canvases[:16], e.layout_pred[:16], e.layout[:16]
                ).plot(ax),
                (8, 8.5),
                title="What the cells head names in each cell (green: right; red: "
                "wrong, the truth below it)",
            )
        )
    return figures


def _metrics(settings, data: _Data, cnn, single, transfer, evaluation) -> dict:
    """What ``metrics.json`` holds (less the times, figures and files)."""
    names = list(CLASS_NAMES)
    return {
        "settings": asdict(settings),
        "data": {
            "train_items": len(data.X),
            "test_items": len(data.X_test),
            "train_composites": len(data.canvases),
            "test_composites": len(evaluation.canvases),
        },
        "single_label": {
            "network": {
                "preset": settings.preset,
                "architecture": cnn.architecture,
                "tower": cnn.tower,
                "parameters": int(cnn.model_.count_params()),
                "epochs": int(cnn.epochs),
                "batch_size": int(cnn.batch_size),
            },
            "test_accuracy": single["accuracy"],
            "per_class_f1": {n: single["per_class"][n]["f1-score"] for n in names},
            "history": {k: list(map(float, v)) for k, v in cnn.history_.items()},
        },
        "multi_label": {
            "head": settings.head,
            **evaluation.summary,
            "per_class": multilabel_report(
                evaluation.Y, evaluation.Y_pred, target_names=names
            ),
            "thresholds": transfer.threshold_.tolist(),
            "history": {k: list(map(float, v)) for k, v in transfer.history_.items()},
        },
    }


def _head_words(name: str) -> str:
    """The head, in the words of its docstring's first paragraph."""
    first = inspect.cleandoc(get_head(name).__doc__ or "").split("\n\n")[0]
    return " ".join(first.split())


def _markdown(m: dict) -> str:
    s, single, multi = m["settings"], m["single_label"], m["multi_label"]
    net = single["network"]
    by_count = " | ".join(
        f"{v:.4f}" for v in multi["subset_accuracy_by_count"].values()
    )
    counts = " | ".join(str(k) for k in multi["subset_accuracy_by_count"])
    cells, cell_pictures = "", ""
    counted = "Number of distinct classes found against the truth:"
    if "cell_accuracy" in multi:
        counted = (
            "Number of items found (duplicates counted) against the truth. The "
            "cells head only reads cells with ink (a cell without ink is empty), "
            "so it miscounts only when it calls an inked cell empty; on the "
            "tutorial's grid the counts are right almost by construction:"
        )
        cell_pictures = (
            "\nWhat the model read in each cell of the first test composites:\n\n"
            "![cell predictions](cell_predictions.png)\n"
        )
        cells = f"""
Per cell: **{multi["cell_accuracy"]:.4f}** of the cells read right (a class or
empty), **{multi["item_accuracy"]:.4f}** of the items named right, and the
number of items (duplicates counted) right on
**{multi["item_count_accuracy"]:.4f}** of the canvases.
"""
    summary = " | ".join(
        f"{multi[key]:.4f}"
        for key in (
            "subset_accuracy",
            "hamming_loss",
            "f1_micro",
            "f1_macro",
            "f1_samples",
            "count_accuracy",
        )
    )
    rows = "\n".join(
        f"| {name} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | "
        f"{v['support']} |"
        for name, v in multi["per_class"].items()
    )
    return f"""# skfashion demo report

Settings: the `{net["preset"]}` single-label network ({net["architecture"]},
{net["tower"]} tower, {net["parameters"]:,} parameters), {_epochs(net["epochs"])} of
batches of {net["batch_size"]}; the {multi["head"]} multi-label head,
{_epochs(s["multi_epochs"])}, on {_multi_data(s)}; base
{"fine-tuned" if s["fine_tune"] else "frozen"}; seed {s["seed"]};
{m["data"]["train_items"]:,} training items, {m["data"]["test_items"]:,} test items.
Total time {m["seconds"]["total"] / 60:.1f} min.

## The data

Fashion-MNIST items, eight per class:

![items per class](class_samples.png)

Each item expanded to a 56x56 canvas, in a random quadrant:

![expanded](expanded.png)

Composites of 0 to 4 items in distinct quadrants, by number of items:

![composites](composites.png)

## Multi-class: one item per canvas

Test accuracy on {m["data"]["test_items"]:,} expanded test images:
**{single["test_accuracy"]:.4f}**.

![learning curves](single_history.png)

The validation loss may lie below the training loss: training batches are
harder than validation ones (label smoothing of 0.1 raises the training loss's
floor; flips and dropout act only while training).

![confusion matrix](confusion_matrix.png)

Predicted probabilities for one test image against the truth:

![probabilities](probabilities.png)

## Multi-label: every item on a canvas

{_head_words(multi["head"])} Scored on {m["data"]["test_composites"]:,} test composites.

| subset accuracy | Hamming loss | F1 micro | F1 macro | F1 samples | count accuracy |
|---|---|---|---|---|---|
| {summary} |

Subset accuracy by the number of items on the canvas:

| items | {counts} |
|---|{"---|" * len(multi["subset_accuracy_by_count"])}
| subset accuracy | {by_count} |
{cells}
![learning curves](multi_history.png)

| class | precision | recall | F1 | canvases |
|---|---|---|---|---|
{rows}

![per-class scores](per_class_scores.png)

{counted}

![item counts](item_count_confusion.png)
{cell_pictures}
![probabilities](multi_probabilities.png)

{_bars_words(multi["head"])}
{_anywhere_section(m)}
Models: {", ".join(f"`{name}`" for name in m["models"])} (load with
`skfashion.load`, or use with `skfashion evaluate --model` and
`skfashion predict --model`). The numbers are in `metrics.json`.
"""


def _bars_words(head: str) -> str:
    """What the probability bars' "predicted" means for ``head``."""
    if head == "cells":
        return (
            "The cells head names each cell's likeliest class (or empty): a "
            "class is predicted where some cell's likeliest it is, even below "
            "0.5; the bars show each class's largest probability over the cells.\n"
        )
    return "A class is predicted where its probability reaches the head's threshold.\n"


def _multi_data(s: dict) -> str:
    """What the multi-label head trained on, in words."""
    if get_head(s["head"]).composites is not None or s["fresh"]:
        return "composites drawn afresh every batch"
    return "one fixed set of composites"


def _anywhere_section(m: dict) -> str:
    if "anywhere" not in m:
        return """## Items anywhere

Not trained in this run (anywhere epochs 0; `--quick` skips it):
`skfashion demo --anywhere-epochs 1` trains the head that finds, names and
boxes items anywhere, and the shipped `fast-anywhere` is one
(`skfashion predict --example outfit`).
"""
    a = m["anywhere"]
    return f"""## Items anywhere: find, name and box every item

The `anywhere` head: the CNN's convolutions, frozen, read the whole canvas and
a small new head marks each item's centre and how far its box reaches; each
box is cut out, resized to 28x28 and named by a copy of the CNN fine-tuned on
such cuts. {_epochs(m["settings"]["anywhere_epochs"])} on fresh 128x128
composites of 0 to 6 items of 14 to 67 pixels, which may touch, among specks
that are no item. Scored on
2,000 112x112 test composites of 0 to 6 items, 21 to 42 pixels, 2 pixels apart (an
item is found when its class is right and its box overlaps the true one by an
IoU of 0.5 or more):

| mAP@0.5 | precision | recall | F1 | count accuracy | subset accuracy |
|---|---|---|---|---|---|
| {a["map50"]:.4f} | {a["precision"]:.4f} | {a["recall"]:.4f} | {a["f1"]:.4f} | \
{a["count_accuracy"]:.4f} | {a["subset_accuracy"]:.4f} |

![items found anywhere](anywhere_boxes.png)
"""


_HTML_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.5; color: #222; }}
table {{ border-collapse: collapse; margin: 1rem 0; }}
th, td {{ border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; }}
img {{ max-width: 100%; }}
code {{ background: #f4f4f4; padding: 0 0.2rem; }}
</style></head>
<body>
{body}
</body></html>
"""


def markdown_to_html(markdown: str, folder: Path) -> str:
    r"""A report's Markdown as one self-contained HTML page.

    Pictures the Markdown links to (files in ``folder``) are embedded as data
    URIs, so the page opens in a browser on its own.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skfashion.report import markdown_to_html
    >>> page = markdown_to_html("# Results\n\n| a | b |\n|---|---|\n| 1 | 2 |",
    ...                         Path(tempfile.mkdtemp()))
    >>> "<h1>Results</h1>" in page, "<td>1</td>" in page
    (True, True)
    """
    import base64
    import html
    import re

    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark").enable("table").render(markdown)

    def embed(match):
        path = folder / html.unescape(match.group(1))
        if not path.is_file():
            return match.group(0)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'src="data:image/png;base64,{data}"'

    body = re.sub(r'src="([^"]+\.png)"', embed, body)
    title = re.search(r"<h1>(.*?)</h1>", body)
    return _HTML_PAGE.format(title=title.group(1) if title else "report", body=body)
