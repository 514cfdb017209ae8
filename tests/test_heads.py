"""Heads as parts: capabilities by presence, the registry, and a new head."""

import json

import numpy as np
import pytest
from maxpool_head import MaxPoolHead
from PIL import Image
from sklearn.base import clone
from toys import lit_levels

import skfashion
from skfashion.augment import MultiObjectComposer
from skfashion.heads import HEADS, get_head, register_head
from skfashion.images import canvas_from_picture
from skfashion.models import CNNClassifier, MultiLabelTransfer

CAPABILITIES = (
    "predict_boxes",
    "predict_cell_proba",
    "predict_counts",
    "predict_layout",
)


@pytest.mark.parametrize(
    "head, has",
    [
        ("dense", set()),
        ("cells", {"predict_cell_proba", "predict_counts", "predict_layout"}),
        ("anywhere", {"predict_boxes", "predict_counts"}),
    ],
)
def test_a_model_has_the_methods_of_its_head_only(head, has):
    model = MultiLabelTransfer(head=head)
    assert {m for m in CAPABILITIES if hasattr(model, m)} == has
    assert has == set(get_head(head).provides)


def test_a_single_label_model_has_none_of_them():
    assert not any(hasattr(CNNClassifier(), m) for m in CAPABILITIES)


def test_an_unknown_head_is_refused_with_the_names():
    with pytest.raises(ValueError, match=r"head.* among .*anywhere"):
        MultiLabelTransfer(CNNClassifier(), head="nope").fit(
            np.zeros((4, 8, 8)), np.eye(2)[[0, 1, 0, 1]]
        )
    with pytest.raises(ValueError, match="registered already"):
        register_head(type("Other", (MaxPoolHead,), {"name": "dense"}))


@pytest.fixture
def maxpool():
    """The test's head, registered while the test runs."""
    register_head(MaxPoolHead)
    yield MaxPoolHead
    del HEADS[MaxPoolHead.name]


def test_a_new_head_in_one_file_is_taken_everywhere(maxpool, tmp_path):
    items, labels = lit_levels(600, 8, 0, frame=1)
    base = CNNClassifier(
        architecture="cells",
        grid=(1, 1),
        filters=(8,),
        epochs=3,
        learning_rate=0.01,
        random_state=0,
    ).fit(items, labels)
    model = MultiLabelTransfer(
        base,
        head="maxpool",
        augment=MultiObjectComposer(n_classes=3, random_state=0),
        epochs=6,
        learning_rate=0.02,
        random_state=0,
    ).fit(items, labels)
    canvases, Y = MultiObjectComposer(n_classes=3, random_state=1).fit_resample(
        *lit_levels(60, 8, 5, frame=1)
    )
    # subset accuracy, against 0.2 for saying "no item" (0.97 here)
    assert model.score(canvases, Y) > 0.6
    assert not any(hasattr(model, m) for m in CAPABILITIES)
    assert clone(model).get_params()["head"] == "maxpool"
    skfashion.save(model, tmp_path / "maxpool.skf")
    loaded = skfashion.load(tmp_path / "maxpool.skf")
    np.testing.assert_allclose(
        loaded.predict_proba(canvases), model.predict_proba(canvases), atol=1e-5
    )
    picture = Image.fromarray(canvases[np.flatnonzero(Y.sum(axis=1) == 2)[0]])
    reading = skfashion.read_picture(picture, loaded)
    assert reading.read_as == "canvas"
    as_read = canvas_from_picture(picture, loaded.input_shape_)  # contrast stretched
    assert {item.label for item in reading.items} == set(
        np.flatnonzero(loaded.predict(as_read[None])[0])
    )


@pytest.mark.realdata
def test_a_new_head_on_the_command_line(maxpool, fashion_test, tmp_path, capsys):
    from skfashion.cli import main

    single, multi = tmp_path / "single.skf", tmp_path / "multi.skf"
    common = ["--epochs", "1", "--train-size", "1000", "--quiet"]
    assert main(["train", *common, "--out", str(single)]) == 0
    argv = ["train", "--kind", "multi", "--head", "maxpool", "--base", str(single)]
    assert main([*argv, *common, "--out", str(multi)]) == 0
    assert skfashion.load(multi).head == "maxpool"
    canvas = np.zeros((56, 56), np.uint8)
    canvas[:28, :28] = fashion_test.images[fashion_test.target == 1][0]
    Image.fromarray(canvas).save(tmp_path / "canvas.png")
    capsys.readouterr()
    assert (
        main(["predict", "--json", "--model", str(multi), str(tmp_path / "canvas.png")])
        == 0
    )
    reading = json.loads(capsys.readouterr().out)
    assert reading["read_as"] == "canvas"
    assert all(set(item) == {"class", "score"} for item in reading["items"])
