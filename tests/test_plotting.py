import io
import subprocess
import sys

import matplotlib
import numpy as np
import pytest

from skfashion.augment import MultiObjectComposer
from skfashion.plotting import (
    ImageGridDisplay,
    PerClassScoresDisplay,
    ProbabilityBarDisplay,
    TrainingHistoryDisplay,
    item_count_confusion,
)

matplotlib.use("Agg")


def _pixels(display):
    """The figure a display drew, as an RGBA array."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    display.figure_.savefig(buffer, format="png")
    plt.close(display.figure_)
    buffer.seek(0)
    return plt.imread(buffer)


def _assert_drawn(display):
    image = _pixels(display)
    assert image.shape[0] > 100 and image.shape[1] > 100
    assert image[..., :3].std() > 0.05  # not a blank canvas


@pytest.fixture
def composites():
    rng = np.random.RandomState(0)
    X = rng.randint(1, 256, size=(50, 28, 28)).astype(np.uint8)
    composer = MultiObjectComposer(60, random_state=0)
    canvases, Y = composer.fit_resample(X, np.arange(50) % 10)
    return X, canvases, Y, (composer.layout_ >= 0).sum(axis=1)


def test_image_grids(composites):
    X, canvases, Y, counts = composites
    by_class = ImageGridDisplay.from_classes(X, np.arange(50) % 10, n_per_row=3).plot()
    assert [len(row) for row in by_class.rows] == [3] * 10
    assert by_class.ax_.get_yticklabels()[9].get_text() == "Ankle boot"
    _assert_drawn(by_class)
    by_count = ImageGridDisplay.from_item_counts(canvases.reshape(60, -1), counts)
    assert by_count.row_labels == ["0 items", "1 item", "2 items", "3 items", "4 items"]
    assert by_count.rows[2].shape[1:] == (56, 56)
    _assert_drawn(by_count.plot())
    assert ImageGridDisplay.from_item_counts(canvases, Y).row_labels[1] == "1 class"


def test_history_scores_probabilities_and_counts(composites):
    _, _, Y, _ = composites
    history = {"loss": [1.0, 0.6, 0.4], "val_loss": [1.1, 0.8, 0.7]}
    display = TrainingHistoryDisplay(history).plot()
    assert len(display.ax_.lines) == 2
    _assert_drawn(display)
    Y_pred = np.roll(Y, 1, axis=0)
    _assert_drawn(PerClassScoresDisplay.from_predictions(Y, Y_pred).plot())
    _assert_drawn(ProbabilityBarDisplay(np.linspace(0, 1, 10), Y[1]).plot())
    confusion = item_count_confusion(Y, Y_pred)
    assert confusion.confusion_matrix.sum() == len(Y)
    _assert_drawn(confusion)


def test_draws_on_the_given_axes():
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2)
    TrainingHistoryDisplay({"loss": [1, 0.5]}).plot(ax=right)
    assert right.lines and not left.lines
    plt.close(fig)


def test_matplotlib_is_imported_lazily():
    code = "import sys, skfashion.plotting; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_thresholds_one_epoch_curves_and_the_largest_count():
    import matplotlib.pyplot as plt

    display = ProbabilityBarDisplay(
        np.full(3, 0.4), np.eye(3)[1], ["a", "b", "c"], threshold=[0.3, 0.5, 0.7]
    ).plot()
    (lines,) = display.ax_.collections  # one dashed line on each bar
    np.testing.assert_allclose(
        [segment[0, 1] for segment in lines.get_segments()], [0.3, 0.5, 0.7]
    )
    legend = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert "decision threshold" in legend
    history = TrainingHistoryDisplay({"loss": [0.8], "val_loss": [0.9]}).plot()
    assert [t.get_text() for t in history.ax_.texts] == ["0.800", "0.900"]
    assert history.ax_.get_xlim() == (0.5, 1.5)
    counts = item_count_confusion([[1, 0], [0, 0]], [[1, 0], [0, 0]], max_count=4)
    assert counts.confusion_matrix.shape == (5, 5)
    plt.close("all")


def test_boxes_are_drawn_green_red_and_dashed_on_the_given_axes():
    import matplotlib.pyplot as plt

    from skfashion.plotting import BoxPredictionsDisplay

    fig, (left, right) = plt.subplots(1, 2)
    canvases = np.zeros((2, 30, 30), dtype=np.uint8)
    found = [[[0, 1, 1, 11, 11, 0.9], [2, 15, 15, 25, 25, 0.4]], np.zeros((0, 6))]
    truth = [[[0, 1, 1, 11, 11], [3, 15, 15, 25, 25]], [[4, 5, 5, 9, 9]]]
    BoxPredictionsDisplay(canvases, found, truth).plot(ax=right, n_cols=2)
    assert not left.patches
    colours = [p.get_edgecolor() for p in right.patches]
    styles = [p.get_linestyle() for p in right.patches]
    assert len(colours) == 4  # two found, two missed
    assert colours[0][:3] == (0.0, 1.0, 0.0) and colours[1][:3] == (1.0, 0.0, 0.0)
    assert styles == ["solid", "solid", "dashed", "dashed"]
    plt.close(fig)


def test_a_wrong_cell_shows_the_truth_and_bars_mark_the_answer():
    from skfashion.plotting import CellPredictionsDisplay, ProbabilityBarDisplay

    canvases = np.zeros((1, 16, 16), dtype=np.uint8)
    display = CellPredictionsDisplay(canvases, [[0, 1, -1, -1]], [[0, 2, 3, -1]])
    texts = [t.get_text() for t in display.plot().ax_.texts]
    assert texts == ["T-shirt/top", "Trouser\nis Pullover", "empty?\nis Dress"]
    proba = np.array([0.1, 0.7, 0.2])
    bars = ProbabilityBarDisplay(
        proba, np.eye(3)[2], ["a", "b", "c"], predicted=proba == proba.max()
    ).plot()
    (marker,) = [line for line in bars.ax_.lines if line.get_label() == "predicted"]
    assert marker.get_xdata().tolist() == [1]


@pytest.mark.parametrize("n_epochs", [1, 3, 25])
def test_history_ticks_whole_epochs_only(n_epochs):
    import matplotlib.pyplot as plt

    from skfashion.plotting import TrainingHistoryDisplay

    history = {"loss": list(np.linspace(1, 0.5, n_epochs))}
    display = TrainingHistoryDisplay(history=history).plot()
    display.figure_.canvas.draw()
    ticks = [t for t in display.ax_.get_xticks() if 0.5 <= t <= n_epochs + 0.5]
    assert ticks and all(float(t).is_integer() for t in ticks), ticks
    plt.close(display.figure_)
