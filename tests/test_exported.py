"""Models exported to ONNX predict as their Keras models, with no Keras."""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import skfashion
from skfashion import MultiObjectComposer, class_name, export, load_exported
from skfashion.cli import main
from skfashion.models import CNNClassifier, MultiLabelTransfer
from skfashion.zoo import EXAMPLE_PICTURES, PICTURES, example_picture, shared

if importlib.util.find_spec("tf2onnx") is None:  # found, not imported: under
    # JAX, importing it would import TensorFlow in every worker that collects
    pytest.skip("tf2onnx is not installed", allow_module_level=True)


def _composites(test, placement, n=200):
    composer = MultiObjectComposer(placement=placement, random_state=1)
    canvases, _ = composer.fit_resample(test.images[:1000], test.target[:1000])
    return canvases[:n]


@pytest.mark.realdata
@pytest.mark.parametrize("name", skfashion.pretrained())
def test_every_shipped_model_exports_and_predicts_as_keras(
    name, fashion_test, tmp_path
):
    keras_model = skfashion.pretrained(name)
    exported = load_exported(export(keras_model, tmp_path / f"{name}.onnx"))
    shipped = shared(name)  # the twin that ships
    kind = skfashion.model_card(name)["kind"]
    assert exported.kind == shipped.kind == kind
    for method in ("predict_boxes", "predict_layout", "predict_cell_proba"):
        assert hasattr(exported, method) == hasattr(keras_model, method)
    if kind == "single":
        X = fashion_test.images[:500]
        expected = keras_model.predict_proba(X)
        assert_allclose(exported.predict_proba(X), expected, atol=1e-4)
        assert_allclose(shipped.predict_proba(X), expected, atol=1e-4)
        assert_array_equal(exported.predict(X), keras_model.predict(X))
    elif kind == "cells":
        X = _composites(fashion_test, "grid")
        expected = keras_model.predict_cell_proba(X)
        assert_allclose(exported.predict_cell_proba(X), expected, atol=1e-4)
        assert_allclose(shipped.predict_cell_proba(X), expected, atol=1e-4)
        assert_array_equal(exported.predict_layout(X), keras_model.predict_layout(X))
        assert_array_equal(exported.predict(X), keras_model.predict(X))
    else:  # boxes: the same classes, places and scores
        X = _composites(fashion_test, "anywhere")
        for ours, theirs in zip(
            exported.predict_boxes(X), keras_model.predict_boxes(X), strict=True
        ):
            assert_array_equal(ours[:, 0], theirs[:, 0])
            assert_allclose(ours[:, 1:5], theirs[:, 1:5], atol=1e-2)  # pixels
            assert_allclose(ours[:, 5], theirs[:, 5], atol=1e-4)


@pytest.mark.backends
def test_the_dense_head_and_a_network_of_whole_canvases_export(tmp_path):
    import keras

    rng = np.random.RandomState(0)
    canvases = rng.randint(0, 256, (40, 16, 16)).astype(np.uint8)
    y = np.arange(40) % 3
    base = CNNClassifier(filters=(4,), epochs=1, random_state=0).fit(canvases, y)
    Y = np.eye(3, dtype=int)[y] | np.eye(3, dtype=int)[(y + 1) % 3]
    transfer = MultiLabelTransfer(
        base, head="dense", threshold=0.5, epochs=1, random_state=0
    ).fit(canvases, Y)
    if keras.backend.backend() != "tensorflow":  # said, not half done
        with pytest.raises(ValueError, match="export runs under the TensorFlow"):
            export(transfer, tmp_path / "transfer.onnx")
        return
    for model in (base, transfer):
        exported = load_exported(export(model, tmp_path / "model.onnx"))
        expected = model.predict_proba(canvases)
        assert_allclose(exported.predict_proba(canvases), expected, atol=1e-4)
        assert_array_equal(exported.predict(canvases), model.predict(canvases))
    assert not hasattr(exported, "predict_boxes")
    with pytest.raises(ValueError, match="takes canvases of shape"):
        exported.predict(canvases[:, :8, :8])


def test_example_pictures_are_read_right_without_keras_or_scikit_learn():
    # one fresh process: the command line and read_picture with the shipped
    # models run on onnxruntime, and import neither Keras, TensorFlow nor
    # scikit-learn
    code = (
        "import sys\nfrom skfashion.cli import main\n"
        "main(['predict', '--json', '--example', 'product', '--example', 'outfit',"
        " '--example', 'grid'])\n"
        "import skfashion\n"
        "reading = skfashion.read_picture(sys.argv[1], 'fast')\n"
        "print(reading.items[0].name)\n"
        "heavy = ('keras', 'tensorflow', 'scikeras', 'sklearn', 'jax')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(example_picture("product"))],
        capture_output=True,
        text=True,
        check=True,
    )
    *readings, named, imported = result.stdout.splitlines()
    assert imported == "[]", result.stdout
    assert named == "Trouser"
    truth = json.loads((PICTURES / "TRUTH.json").read_text())
    found = {
        next(n for n, (f, _) in EXAMPLE_PICTURES.items() if r["path"].endswith(f)): r
        for r in map(json.loads, readings)
    }
    assert found["product"]["read_as"] == "item"
    assert found["grid"]["read_as"] == "canvas"
    assert found["outfit"]["read_as"] == "items anywhere"
    for name, reading in found.items():
        named = sorted(i["class"] for i in reading["items"])
        assert named == sorted(class_name(row[0]) for row in truth[name]), name


def test_read_picture_takes_a_shipped_model_by_name():
    picture = example_picture("grid")
    by_name = skfashion.read_picture(picture, "strong-cells")
    by_model = skfashion.read_picture(picture, skfashion.pretrained("strong-cells"))
    assert [i.label for i in by_name.items] == [i.label for i in by_model.items]
    assert_allclose(
        [i.score for i in by_name.items], [i.score for i in by_model.items], atol=1e-4
    )


def test_export_and_predict_on_the_command_line(tmp_path, capsys):
    out = tmp_path / "fast.onnx"
    assert main(["export", "fast", str(out), "--quiet"]) == 0
    assert main(["predict", "--model", str(out), "--example", "product"]) == 0
    assert "Trouser" in capsys.readouterr().out


def test_files_that_are_not_skfashion_exports_are_one_line_errors(tmp_path, capsys):
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])],
        "identity",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
    )
    foreign = tmp_path / "foreign.onnx"
    onnx.save(helper.make_model(graph), foreign)
    with pytest.raises(ValueError, match=r"not a model skfashion\.export wrote"):
        load_exported(foreign)
    damaged = tmp_path / "damaged.onnx"
    damaged.write_bytes(b"\x08\x07garbage" * 10)
    with pytest.raises(ValueError, match="not a model onnxruntime can read"):
        load_exported(damaged)
    picture = str(example_picture("product"))
    assert main(["predict", "--model", str(damaged), picture]) == 1
    err = capsys.readouterr().err
    assert err.startswith("skfashion: error: ") and len(err.splitlines()) == 1
    with pytest.raises(ValueError, match="not a Pipeline"):
        from sklearn.pipeline import Pipeline

        from skfashion import QuadrantExpander

        export(Pipeline([("x", QuadrantExpander())]), tmp_path / "p.onnx")


def test_a_wheel_without_extras_predicts(tmp_path):
    """A plain install (built wheel, fresh virtualenv, no extras) reads a
    picture with the shipped models inside."""
    uv = os.path.join(os.path.dirname(sys.executable), "uv")
    if not os.path.exists(uv):
        pytest.skip("uv is not installed beside this Python")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    wheels, venv = tmp_path / "wheels", tmp_path / "venv"
    run = dict(check=True, capture_output=True, text=True)
    subprocess.run([uv, "build", "-q", "--wheel", "-o", str(wheels), root], **run)
    (wheel,) = wheels.glob("skfashion-*.whl")
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], **run)
    python = str(venv / "bin" / "python")
    subprocess.run([uv, "pip", "install", "-q", "--python", python, str(wheel)], **run)
    code = (
        "import importlib.util, sys\n"
        "print(importlib.util.find_spec('matplotlib') is None)\n"
        "from skfashion.cli import main\n"
        "sys.exit(main(['predict', '--example', 'product']))"
    )
    result = subprocess.run([python, "-c", code], cwd=tmp_path, **run)
    no_extras, reading = result.stdout.splitlines()
    assert no_extras == "True"
    assert "Trouser" in reading and "site-packages" in reading
