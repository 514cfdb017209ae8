"""The tutorial end to end on the real data, written up as a report folder.

:func:`run_demo` loads Fashion-MNIST, expands it, trains the single-label CNN,
composes multi-object canvases, transfers the CNN to multi-label, evaluates
both and writes ``metrics.json``, the figures, the saved models and
``report.md`` into one folder.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .augment import MultiObjectComposer, QuadrantExpander
from .datasets import CLASS_NAMES, load_fashion_mnist
from .metrics import (
    labels_from_layout,
    layout_summary,
    multilabel_report,
    multilabel_summary,
    subset_accuracy_by_count,
)

__all__ = ["DemoSettings", "Log", "run_demo", "write_pictures"]


@dataclass
class DemoSettings:
    """What the demo trains. The defaults finish in minutes on two cores.

    ``preset`` names the single-label network and recipe
    (:meth:`~skfashion.models.CNNClassifier.from_preset`); ``epochs`` and
    ``batch_size`` left at ``None`` take the preset's. The demo trains the
    ``fast`` network for 7 epochs (the preset's 12 are ``skfashion train``'s
    default) and the cell-wise head for 2, to finish within five minutes.
    ``head`` is the multi-label head
    (:class:`~skfashion.models.MultiLabelTransfer`).
    """

    preset: str = "fast"
    epochs: int | None = 7
    multi_epochs: int = 2
    head: str = "cells"
    fresh: bool = False
    fine_tune: bool = False
    train_size: int | None = None
    test_size: int | None = None
    batch_size: int | None = None
    seed: int = 0

    @classmethod
    def quick(cls, **overrides):
        """A small real model in about a minute."""
        return cls(
            **{"preset": "quick", "epochs": None, "multi_epochs": 1, **overrides}
        )


class Log:
    """Progress for people: timed steps on stderr; silent when ``quiet``."""

    def __init__(self, quiet: bool = False, stream=None):
        self.quiet = quiet
        self.stream = stream or sys.stderr

    @property
    def keras_verbose(self) -> int:
        """Keras' bars on a terminal, one line per epoch elsewhere."""
        if self.quiet:
            return 0
        return 1 if self.stream.isatty() else 2

    def __call__(self, message: str) -> None:
        if not self.quiet:
            print(message, file=self.stream, flush=True)

    def step(self, title: str):
        return _Step(self, title)


class _Step:
    def __init__(self, log, title):
        self.log, self.title = log, title

    def __enter__(self):
        self.start = time.perf_counter()
        self.log(f"{self.title} ...")
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        if exc[0] is None:
            self.log(f"{self.title}: done in {self.seconds:.1f} s")


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


def _history_figure(path, estimator, title):
    """Loss and accuracy per epoch, side by side, with their titles."""
    import matplotlib.pyplot as plt

    from .plotting import TrainingHistoryDisplay

    display = TrainingHistoryDisplay.from_estimator(estimator)
    metrics = ["loss"] + [m for m in ("accuracy",) if m in display.history]
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 4))
    for ax, metric in zip(np.atleast_1d(axes), metrics, strict=True):
        display.plot(ax, metric=metric)
        ax.set_title(metric)
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
    from sklearn.metrics import ConfusionMatrixDisplay, classification_report

    from .models import CNNClassifier, MultiLabelTransfer, save
    from .plotting import (
        CellPredictionsDisplay,
        PerClassScoresDisplay,
        ProbabilityBarDisplay,
        item_count_confusion,
        layout_count_confusion,
    )

    log = log or Log(quiet=True)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    seconds = {}
    started = time.perf_counter()

    with log.step("loading Fashion-MNIST") as step:
        train = load_fashion_mnist(data_home=data_home)
        test = load_fashion_mnist(subset="test", data_home=data_home)
        X, y = train.images[: settings.train_size], train.target[: settings.train_size]
        X_test, y_test = (
            test.images[: settings.test_size],
            test.target[: settings.test_size],
        )
    seconds["load"] = step.seconds

    with log.step(f"expanding {len(X):,} + {len(X_test):,} images to 56x56") as step:
        expanded = QuadrantExpander(random_state=settings.seed).fit_transform(X)
        expanded_test = QuadrantExpander(random_state=settings.seed + 1).fit_transform(
            X_test
        )
        composer = MultiObjectComposer(random_state=settings.seed)
        canvases, Y = composer.fit_resample(X, y)
        composer_test = MultiObjectComposer(random_state=settings.seed + 1)
        canvases_test, Y_test = composer_test.fit_resample(X_test, y_test)
    seconds["augment"] = step.seconds
    counts = (composer.layout_ >= 0).sum(axis=1)
    figures = write_pictures(out, X, y, expanded, canvases, counts)

    fit_params = dict(
        validation_split=0.1, verbose=log.keras_verbose, random_state=settings.seed
    )
    if settings.batch_size is not None:
        fit_params["batch_size"] = settings.batch_size
    cnn = CNNClassifier.from_preset(settings.preset, **fit_params)
    if settings.epochs is not None:
        cnn.set_params(epochs=settings.epochs)
    with log.step(f"training the single-label CNN, {_epochs(cnn.epochs)}") as step:
        if settings.fresh:
            cnn.set_params(augment=QuadrantExpander()).fit(X, y)
        else:
            cnn.fit(expanded, y)
    seconds["train_single"] = step.seconds
    with log.step("evaluating it on the expanded test images") as step:
        predicted = cnn.predict(expanded_test)
    seconds["evaluate_single"] = step.seconds
    accuracy = float(np.mean(predicted == y_test))
    log(f"single-label test accuracy: {accuracy:.4f}")
    per_class = classification_report(
        y_test,
        predicted,
        labels=range(10),
        target_names=CLASS_NAMES,
        output_dict=True,
        zero_division=0,
    )

    with log.step(
        f"transferring to multi-label ({settings.head} head), "
        f"{_epochs(settings.multi_epochs)}"
    ) as step:
        multi_params = dict(
            fit_params,
            head=settings.head,
            epochs=settings.multi_epochs,
            fine_tune=settings.fine_tune,
            warmup_epochs=max(1, settings.multi_epochs // 3),
        )
        if settings.head == "cells":
            # Composites drawn while training know their layout: per-cell targets.
            multi_params.setdefault("batch_size", 128)
            transfer = MultiLabelTransfer(
                cnn, augment=MultiObjectComposer(), **multi_params
            ).fit(X, y)
        elif settings.fresh:
            transfer = MultiLabelTransfer(
                cnn, augment=MultiObjectComposer(), threshold="tuned", **multi_params
            ).fit(X, y)
        else:
            transfer = MultiLabelTransfer(cnn, threshold="tuned", **multi_params).fit(
                canvases, Y
            )
    seconds["train_multi"] = step.seconds
    with log.step("evaluating it on test composites") as step:
        if settings.head == "cells":  # the labels are the layout's classes
            layout_pred = transfer.predict_layout(canvases_test)
            Y_pred = labels_from_layout(layout_pred, len(transfer.classes_))
        else:
            layout_pred, Y_pred = None, transfer.predict(canvases_test)
    seconds["evaluate_multi"] = step.seconds
    summary = multilabel_summary(Y_test, Y_pred)
    test_counts = (composer_test.layout_ >= 0).sum(axis=1)
    summary["subset_accuracy_by_count"] = subset_accuracy_by_count(
        Y_test, Y_pred, test_counts
    )
    if layout_pred is not None:
        summary.update(layout_summary(composer_test.layout_, layout_pred))
    cnn.set_params(verbose=0)
    transfer.set_params(verbose=0)
    log(
        "multi-label: "
        + ", ".join(f"{k} {v:.4f}" for k, v in summary.items() if isinstance(v, float))
    )

    names = list(CLASS_NAMES)
    figures += [
        _history_figure(
            out / "single_history.png", cnn, "Single-label CNN: learning curves"
        ),
        _figure(
            out / "confusion_matrix.png",
            lambda ax: ConfusionMatrixDisplay.from_predictions(
                y_test,
                predicted,
                display_labels=names,
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
                cnn, expanded_test[1], y_test[1]
            ).plot(ax),
            title="Single-label probabilities for one test canvas",
        ),
        _history_figure(
            out / "multi_history.png", transfer, "Multi-label head: learning curves"
        ),
        _figure(
            out / "per_class_scores.png",
            lambda ax: PerClassScoresDisplay.from_predictions(Y_test, Y_pred).plot(ax),
            title="Multi-label scores per class (test composites)",
        ),
        _figure(
            out / "item_count_confusion.png",
            lambda ax: (
                layout_count_confusion(composer_test.layout_, layout_pred, ax=ax)
                if layout_pred is not None
                else item_count_confusion(
                    Y_test, Y_pred, max_count=composer_test.max_objects, ax=ax
                )
            ),
            (6, 5),
            title="Items per canvas: true against predicted",
        ),
        _figure(
            out / "multi_probabilities.png",
            lambda ax: ProbabilityBarDisplay.from_estimator(
                transfer, canvases_test[1], Y_test[1]
            ).plot(ax),
            title="Multi-label probabilities for one test composite",
        ),
    ]
    if layout_pred is not None:
        figures.append(
            _figure(
                out / "cell_predictions.png",
                lambda ax: CellPredictionsDisplay(
                    canvases_test[:16], layout_pred[:16], composer_test.layout_[:16]
                ).plot(ax),
                (8, 8.5),
                title="What the cells head names in each cell (green: right)",
            )
        )
    save(cnn, out / "cnn.skf")
    save(transfer, out / "multilabel.skf")
    seconds["total"] = time.perf_counter() - started

    metrics = {
        "settings": asdict(settings),
        "data": {
            "train_items": len(X),
            "test_items": len(X_test),
            "train_composites": len(canvases),
            "test_composites": len(canvases_test),
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
            "test_accuracy": accuracy,
            "per_class_f1": {n: per_class[n]["f1-score"] for n in names},
            "history": {k: list(map(float, v)) for k, v in cnn.history_.items()},
        },
        "multi_label": {
            "head": settings.head,
            **summary,
            "per_class": multilabel_report(Y_test, Y_pred, target_names=names),
            "thresholds": transfer.threshold_.tolist(),
            "history": {k: list(map(float, v)) for k, v in transfer.history_.items()},
        },
        "seconds": seconds,
        "figures": figures,
        "models": ["cnn.skf", "multilabel.skf"],
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    markdown = _markdown(metrics)
    (out / "report.md").write_text(markdown)
    (out / "report.html").write_text(markdown_to_html(markdown, out))
    log(
        f"report written to {out}/report.md and report.html "
        f"({seconds['total'] / 60:.1f} min)"
    )
    return metrics


_HEADS = {
    "cells": "The CNN's convolution tower frozen (or fine-tuned) and applied to every "
    "cell, and a new softmax head that names each cell's content (a class or "
    "empty), trained on the layouts of fresh composites.",
    "dense": "The CNN's convolutions frozen (or fine-tuned), a new sigmoid head, and "
    "per-class decision thresholds tuned for F1 on the validation composites.",
}


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
        counted = "Number of items found (duplicates counted) against the truth:"
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
{_epochs(s["multi_epochs"])}; fresh canvases every batch: {s["fresh"]}, base
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

![confusion matrix](confusion_matrix.png)

Predicted probabilities for one test image against the truth:

![probabilities](probabilities.png)

## Multi-label: every item on a canvas

{_HEADS[multi["head"]]} Scored on {m["data"]["test_composites"]:,} test composites.

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

Models: `cnn.skf`, `multilabel.skf` (load with `skfashion.load`, or use with
`skfashion evaluate --model` and `skfashion predict --model`).
The numbers are in `metrics.json`.
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
