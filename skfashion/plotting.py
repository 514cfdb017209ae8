"""Figures in scikit-learn's display style: build from data, then ``plot(ax=...)``.

matplotlib is imported only when a figure is drawn, and nothing here needs a
screen: set ``MPLBACKEND=Agg`` (the command line does) to draw headless. For a
single-label confusion matrix use scikit-learn's
:class:`~sklearn.metrics.ConfusionMatrixDisplay`; :func:`item_count_confusion`
applies it to the number of items on multi-label canvases.
"""

from __future__ import annotations

import numpy as np

from ._images import check_images
from .datasets import CLASS_NAMES
from .metrics import multilabel_report

__all__ = [
    "BoxPredictionsDisplay",
    "CellPredictionsDisplay",
    "ImageGridDisplay",
    "PerClassScoresDisplay",
    "ProbabilityBarDisplay",
    "TrainingHistoryDisplay",
    "item_count_confusion",
    "layout_count_confusion",
]


def _axes(ax):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    return ax


def _show_mosaic(ax, mosaic, cmap="gray"):
    """Draw a :func:`_tile` mosaic on ``ax``, its NaN gaps in white."""
    import matplotlib as mpl

    colormap = mpl.colormaps[cmap].with_extremes(bad="white")
    ax.imshow(mosaic, cmap=colormap, interpolation="nearest")


def _tile(images, n_cols, gap=2):
    """(n, h, w) images as one float mosaic of ``n_cols`` columns.

    Images are separated by ``gap`` NaN pixels (drawn in the colormap's "bad"
    colour), so that canvases stay apart; missing ones are NaN too.
    """
    n, h, w = images.shape
    rows = -(-n // n_cols)
    cells = np.full((rows * n_cols, h + gap, w + gap), np.nan)
    cells[:n, :h, :w] = images
    return (
        cells.reshape(rows, n_cols, h + gap, w + gap)
        .transpose(0, 2, 1, 3)
        .reshape(rows * (h + gap), -1)
    )


class ImageGridDisplay:
    """Rows of images, one row per group (a class, or a number of items).

    Parameters
    ----------
    rows : list of ndarray of shape (k, h, w)
        The images of each row (rows may be shorter than others).
    row_labels : list of str
        A label for each row.

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.plotting import ImageGridDisplay
    >>> X = np.random.RandomState(0).randint(0, 256, (40, 28, 28), dtype=np.uint8)
    >>> display = ImageGridDisplay.from_classes(X, np.arange(40) % 10, n_per_row=4)
    >>> len(display.rows), display.row_labels[7]
    (10, 'Sneaker')
    >>> display.plot()  # doctest: +ELLIPSIS
    <skfashion.plotting.ImageGridDisplay object at ...>
    """

    def __init__(self, rows, row_labels):
        self.rows = rows
        self.row_labels = row_labels

    @classmethod
    def from_classes(cls, images, y, *, n_per_row=5, target_names=CLASS_NAMES):
        """The first ``n_per_row`` images of each class (the tutorial's ``filter``)."""
        images, y = _as_images(images), np.asarray(y)
        classes = np.unique(y)
        rows = [images[y == c][:n_per_row] for c in classes]
        return cls(rows, [str(target_names[c]) for c in classes])

    @classmethod
    def from_item_counts(cls, canvases, counts, *, n_per_row=5):
        """The first canvases with 0, 1, 2, ... items (the tutorial's ``filter2``).

        ``counts`` is the number of items on each canvas (1-D, for instance
        ``(composer.layout_ >= 0).sum(axis=1)``), or a multi-hot ``Y``, whose
        rows count distinct classes.
        """
        canvases, counts = _as_images(canvases), np.asarray(counts)
        unit = "item" if counts.ndim == 1 else "class"
        counts = counts if counts.ndim == 1 else counts.sum(axis=1)
        values = np.unique(counts)
        rows = [canvases[counts == k][:n_per_row] for k in values]
        plural = {"item": "items", "class": "classes"}
        return cls(rows, [f"{k} {unit if k == 1 else plural[unit]}" for k in values])

    def plot(self, ax=None, *, cmap="gray"):
        """Draw the grid on ``ax`` (a new figure when None); returns self."""
        ax = _axes(ax)
        n_cols = max(len(row) for row in self.rows)
        h = self.rows[0].shape[1] + 2
        _show_mosaic(
            ax, np.concatenate([_tile(row, n_cols) for row in self.rows]), cmap
        )
        ax.set_yticks(h * np.arange(len(self.rows)) + h / 2, self.row_labels)
        ax.set_xticks([])
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        self.ax_, self.figure_ = ax, ax.figure
        return self


def _as_images(X):
    return check_images(X).images


class TrainingHistoryDisplay:
    """Loss and metrics per epoch, training and validation.

    Parameters
    ----------
    history : dict of str to list of float
        A Keras history (``estimator.history_``).

    Examples
    --------
    >>> from skfashion.plotting import TrainingHistoryDisplay
    >>> history = {"loss": [0.9, 0.5], "val_loss": [1.0, 0.7]}
    >>> TrainingHistoryDisplay(history).plot().ax_.get_xlabel()
    'epoch'
    """

    def __init__(self, history):
        self.history = history

    @classmethod
    def from_estimator(cls, estimator):
        """The history of a fitted skfashion model, or of a Pipeline ending in one."""
        if hasattr(estimator, "steps"):
            estimator = estimator.steps[-1][1]
        return cls(dict(estimator.history_))

    def plot(self, ax=None, *, metric="loss"):
        """Curves of ``metric`` and ``val_<metric>`` on ``ax``; returns self."""
        if metric not in self.history and f"val_{metric}" not in self.history:
            known = sorted(k for k in self.history if not k.startswith("val_"))
            raise ValueError(f"no metric {metric!r} in the history; it has {known}")
        ax = _axes(ax)
        for key in (metric, f"val_{metric}"):
            if key in self.history:
                values = self.history[key]
                label = "validation" if key.startswith("val_") else "training"
                epochs = np.arange(1, len(values) + 1)
                ax.plot(epochs, values, marker="o", label=label)
                if len(values) == 1:  # one dot: say its value
                    ax.annotate(
                        f"{values[0]:.3f}",
                        (1, values[0]),
                        textcoords="offset points",
                        xytext=(8, -4 if key.startswith("val_") else 6),
                    )
        from matplotlib.ticker import FixedLocator, MaxNLocator

        n_epochs = max(len(v) for v in self.history.values())
        # whole epochs only: MaxNLocator(integer=True) still ticks 0.5 to 1.5
        # in tenths when the axis spans one epoch
        ax.xaxis.set_major_locator(
            FixedLocator(np.arange(1, n_epochs + 1))
            if n_epochs <= 10
            else MaxNLocator(integer=True)
        )
        ax.set_xlim(0.5, n_epochs + 0.5)
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.legend()
        self.ax_, self.figure_ = ax, ax.figure
        return self


class PerClassScoresDisplay:
    """Bars of precision, recall and F1 for each label of a multi-label model.

    Parameters
    ----------
    report : dict
        As returned by :func:`skfashion.metrics.multilabel_report`.

    Examples
    --------
    >>> from skfashion.plotting import PerClassScoresDisplay
    >>> display = PerClassScoresDisplay.from_predictions(
    ...     [[1, 0], [1, 1]], [[1, 0], [0, 1]], target_names=["Bag", "Coat"])
    >>> display.report["Bag"]["recall"]
    0.5
    >>> len(display.plot().ax_.patches)
    6
    """

    def __init__(self, report):
        self.report = report

    @classmethod
    def from_predictions(cls, Y_true, Y_pred, *, target_names=CLASS_NAMES):
        """Scores of multi-hot predictions against the truth."""
        return cls(multilabel_report(Y_true, Y_pred, target_names=target_names))

    @classmethod
    def from_estimator(cls, estimator, X, Y, *, target_names=CLASS_NAMES):
        """Scores of ``estimator.predict(X)`` against ``Y``."""
        return cls.from_predictions(Y, estimator.predict(X), target_names=target_names)

    def plot(self, ax=None):
        """Grouped bars on ``ax``; returns self."""
        ax = _axes(ax)
        names = list(self.report)
        x = np.arange(len(names))
        for i, score in enumerate(("precision", "recall", "f1")):
            values = [self.report[name][score] for name in names]
            ax.bar(x + (i - 1) * 0.27, values, width=0.27, label=score)
        ax.set_xticks(x, names, rotation=45, ha="right")
        ax.set_ylim(0, 1.05)
        ax.legend(loc="lower right")
        self.ax_, self.figure_ = ax, ax.figure
        return self


class ProbabilityBarDisplay:
    """The tutorial's bar chart: predicted probabilities beside the truth.

    Parameters
    ----------
    proba : ndarray of shape (n_classes,)
        Predicted probabilities for one image.
    truth : ndarray of shape (n_classes,)
        The one-hot (or multi-hot) truth.
    target_names : sequence of str
    image : ndarray of shape (h, w), default=None
        The picture the probabilities are about, drawn beside the bars.
    threshold : float or ndarray of shape (n_classes,), default=None
        Decision thresholds of a multi-label model, drawn on each bar.
    predicted : ndarray of shape (n_classes,) of bool, default=None
        The model's final answer (the class, or every label predicted),
        marked above its bars.

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.plotting import ProbabilityBarDisplay
    >>> display = ProbabilityBarDisplay(np.full(10, 0.1), np.eye(10)[2])
    >>> len(display.plot().ax_.patches)
    20
    """

    def __init__(
        self,
        proba,
        truth,
        target_names=CLASS_NAMES,
        *,
        image=None,
        threshold=None,
        predicted=None,
    ):
        self.proba = np.asarray(proba)
        self.truth = np.asarray(truth)
        self.target_names = target_names
        self.image = image
        self.threshold = threshold
        self.predicted = None if predicted is None else np.asarray(predicted, bool)

    @classmethod
    def from_estimator(cls, estimator, image, truth, *, target_names=CLASS_NAMES):
        """Probabilities of one ``image`` against ``truth``.

        ``truth`` is a class label (single-label models) or a multi-hot row.
        """
        proba = np.asarray(estimator.predict_proba(np.asarray(image)[np.newaxis]))[0]
        truth = np.asarray(truth)
        if truth.ndim == 0:
            truth = (np.asarray(estimator.classes_) == truth).astype(float)
        final = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
        # a dense multi-label head decides by thresholds; a cells head by layout
        threshold = (
            getattr(final, "threshold_", None)
            if getattr(final, "head", "dense") == "dense"
            else None
        )
        answer = np.asarray(estimator.predict(np.asarray(image)[np.newaxis]))[0]
        if answer.ndim == 0:  # one class
            answer = np.asarray(estimator.classes_) == answer
        return cls(
            proba,
            truth,
            target_names,
            image=_as_images(image[np.newaxis])[0],
            threshold=threshold,
            predicted=answer,
        )

    def plot(self, ax=None):
        """Truth and probability bars side by side on ``ax``; returns self."""
        ax = _axes(ax)
        x = np.arange(len(self.proba))
        ax.bar(x - 0.2, self.truth, width=0.4, label="truth")
        ax.bar(x + 0.2, self.proba, width=0.4, label="predicted probability")
        if self.threshold is not None:
            levels = np.broadcast_to(self.threshold, x.shape)
            ax.hlines(
                levels,
                x - 0.4,
                x + 0.4,
                colors="black",
                linestyles="--",
                label="decision threshold",
            )
        if self.predicted is not None:
            top = np.maximum(self.proba, self.truth)[self.predicted]
            ax.plot(
                x[self.predicted],
                top + 0.06,
                "v",
                color="black",
                linestyle="none",
                label="predicted",
            )
        ax.set_xticks(x, self.target_names, rotation=45, ha="right")
        ax.set_ylim(0, 1.3)  # the legend sits above the bars
        ax.set_yticks(np.linspace(0, 1, 6))
        ax.legend(loc="upper left", ncols=3, frameon=False)
        if self.image is not None:  # the picture the bars are about, beside them
            inset = ax.inset_axes([1.02, 0.45, 0.3, 0.55])
            inset.imshow(self.image, cmap="gray", interpolation="nearest")
            inset.set_xticks([])
            inset.set_yticks([])
        self.ax_, self.figure_ = ax, ax.figure
        return self


def item_count_confusion(Y_true, Y_pred, *, max_count=None, ax=None):
    """Confusion matrix of the number of distinct classes per canvas.

    Parameters
    ----------
    Y_true, Y_pred : array-like of shape (n, n_labels)
        Multi-hot indicators.
    max_count : int, default=None
        The largest possible count (a composer's ``max_objects``); the
        matrix runs from 0 to it. By default, to the largest count seen.
    ax : matplotlib Axes, default=None

    Returns
    -------
    display : sklearn.metrics.ConfusionMatrixDisplay

    Examples
    --------
    >>> from skfashion.plotting import item_count_confusion
    >>> display = item_count_confusion([[1, 1], [0, 0]], [[1, 0], [0, 0]])
    >>> display.confusion_matrix.tolist()
    [[1, 0, 0], [0, 0, 0], [0, 1, 0]]
    """
    from sklearn.metrics import ConfusionMatrixDisplay

    true, pred = np.asarray(Y_true).sum(axis=1), np.asarray(Y_pred).sum(axis=1)
    if max_count is None:
        max_count = max(true.max(), pred.max())
    labels = np.arange(max_count + 1)
    display = ConfusionMatrixDisplay.from_predictions(
        true, pred, labels=labels, ax=_axes(ax), colorbar=False
    )
    display.ax_.set_xlabel("predicted number of classes")
    display.ax_.set_ylabel("true number of classes")
    return display


def layout_count_confusion(layout_true, layout_pred, *, ax=None):
    """Confusion matrix of the number of items per canvas, duplicates counted.

    Parameters
    ----------
    layout_true, layout_pred : array-like of shape (n, n_cells)
        The class in each cell, ``-1`` when empty.
    ax : matplotlib Axes, default=None

    Returns
    -------
    display : sklearn.metrics.ConfusionMatrixDisplay
        Counts from 0 to ``n_cells``.

    Examples
    --------
    >>> from skfashion.plotting import layout_count_confusion
    >>> display = layout_count_confusion([[3, 3], [-1, -1]], [[3, -1], [-1, -1]])
    >>> display.confusion_matrix.tolist()
    [[1, 0, 0], [0, 0, 0], [0, 1, 0]]
    """
    from sklearn.metrics import ConfusionMatrixDisplay

    from .metrics import check_layouts

    layout_true, layout_pred = check_layouts(layout_true, layout_pred)
    true, pred = (layout_true >= 0).sum(axis=1), (layout_pred >= 0).sum(axis=1)
    display = ConfusionMatrixDisplay.from_predictions(
        true,
        pred,
        labels=np.arange(layout_true.shape[1] + 1),
        ax=_axes(ax),
        colorbar=False,
    )
    display.ax_.set_xlabel("predicted number of items")
    display.ax_.set_ylabel("true number of items")
    display.ax_.set_title("Items per canvas (duplicates counted)")
    return display


class CellPredictionsDisplay:
    """Canvases with each cell's predicted content written on it.

    Names in green are right, in red wrong with the truth below (a wrongly
    empty cell reads "empty?"); without a true layout every name is white.

    Parameters
    ----------
    canvases : ndarray of shape (n, h, w)
        The canvases.
    layout_pred : ndarray of shape (n, n_cells)
        Predicted class in each cell, ``-1`` when empty (``predict_layout``).
    layout_true : ndarray of shape (n, n_cells), default=None
        The truth, for colours.
    grid : tuple of (int, int), default=None
        Rows and columns of cells; a square grid of ``n_cells`` by default.
    target_names : sequence of str

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.plotting import CellPredictionsDisplay
    >>> canvases = np.zeros((2, 16, 16), dtype=np.uint8)
    >>> pred, true = [[0, -1, -1, 1], [-1] * 4], [[0, -1, -1, 2], [-1] * 4]
    >>> display = CellPredictionsDisplay(canvases, pred, true).plot()
    >>> [t.get_text() for t in display.ax_.texts]
    ['T-shirt/top', 'Trouser\\nis Pullover']
    """

    def __init__(
        self,
        canvases,
        layout_pred,
        layout_true=None,
        *,
        grid=None,
        target_names=CLASS_NAMES,
    ):
        self.canvases = _as_images(canvases)
        self.layout_pred = np.asarray(layout_pred)
        self.layout_true = None if layout_true is None else np.asarray(layout_true)
        self.grid = grid
        self.target_names = target_names

    @classmethod
    def from_estimator(cls, estimator, canvases, layout_true=None, **kwargs):
        """Predict the layouts of ``canvases`` with a cell-wise model."""
        return cls(canvases, estimator.predict_layout(canvases), layout_true, **kwargs)

    def plot(self, ax=None, *, n_cols=4):
        """Draw the canvases and their cells' names on ``ax``; returns self."""
        import math

        ax = _axes(ax)
        n, h, w = self.canvases.shape
        n_cells = self.layout_pred.shape[1]
        rows, cols = self.grid or (math.isqrt(n_cells), n_cells // math.isqrt(n_cells))
        gap = 2
        _show_mosaic(ax, _tile(self.canvases.astype(float), n_cols, gap))
        cell_h, cell_w = h / rows, w / cols
        for i in range(n):
            top, left = (i // n_cols) * (h + gap), (i % n_cols) * (w + gap)
            for cell in range(n_cells):
                pred = self.layout_pred[i, cell]
                true = None if self.layout_true is None else self.layout_true[i, cell]
                if pred < 0 and (true is None or true < 0):
                    continue
                text = "empty?" if pred < 0 else str(self.target_names[pred])
                colour = (
                    "white" if true is None else ("lime" if pred == true else "red")
                )
                if colour == "red":  # the truth beside a wrong answer
                    text += "\nis " + ("empty" if true < 0 else self.target_names[true])
                ax.text(
                    left + (cell % cols + 0.5) * cell_w,
                    top + (cell // cols + 0.97) * cell_h,
                    text,
                    color=colour,
                    fontsize=9,
                    ha="center",
                    va="bottom",
                    bbox={"facecolor": "black", "alpha": 0.7, "pad": 1, "lw": 0},
                )
        ax.set_xticks([])
        ax.set_yticks([])
        title = "Each cell's predicted item"
        if self.layout_true is not None:
            title += " (green: right, red: wrong)"
        ax.set_title(title)
        self.ax_, self.figure_ = ax, ax.figure
        return self


class BoxPredictionsDisplay:
    """Canvases with a box and a name for each item found.

    With the truth: green boxes are right (the right class, IoU >= 0.5),
    red ones wrong, and true items nobody found are dashed yellow boxes with
    their names; without it every box is white.

    Parameters
    ----------
    canvases : ndarray of shape (n, h, w)
        The canvases (of one size).
    boxes_pred : sequence of array-like of shape (j, 6)
        Each canvas's items found, ``(class, x0, y0, x1, y1, score)``.
    boxes_true : sequence of array-like of shape (k, 5), default=None
        Each canvas's true items, ``(class, x0, y0, x1, y1)``; rows of -1
        are no item (as ``MultiObjectComposer.boxes_``).
    target_names : sequence of str

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.plotting import BoxPredictionsDisplay
    >>> canvases = np.zeros((1, 40, 40), dtype=np.uint8)
    >>> found = [[[1, 2, 2, 20, 30, 0.9], [5, 22, 5, 38, 20, 0.6]]]
    >>> truth = [[[1, 2, 3, 20, 30], [7, 25, 25, 38, 38]]]
    >>> display = BoxPredictionsDisplay(canvases, found, truth).plot()
    >>> [t.get_text() for t in display.ax_.texts]
    ['Trouser 0.90', 'Sandal 0.60', 'Sneaker?']
    """

    def __init__(
        self, canvases, boxes_pred, boxes_true=None, *, target_names=CLASS_NAMES
    ):
        self.canvases = _as_images(canvases)
        self.boxes_pred = boxes_pred
        self.boxes_true = boxes_true
        self.target_names = target_names

    def plot(self, ax=None, *, n_cols=4, iou_threshold=0.5):
        """Draw the canvases, boxes and names on ``ax``; returns self."""
        from matplotlib.patches import Rectangle

        from .box_metrics import match_boxes

        ax = _axes(ax)
        n, h, w = self.canvases.shape
        gap = 2
        _show_mosaic(ax, _tile(self.canvases.astype(float), n_cols, gap))

        def draw(left, top, box, colour, text, style="solid"):
            x0, y0, x1, y1 = box
            ax.add_patch(
                Rectangle(
                    (left + x0 - 0.5, top + y0 - 0.5),
                    x1 - x0,
                    y1 - y0,
                    fill=False,
                    edgecolor=colour,
                    linestyle=style,
                    linewidth=1,
                )
            )
            ax.text(
                left + x0,
                top + y0 - 1,
                text,
                color=colour,
                fontsize=8,
                va="bottom",
                bbox={"facecolor": "black", "alpha": 0.7, "pad": 1, "lw": 0},
            )

        for i in range(n):
            top, left = (i // n_cols) * (h + gap), (i % n_cols) * (w + gap)
            found = np.asarray(self.boxes_pred[i], dtype=float).reshape(-1, 6)
            right = found_true = truth = None
            if self.boxes_true is not None:
                truth = np.asarray(self.boxes_true[i]).reshape(-1, 5)
                truth = truth[truth[:, 0] >= 0]
                right, found_true = match_boxes(
                    truth, found, iou_threshold=iou_threshold
                )
            for j, (label, *box, score) in enumerate(found):
                colour = "white" if right is None else ("lime" if right[j] else "red")
                name = self.target_names[int(label)]
                draw(left, top, box, colour, f"{name} {score:.2f}")
            if truth is not None:
                for (label, *box), seen in zip(truth, found_true, strict=True):
                    if not seen:
                        name = self.target_names[int(label)]
                        draw(left, top, box, "yellow", f"{name}?", "dashed")
        ax.set_xticks([])
        ax.set_yticks([])
        title = "Items found"
        if self.boxes_true is not None:
            title += " (green: right, red: wrong, dashed: missed)"
        ax.set_title(title)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self
