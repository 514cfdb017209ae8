"""The command line end to end, in quick mode, on the real data."""

import json

import joblib
import numpy as np
import pytest
from PIL import Image

from skfashion.cli import main

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module", autouse=True)
def _needs_data(request):
    request.getfixturevalue("fashion_test")


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """A single-label and a multi-label model saved by ``skfashion train``."""
    folder = tmp_path_factory.mktemp("models")
    single, multi = folder / "single.joblib", folder / "multi.joblib"
    common = ["--epochs", "2", "--train-size", "3000", "--quiet"]
    assert main(["train", "--kind", "single", *common, "--out", str(single)]) == 0
    config = folder / "multi.toml"
    config.write_text(f'kind = "multi"\nbase = "{single}"\n')
    assert main(["train", "--config", str(config), *common, "--out", str(multi)]) == 0
    return single, multi


def _photo(item, path, size=(180, 140)):
    """A product-photo-like PNG: the item dark on white, RGB, another size."""
    dark = 255 - np.asarray(item, dtype=np.uint8)
    rgb = np.stack([dark, dark, np.minimum(dark + 30, 255)], axis=-1).astype(np.uint8)
    Image.fromarray(rgb).resize(size).save(path)
    return path


def test_demo_quick_writes_the_report(tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["demo", "--quick", "--quiet", "--out", str(out)]) == 0
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
    assert (out / "cnn.joblib").is_file() and (out / "multilabel.joblib").is_file()


def test_train_evaluate_predict(models, fashion_test, tmp_path, capsys):
    single, multi = models
    assert main(["evaluate", "--model", str(single), "--quiet"]) == 0
    accuracy = float(capsys.readouterr().out.split()[-1])
    assert accuracy > 0.5  # 2 epochs on 3,000 items; chance is 0.1
    assert main(["evaluate", "--model", str(multi), "--quiet"]) == 0
    assert "subset_accuracy" in capsys.readouterr().out
    # A trouser and an ankle boot as photos: dark, coloured, on white.
    trouser = _photo(
        fashion_test.images[fashion_test.target == 1][0], tmp_path / "t.png"
    )
    boot = _photo(fashion_test.images[fashion_test.target == 9][0], tmp_path / "b.jpg")
    assert main(["predict", "--model", str(single), str(trouser), str(boot)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{trouser}: Trouser ")
    assert lines[1].startswith(f"{boot}: ") and "Ankle boot" in lines[1]  # top 3
    assert main(["predict", "--model", str(multi), str(trouser)]) == 0
    assert capsys.readouterr().out.startswith(f"{trouser}: ")


def test_show_writes_pictures(tmp_path, capsys):
    assert main(["show", "--out", str(tmp_path), "--quiet"]) == 0
    written = capsys.readouterr().out.split()
    assert len(written) == 3
    for path in written:
        assert Image.open(path).size[0] > 300


@pytest.mark.parametrize(
    "argv, message",
    [
        (["predict", "--model", "{missing}", "x.png"], "No such file"),
        (["predict", "--model", "{foreign}", "x.png"], "not a skfashion model"),
        (["predict", "--model", "{text}", "x.png"], "not a skfashion model"),
        (["predict", "--model", "{single}", "{text}"], "cannot read"),
        (["predict", "--model", "{single}", "{tmp}/nope.png"], "no such image"),
        (["train", "--config", "{bad_config}", "--out", "{tmp}/m"], "unknown settings"),
        (["train", "--config", "{text}", "--out", "{tmp}/m"], "not valid TOML"),
        (["train", "--out", "{tmp}/no/such/m.joblib"], "there is no folder"),
        (
            ["train", "--config", "{typo}", "--out", "{tmp}/m"],
            "epochs must be of type int",
        ),
    ],
)
def test_errors_are_one_line(argv, message, models, tmp_path, capsys):
    single, _ = models
    joblib.dump([1, 2, 3], tmp_path / "foreign.joblib")
    (tmp_path / "text.png").write_text("this is not = [ an image")
    (tmp_path / "bad.toml").write_text("epoch = 3\n")
    (tmp_path / "typo.toml").write_text('epochs = "three"\n')
    paths = dict(
        missing=tmp_path / "missing.joblib",
        foreign=tmp_path / "foreign.joblib",
        text=tmp_path / "text.png",
        bad_config=tmp_path / "bad.toml",
        typo=tmp_path / "typo.toml",
        single=single,
        tmp=tmp_path,
    )
    argv = [arg.format(**paths) for arg in argv]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("skfashion: error: ") and message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    with pytest.raises(Exception):  # noqa: B017 - --debug re-raises whatever it was
        main([*argv, "--debug"])


def test_bad_arguments_exit_with_usage(capsys):
    with pytest.raises(SystemExit) as info:
        main(["demo", "--epochs", "0"])
    assert info.value.code == 2
    assert "must be a positive integer" in capsys.readouterr().err


def test_a_saved_pipeline_places_items_itself(fashion_test, tmp_path, capsys):
    from sklearn.pipeline import Pipeline

    from skfashion.augment import QuadrantExpander
    from skfashion.models import CNNClassifier, dump

    pipe = Pipeline(
        [
            ("expand", QuadrantExpander(random_state=0)),
            ("cnn", CNNClassifier(epochs=1, random_state=0)),
        ]
    )
    pipe.fit(fashion_test.images[:2000], fashion_test.target[:2000])
    dump(pipe, tmp_path / "pipe.joblib")
    assert main(["evaluate", "--model", str(tmp_path / "pipe.joblib"), "--quiet"]) == 0
    assert float(capsys.readouterr().out.split()[-1]) > 0.3
    photo = _photo(fashion_test.images[0], tmp_path / "item.png")
    assert main(["predict", "--model", str(tmp_path / "pipe.joblib"), str(photo)]) == 0
    assert capsys.readouterr().out.startswith(f"{photo}: ")


def test_multi_label_predict_names_each_cell(models, fashion_test, tmp_path, capsys):
    from skfashion.models import load

    _, multi = models
    assert load(multi).head == "cells"
    trouser = fashion_test.images[fashion_test.target == 1][0]
    bag = fashion_test.images[fashion_test.target == 8][0]
    canvas = np.zeros((56, 56), dtype=np.uint8)
    canvas[:28, 28:], canvas[28:, :28] = trouser, bag  # cells 1 and 2
    Image.fromarray(canvas).save(tmp_path / "canvas.png")
    assert main(["predict", "--model", str(multi), str(tmp_path / "canvas.png")]) == 0
    found = capsys.readouterr().out.split(": ", 1)[1]
    assert "(cell 1)" in found and "(cell 2)" in found and "(cell 0)" not in found
    # the same canvas read as one item: one item, in the only cell
    argv = ["predict", "--model", str(multi), "--as", "item"]
    assert main([*argv, str(tmp_path / "canvas.png")]) == 0
    assert capsys.readouterr().out.count("(cell 0)") == 1
    # a photo of one trouser is one item, not a canvas stretched over four cells
    photo = _photo(trouser, tmp_path / "trouser.png")
    assert main(["predict", "--model", str(multi), str(photo)]) == 0
    assert capsys.readouterr().out.startswith(f"{photo}: Trouser ")


def test_evaluate_a_cells_head_reports_cells(models, capsys):
    _, multi = models
    assert main(["evaluate", "--model", str(multi), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "cell_accuracy" in printed and "item_count_accuracy" in printed


def test_the_tutorial_recipe_on_the_command_line(tmp_path, capsys):
    from skfashion.models import load

    out = tmp_path / "tutorial.joblib"
    argv = ["train", "--recipe", "tutorial", "--epochs", "1", "--train-size", "500"]
    assert main([*argv, "--quiet", "--out", str(out)]) == 0
    cnn = load(out)
    assert cnn.architecture == "canvas" and cnn.model_.count_params() == 41_786
    assert cnn.verbose == 0  # training's progress lines are not saved with it


def test_no_tensorflow_start_up_lines(tmp_path):
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "skfashion", "show", "--quiet", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if "TF_CPP" not in k},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_version(capsys):
    from skfashion import __version__

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"skfashion {__version__}"
