"""The command line end to end, in quick mode, on the real data."""

import joblib
import numpy as np
import pytest
from PIL import Image

import skfashion
from skfashion.cli import main

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module", autouse=True)
def _needs_data(request):
    request.getfixturevalue("fashion_test")


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """A single-label and a multi-label model saved by ``skfashion train``."""
    folder = tmp_path_factory.mktemp("models")
    single, multi = folder / "single.skf", folder / "multi.skf"
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


def test_train_evaluate_predict(models, fashion_test, tmp_path, capsys):
    single, multi = models
    sample = ["--test-size", "1000", "--quiet"]
    assert main(["evaluate", "--model", str(single), *sample]) == 0
    accuracy = float(capsys.readouterr().out.split()[-1])
    assert accuracy > 0.5  # 2 epochs on 3,000 items; chance is 0.1
    assert main(["evaluate", "--model", str(multi), *sample]) == 0
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
        (
            ["predict", "--model", "{missing}", "x.png"],
            "no such file, nor a shipped model",
        ),
        (["predict", "--model", "{foreign}", "x.png"], "--trust-pickle"),
        (["predict", "--model", "{text}", "x.png"], "not a skfashion model"),
        (["predict", "--model", "{single}", "{text}"], "not a picture Pillow"),
        (["predict", "--model", "{single}", "{tmp}/nope.png"], "No such file"),
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
    with pytest.raises((ValueError, OSError)):  # --debug re-raises it as it was
        main([*argv, "--debug"])


def test_bad_arguments_exit_with_usage(capsys):
    with pytest.raises(SystemExit) as info:
        main(["demo", "--epochs", "0"])
    assert info.value.code == 2
    assert "must be a positive integer" in capsys.readouterr().err


def test_a_saved_pipeline_places_items_itself(fashion_test, tmp_path, capsys):
    from sklearn.pipeline import Pipeline

    from skfashion.augment import QuadrantExpander
    from skfashion.models import CNNClassifier

    pipe = Pipeline(
        [
            ("expand", QuadrantExpander(random_state=0)),
            ("cnn", CNNClassifier(epochs=1, random_state=0)),
        ]
    )
    pipe.fit(fashion_test.images[:1000], fashion_test.target[:1000])
    # As the persistence example saves it with joblib, and with skfashion.save.
    joblib.dump(pipe, tmp_path / "pipe.joblib")
    skfashion.save(pipe, tmp_path / "pipe.skf")
    photo = _photo(fashion_test.images[0], tmp_path / "item.png")
    for model in (["pipe.joblib", "--trust-pickle"], ["pipe.skf"]):
        path, *trust = model
        model = ["--model", str(tmp_path / path), *trust]
        assert main(["evaluate", *model, "--test-size", "500", "--quiet"]) == 0
        assert float(capsys.readouterr().out.split()[-1]) > 0.3
        assert main(["predict", *model, str(photo)]) == 0
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
    assert found.endswith("(read as a canvas)\n")
    # the same canvas read as one item: it holds two, which the model says
    argv = ["predict", "--model", str(multi), "--as", "item"]
    assert main([*argv, str(tmp_path / "canvas.png")]) == 0
    out = capsys.readouterr().out
    assert "2 separate items" in out and "'fast-anywhere'" in out and "(cell" not in out
    assert "read as" not in out  # it was not read
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

    out = tmp_path / "tutorial.skf"
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


def _png_header_only(width, height):
    """A PNG that claims ``width`` x ``height`` pixels and holds one row."""
    import struct
    import zlib

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(bytes(width + 1))  # one row of the many it claims
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def test_predict_reads_what_it_can_and_refuses_the_rest(
    models, fashion_test, tmp_path, capsys
):
    single, _ = models
    item = fashion_test.images[fashion_test.target == 1][0]  # a trouser
    good = _photo(item, tmp_path / "good.png")
    dark = 255 - item.astype(np.uint16)
    files = {
        "sixteen.png": Image.fromarray(dark * 257),
        "palette.png": Image.open(good).convert("P"),
        "cmyk.jpg": Image.open(good).convert("CMYK"),
    }
    for name, image in files.items():
        image.save(tmp_path / name)
    truncated = good.read_bytes()
    (tmp_path / "truncated.png").write_bytes(truncated[: len(truncated) // 2])
    (tmp_path / "bomb.png").write_bytes(_png_header_only(14000, 14000))
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "notes.png").write_text("not a picture")
    blank = {
        "white.png": Image.new("RGB", (120, 90), "white"),
        "black.png": Image.new("L", (60, 60), 0),
        "grey.jpg": Image.new("RGB", (80, 80), (128, 128, 128)),
        "dot.png": Image.new("L", (1, 1), 200),
    }
    for name, image in blank.items():
        image.save(tmp_path / name)
    refused = {
        "truncated.png": "truncated or damaged",
        "bomb.png": "too large to read safely",
        "empty.png": "empty file",
        "notes.png": "not a picture",
    }
    names = ["good.png", *files, *refused, *blank]
    argv = ["predict", "--model", str(single), *(str(tmp_path / n) for n in names)]
    assert main(argv) == 1
    captured = capsys.readouterr()
    out = dict(line.split(": ", 1) for line in captured.out.splitlines())
    for name in ["good.png", *files]:
        assert out[str(tmp_path / name)].startswith("Trouser "), name
    for name in blank:
        assert out[str(tmp_path / name)] == "no item found (read as one item)", name
    errors = captured.err.splitlines()
    assert len(errors) == len(refused)
    for line, (name, reason) in zip(errors, refused.items(), strict=True):
        assert line.startswith(f"skfashion: error: {tmp_path / name}"), line
        assert reason in line


@pytest.mark.parametrize(
    "options, message",
    [
        (["--base", "m.skf"], "--base applies to --kind multi only"),
        (["--threshold", "0.3"], "--threshold applies to --kind multi only"),
        (["--fine-tune"], "--fine-tune applies to --kind multi only"),
        (["--head", "dense"], "--head applies to --kind multi only"),
        (
            ["--kind", "multi", "--base", "m.skf", "--filters", "8"],
            "--filters sets up the single-label CNN, which --base replaces",
        ),
        (
            ["--kind", "multi", "--threshold", "0.3"],
            "--threshold applies to --head anywhere or dense, not cells",
        ),
        (
            ["--kind", "multi", "--head", "dense", "--threshold", "2"],
            "must lie in [0, 1]",
        ),
    ],
)
def test_options_that_do_not_apply_are_refused(options, message, tmp_path, capsys):
    argv = ["train", *options, "--out", str(tmp_path / "m.skf")]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("skfashion: error: ") and message in err
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "m.skf").exists()


def test_threshold_tuned_and_a_warning_for_too_little_data(tmp_path, capsys):
    out = tmp_path / "dense.skf"  # the dense head needs the tutorial's network
    argv = ["train", "--kind", "multi", "--head", "dense", "--threshold", "tuned"]
    argv += ["--recipe", "tutorial", "--epochs", "1", "--train-size", "60"]
    assert main([*argv, "--quiet", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "skfashion: warning: training on 60 items" in captured.err
    assert "too few" in captured.err
    model = skfashion.load(out)
    assert model.threshold == "tuned" and model.threshold_.shape == (10,)
    assert model.verbose == 0


def test_data_says_where_and_a_missing_data_home_is_an_error(tmp_path, capsys):
    from skfashion.datasets import data_folder

    assert main(["data", "--no-download"]) == 0
    assert str(data_folder()) in capsys.readouterr().out
    assert main(["data", "--data-home", str(tmp_path / "nowhere")]) == 1
    assert "--data-home" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # predict reads no data: no such option
        main(["predict", "--data-home", str(tmp_path), "--model", "m", "x.png"])
    assert "unrecognized arguments: --data-home" in capsys.readouterr().err


def test_every_option_says_what_it_does():
    from skfashion.cli import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, command in commands.items():
        for action in command._actions:
            assert action.help, f"skfashion {name} {action.option_strings}"
    train = commands["train"].format_help()
    assert "trained first unless --base" in " ".join(train.split())


def test_every_command_has_a_description():
    from skfashion.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices
    for name, command in commands.items():
        assert command.description and len(command.description) > 40, name


def test_evaluate_takes_a_test_size_and_seed(models, capsys):
    single, multi = models
    argv = ["evaluate", "--model", str(multi), "--quiet", "--test-size", "200"]
    assert main([*argv, "--seed", "0"]) == 0
    first = capsys.readouterr().out
    assert main([*argv, "--seed", "5"]) == 0  # other test composites
    assert first != capsys.readouterr().out
    assert main(["evaluate", "--model", str(single), "--test-size", "100"]) == 0
    assert "on 100 test items" in capsys.readouterr().err


def test_a_folder_without_pictures_says_so(models, tmp_path, capsys):
    single, _ = models
    (tmp_path / "notes.txt").write_text("no picture here")
    assert main(["predict", "--model", str(single), str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "no picture to read: give pictures or folders of them" in err


def test_a_bug_is_a_traceback_not_a_user_error(monkeypatch, tmp_path):
    """A TypeError or ImportError from our own code is not the user's to fix."""
    from skfashion import cli

    def broken(args, log):
        raise TypeError("a bug in skfashion")

    monkeypatch.setattr(cli, "_show", broken)
    with pytest.raises(TypeError, match="a bug in skfashion"):
        main(["show", "--out", str(tmp_path)])

    def missing(args, log):
        raise ModuleNotFoundError("No module named 'skfashion.gone'", name="gone")

    monkeypatch.setattr(cli, "_show", missing)
    with pytest.raises(ModuleNotFoundError):
        main(["show", "--out", str(tmp_path)])


def test_a_missing_plot_extra_names_the_install(monkeypatch, tmp_path, capsys):
    from skfashion import cli

    def no_matplotlib(args, log):
        raise ModuleNotFoundError("No module named 'matplotlib'", name="matplotlib")

    monkeypatch.setattr(cli, "_show", no_matplotlib)
    assert main(["show", "--out", str(tmp_path)]) == 1
    assert "pip install 'skfashion[plot]'" in capsys.readouterr().err


def test_predict_trusting_a_pickle_is_quiet_too(models, fashion_test, tmp_path):
    import os
    import subprocess
    import sys

    single, _ = models
    pickled = tmp_path / "single.joblib"
    joblib.dump(skfashion.load(single), pickled)
    photo = _photo(fashion_test.images[0], tmp_path / "p.png")
    argv = [sys.executable, "-m", "skfashion", "predict", "--trust-pickle"]
    result = subprocess.run(
        [*argv, "--model", str(pickled), str(photo)],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if "TF_CPP" not in k},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and result.stdout.startswith(f"{photo}: ")


def test_a_saved_multi_label_model_keeps_no_training_settings(tmp_path):
    out = tmp_path / "multi.skf"
    argv = ["train", "--kind", "multi", "--recipe", "quick", "--epochs", "1"]
    argv += ["--train-size", "300", "--checkpoint", str(tmp_path / "runs")]
    assert main([*argv, "--out", str(out)]) == 0
    model = skfashion.load(out)
    for estimator in (model, model.base, model.base_estimator_):
        assert estimator.checkpoint_dir is None and estimator.verbose == 0


def test_the_anywhere_head_on_the_command_line(models, fashion_test, tmp_path, capsys):
    import json

    from photos import outfit_photo

    from skfashion.box_metrics import box_iou

    single, multi = models
    out = tmp_path / "anywhere.skf"
    argv = ["train", "--kind", "multi", "--head", "anywhere", "--base", str(single)]
    common = ["--epochs", "1", "--train-size", "300", "--quiet", "--out", str(out)]
    assert main([*argv, *common]) == 0
    assert main(["evaluate", "--model", str(out), "--test-size", "100", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "anywhere_map50" in printed and "anywhere_count_accuracy" in printed
    items = fashion_test.images[:3].reshape(-1, 28, 28)
    photo, truth = outfit_photo(items, fashion_test.target[:3], random_state=0)
    photo.save(tmp_path / "outfit.jpg")
    picture = str(tmp_path / "outfit.jpg")
    # what a model trained so briefly finds is no test of finding: the
    # shipped one's boxes are, in the photo's own pixels
    for model in (str(out), "fast-anywhere"):
        assert main(["predict", "--model", model, "--json", picture]) == 0
        reading = json.loads(capsys.readouterr().out)
        assert reading["path"] == picture
        assert reading["read_as"] == "items anywhere"
        boxes = np.array([item["box"] for item in reading["items"]]).reshape(-1, 4)
        assert all(set(item) == {"class", "score", "box"} for item in reading["items"])
        assert (boxes[:, :2] >= 0).all() and (boxes[:, 2] <= photo.size[0]).all()
    # most true items have a found box on them
    overlap = box_iou(truth[:, 1:], boxes).max(axis=1, initial=0)
    assert (overlap >= 0.5).sum() >= 2, (truth, boxes)
    assert main(["predict", "--model", "fast-anywhere", picture]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(boxes)
    assert all(line.endswith("(read as items anywhere)") for line in lines)
    # a single-label model gives one item, without a box; a blank canvas none
    trouser = _photo(
        fashion_test.images[fashion_test.target == 1][0], tmp_path / "t.png"
    )
    assert main(["predict", "--model", str(single), "--json", str(trouser)]) == 0
    (item,) = json.loads(capsys.readouterr().out)["items"][:1]
    assert set(item) == {"class", "score"}
    Image.new("RGB", (56, 56), "white").save(tmp_path / "white.png")
    assert main(["predict", "--model", str(multi), str(tmp_path / "white.png")]) == 0
    assert capsys.readouterr().out.endswith(": no item found (read as a canvas)\n")
