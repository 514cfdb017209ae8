"""The trained models shipped in the package: files, cards, and use."""

import hashlib
import json
import shutil

import numpy as np
import pytest
from sklearn.pipeline import Pipeline

import skfashion
from skfashion import zoo
from skfashion.augment import QuadrantExpander
from skfashion.cli import main
from skfashion.models import CNNClassifier, MultiLabelTransfer

NAMES = skfashion.pretrained()
CARD_KEYS = {
    "name",
    "kind",
    "intended_use",
    "limits",
    "recipe",
    "seed",
    "params",
    "size",
    "training",
    "test",
    "versions",
    "date",
    "version",
    "license",
    "preprocessing",
    "files",
    "metrics",
}


def test_every_shipped_file_matches_its_manifest_and_has_a_card():
    files = json.loads((zoo.TRAINED / "manifest.json").read_text())
    manifest = files["sha256"]
    assert {"fast", "strong", "fast-cells", "strong-cells"} <= set(manifest)
    assert sorted(p.stem for p in zoo.TRAINED.glob("*.skf")) == sorted(manifest)
    assert sorted(p.stem for p in zoo.TRAINED.glob("*.onnx")) == sorted(manifest)
    for name, digest in manifest.items():
        content = (zoo.TRAINED / f"{name}.skf").read_bytes()
        assert hashlib.sha256(content).hexdigest() == digest
        twin = (zoo.TRAINED / f"{name}.onnx").read_bytes()
        assert hashlib.sha256(twin).hexdigest() == files["onnx_sha256"][name]
        card = skfashion.model_card(name)
        assert set(card) >= CARD_KEYS and card["name"] == name
        assert len(card["training"]["data_sha256"]) == 64
        assert card["files"] == {"model": f"{name}.skf", "onnx": f"{name}.onnx"}
        assert "MIT" in card["license"]["training data"]
        scores = card["metrics"]["Fashion-MNIST test"]
        assert scores and all(0 < v <= 1 for v in scores.values())
    # the package's shipped files: models, twins, cards, example pictures
    # (14.5 MB with strong-namer; a budget, far under PyPI's 100 MB a file)
    shipped = [*zoo.TRAINED.iterdir(), *zoo.PICTURES.iterdir()]
    assert sum(path.stat().st_size for path in shipped) <= 16_000_000


def test_a_model_card_names_what_it_measured():
    card = skfashion.model_card("strong")
    assert card["kind"] == "single" and card["size"]["weights"] <= 1_000_000
    assert card["test"]["items"] == 10_000 and 0.9 < card["test"]["accuracy"] <= 1
    # the anywhere head is scored on canvases drawn from the test items
    scored = skfashion.model_card("fast-anywhere")["test"]
    assert scored["canvases"] == 2_000 and scored["from_items"] == 10_000
    assert "items" not in scored


def test_unknown_names_and_damaged_files_are_refused(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match=r"no shipped model is named 'best'.*fast"):
        skfashion.pretrained("best")
    copy = tmp_path / "trained"
    shutil.copytree(zoo.TRAINED, copy)
    damaged = bytearray((copy / "fast.skf").read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    (copy / "fast.skf").write_bytes(bytes(damaged))
    monkeypatch.setattr(zoo, "TRAINED", copy)
    with pytest.raises(ValueError, match=r"fails its checksum.*reinstall"):
        skfashion.pretrained("fast")
    # a card is checked too: a changed score is never printed
    card = json.loads((copy / "strong.json").read_text())
    card["test"]["accuracy"] = 0.999
    (copy / "strong.json").write_text(json.dumps(card))
    with pytest.raises(ValueError, match=r"model card .* fails its checksum"):
        skfashion.model_card("strong")


def test_a_damaged_manifest_is_named(tmp_path, monkeypatch):
    copy = tmp_path / "trained"
    shutil.copytree(zoo.TRAINED, copy)
    (copy / "manifest.json").write_text("{'sha256': ")
    monkeypatch.setattr(zoo, "TRAINED", copy)
    zoo._manifest_file.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"manifest .*manifest.json is damaged"):
            skfashion.pretrained()
    finally:
        zoo._manifest_file.cache_clear()


@pytest.mark.realdata
@pytest.mark.parametrize("name", ["fast", "strong"])
def test_a_shipped_single_label_model_predicts_at_once(name, fashion_test, tmp_path):
    images, labels = fashion_test.images[:500], fashion_test.target[:500]
    model = skfashion.pretrained(name)
    assert isinstance(model, CNNClassifier)
    assert skfashion.pretrained(name) is not model  # a new one every call
    canvases = QuadrantExpander(random_state=1).fit_transform(images)
    accuracy = model.score(canvases, labels)
    assert accuracy > skfashion.model_card(name)["test"]["accuracy"] - 0.03
    pipeline = Pipeline([("expand", QuadrantExpander().fit(images)), ("cnn", model)])
    assert np.mean(pipeline.predict(images) == labels) == pytest.approx(
        accuracy, abs=0.02
    )
    skfashion.save(model, tmp_path / "copy.skf")
    again = skfashion.load(tmp_path / "copy.skf")
    np.testing.assert_array_equal(again.predict(canvases), model.predict(canvases))


@pytest.mark.realdata
def test_a_shipped_base_serves_a_new_head(fashion_train, fashion_test):
    images, labels = fashion_train.images, fashion_train.target
    head = MultiLabelTransfer(
        skfashion.pretrained("fast"),
        head="cells",
        augment=skfashion.MultiObjectComposer(),
        epochs=1,
        random_state=0,
    ).fit(images[:2000], labels[:2000])
    composer = skfashion.MultiObjectComposer(random_state=1)
    canvases, Y = composer.fit_resample(
        fashion_test.images[:500], fashion_test.target[:500]
    )
    assert head.score(canvases, Y) > 0.6  # one epoch on 2,000 items


@pytest.mark.realdata
def test_the_shipped_multi_label_models_name_test_composites(fashion_test):
    composer = skfashion.MultiObjectComposer(random_state=1)
    canvases, Y = composer.fit_resample(
        fashion_test.images[:1000], fashion_test.target[:1000]
    )
    for name in ("fast-cells", "strong-cells"):
        model = skfashion.pretrained(name)
        assert model.head == "cells"
        card = skfashion.model_card(name)
        assert model.score(canvases, Y) > card["test"]["subset_accuracy"] - 0.05


def test_the_command_line_lists_and_uses_the_shipped_models(tmp_path, capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    for name in NAMES:
        assert f"\n{name} " in out
    picture = tmp_path / "item.png"
    from PIL import Image

    canvas = np.zeros((28, 28), np.uint8)
    canvas[4:24, 8:20] = 200  # a bright upright block
    Image.fromarray(canvas).save(picture)
    assert main(["predict", "--quiet", str(picture)]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "(read as one item)" in captured.out
    assert main(["predict", "--quiet", "--model", "strong", str(picture)]) == 0
    assert "shipped" not in capsys.readouterr().err
    # a model that is neither a file nor a shipped name: the names help
    assert main(["predict", "--quiet", "--model", "stronk", str(picture)]) == 1
    err = capsys.readouterr().err
    assert "--model stronk: no such file, nor a shipped model" in err
    assert "strong, fast-cells" in err


@pytest.mark.realdata
def test_evaluate_without_a_model_scores_every_shipped_one(fashion_test, capsys):
    assert main(["evaluate", "--quiet", "--test-size", "300"]) == 0
    out = capsys.readouterr().out
    assert [line[3:].split()[0] for line in out.splitlines() if line[:3] == "== "] == (
        NAMES
    )
    accuracies = [
        float(line.split()[1]) for line in out.splitlines() if "accuracy " in line
    ]
    assert len(accuracies) >= len(NAMES) and min(accuracies) > 0.5


@pytest.mark.realdata
def test_shipped_models_in_scikit_learns_tools(fashion_test):
    from sklearn.frozen import FrozenEstimator
    from sklearn.model_selection import cross_val_score

    items, labels = fashion_test.images[:600], fashion_test.target[:600]
    model = skfashion.pretrained("fast")
    # the stateless expander needs no fit: the pipeline scores at once
    pipe = Pipeline([("expand", QuadrantExpander(random_state=0)), ("cnn", model)])
    assert pipe.score(items, labels) > 0.88
    # the shipped weights, scored fold by fold
    frozen = cross_val_score(FrozenEstimator(model), items, labels, cv=3)
    assert frozen.min() > 0.88
    # a refit from raw items: the error names both ways
    with pytest.raises(ValueError, match=r"(?s)QuadrantExpander.*FrozenEstimator"):
        cross_val_score(model, items, labels, cv=3, error_score="raise")
    # the recipe it was trained with, refitted in each fold (1 epoch here:
    # too short to learn; what is checked is that each fold trained afresh)
    from sklearn.model_selection import cross_validate

    refit = Pipeline(
        [("expand", QuadrantExpander(random_state=0)), ("cnn", model)]
    ).set_params(cnn__epochs=1, cnn__batch_size=64)
    result = cross_validate(refit, items, labels, cv=2, return_estimator=True)
    for fitted in result["estimator"]:
        assert len(fitted[-1].history_["loss"]) == 1
        assert fitted[-1].model_ is not model.model_
