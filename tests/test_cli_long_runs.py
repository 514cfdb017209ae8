"""The command line's two long runs: the quick demo and a training killed with -9.

Apart from ``test_cli.py`` so that, on two test workers, they run beside it.
"""

import json

import numpy as np
import pytest
from asserts import assert_allclose

from skfashion.cli import main

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module", autouse=True)
def _needs_data(request):
    request.getfixturevalue("fashion_test")


def test_demo_quick_writes_the_report(tmp_path, capsys):
    out = tmp_path / "report"
    argv = ["demo", "--quick", "--quiet", "--train-size", "2000", "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "single-label test accuracy" in printed and "subset accuracy" in printed
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["settings"]["preset"] == "quick"
    assert metrics["single_label"]["network"]["architecture"] == "cells"
    assert 0.3 < metrics["single_label"]["test_accuracy"] <= 1
    assert set(metrics["multi_label"]) >= {
        "subset_accuracy",
        "hamming_loss",
        "f1_micro",
    }
    for name in metrics["figures"]:
        assert (out / name).stat().st_size > 5_000, name
        assert f"]({name})" in (out / "report.md").read_text()
    assert len(metrics["figures"]) == 11  # with the cells head's cell picture
    assert (out / "cnn.skf").is_file() and (out / "multilabel.skf").is_file()
    page = (out / "report.html").read_text()
    assert page.count('src="data:image/png;base64,') == len(metrics["figures"])
    assert "<table>" in page and "subset accuracy" in page.lower()
    report = (out / "report.md").read_text()
    # what the quick run left out, and what the cells head's bars mean
    assert "Not trained in this run" in report and "--anywhere-epochs" in report
    assert "likeliest class" in report


def test_train_resumes_after_kill_9(tmp_path, capsys):
    """A training process killed mid-epoch resumes and ends as if never killed."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import skfashion
    from skfashion.checkpoint import epochs_done

    # Many short epochs: the kill lands long before the last one, on any
    # machine, polled every 5 ms.
    epochs = 6
    argv = [sys.executable, "-m", "skfashion", "train", "--recipe", "quick"]
    argv += ["--epochs", str(epochs), "--train-size", "400", "--seed", "1"]
    whole = tmp_path / "whole.skf"  # checkpointed too: the same stream of batches
    reference = [*argv[3:], "--checkpoint", str(tmp_path / "other")]
    reference += ["--out", str(whole)]

    folder, resumed = tmp_path / "checkpoint", tmp_path / "resumed.skf"
    argv += ["--checkpoint", str(folder), "--out", str(resumed)]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    saved = folder / "single" / "checkpoint.npz"
    while not saved.exists() and time.monotonic() < deadline:  # a stat, not a read
        assert process.poll() is None, process.communicate()
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    killed_at = epochs_done(folder / "single")
    assert 1 <= killed_at < epochs and not resumed.exists()

    # resumed, and the uninterrupted run, in this process (whose TensorFlow
    # is started already: 8 s of CPU a process)
    from skfashion.cli import main

    assert main(argv[3:]) == 0
    assert f"epoch {killed_at} of {epochs} done" in capsys.readouterr().out
    assert main([*reference, "--quiet"]) == 0
    ours, theirs = skfashion.load(resumed), skfashion.load(whole)
    assert len(ours.history_["loss"]) == epochs
    assert_allclose(ours.history_["loss"], theirs.history_["loss"])
    for mine, other in zip(ours.model_.weights, theirs.model_.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(mine), np.asarray(other))
