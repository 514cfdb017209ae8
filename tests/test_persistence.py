"""skfashion.save and skfashion.load: safe, atomic, clear about bad files."""

import json
import pickle
import shutil
import zipfile

import joblib
import keras
import numpy as np
import pytest
from asserts import assert_allclose
from sklearn.pipeline import Pipeline
from toys import lit_bands

import skfashion
from skfashion.augment import MultiObjectComposer, QuadrantExpander
from skfashion.models import CNNClassifier, MultiLabelTransfer
from skfashion.persistence import FORMAT_VERSION

FIT = dict(epochs=1, batch_size=16, learning_rate=0.01, random_state=0)


@pytest.fixture(scope="module")
def fitted():
    """Every kind of model we save, fitted on 8x8 toy items, with its input."""
    items, labels = lit_bands(60)
    expanded = QuadrantExpander(random_state=0).fit_transform(items)
    canvas_cnn = CNNClassifier(filters=(4,), **FIT).fit(expanded, labels)
    cells_cnn = CNNClassifier.from_preset(
        "quick", augment=QuadrantExpander(), **FIT
    ).fit(items, labels)
    canvases, Y = MultiObjectComposer(n_classes=3, random_state=0).fit_resample(
        items, labels
    )
    return {
        "canvas CNN": (canvas_cnn, expanded),
        "cells CNN": (cells_cnn, canvases),
        "pipeline": (
            Pipeline(
                [
                    ("expand", QuadrantExpander(random_state=0)),
                    ("cnn", CNNClassifier(filters=(4,), **FIT)),
                ]
            ).fit(items, labels.astype(str)),
            items,
        ),
        "dense head": (
            MultiLabelTransfer(canvas_cnn, threshold=[0.3, 0.5, 0.7], **FIT).fit(
                canvases, Y
            ),
            canvases,
        ),
        "cells head": (
            MultiLabelTransfer(
                cells_cnn, head="cells", augment=MultiObjectComposer(n_classes=3), **FIT
            ).fit(items, labels),
            canvases,
        ),
    }


@pytest.fixture
def saved(fitted, tmp_path):
    """A canvas CNN saved to a file."""
    path = tmp_path / "cnn.skf"
    skfashion.save(fitted["canvas CNN"][0], path)
    return path


@pytest.mark.backends
@pytest.mark.parametrize(
    "name", ["canvas CNN", "cells CNN", "pipeline", "dense head", "cells head"]
)
def test_round_trip_predicts_the_same(fitted, tmp_path, name):
    model, X = fitted[name]
    path = tmp_path / "model.skf"
    skfashion.save(model, path)
    loaded = skfashion.load(path)
    assert type(loaded) is type(model)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert_allclose(loaded.predict_proba(X), model.predict_proba(X))
    assert loaded.get_params(deep=False).keys() == model.get_params(deep=False).keys()
    if isinstance(model, MultiLabelTransfer):
        np.testing.assert_array_equal(loaded.threshold_, model.threshold_)
        assert loaded.base_estimator_.model_ is not None


@pytest.mark.backends
def test_a_file_without_optimizer_state_is_smaller_and_predicts_the_same(
    fitted, tmp_path
):
    import warnings

    model, X = fitted["cells head"]
    full, lean = tmp_path / "full.skf", tmp_path / "lean.skf"
    skfashion.save(model, full)
    skfashion.save(model, lean, optimizer=False)
    assert lean.stat().st_size < 0.8 * full.stat().st_size
    assert model.model_.optimizer.built  # the estimator saved keeps its state
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Keras' "Skipping variable loading" too
        loaded = skfashion.load(lean)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    items, labels = lit_bands(60)
    loaded.set_params(warm_start=True, epochs=1).fit(items, labels)  # starts afresh
    assert int(loaded.model_.optimizer.iterations) > 0


def test_shared_objects_stay_shared(fitted, tmp_path):
    transfer = fitted["cells head"][0]
    assert transfer.base is transfer.base_estimator_
    skfashion.save(transfer, tmp_path / "m.skf")
    loaded = skfashion.load(tmp_path / "m.skf")
    assert loaded.base is loaded.base_estimator_


def test_unfitted_estimators_and_augmenters_round_trip(tmp_path):
    for estimator in [
        CNNClassifier(filters=(8, 16), dropout=0.1, random_state=3),
        MultiObjectComposer(max_objects=2).fit(np.zeros((4, 8, 8), np.uint8), [0] * 4),
    ]:
        skfashion.save(estimator, tmp_path / "e.skf")
        loaded = skfashion.load(tmp_path / "e.skf")
        assert repr(loaded) == repr(estimator)
    assert loaded.grid_ == (2, 2)


def test_loading_never_unpickles(saved, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("unpickling while loading a model file")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(joblib, "load", refuse)
    assert isinstance(skfashion.load(saved).model_, keras.Model)
    with zipfile.ZipFile(saved) as archive:
        names = archive.namelist()
    assert names[-1] == "manifest.json"
    assert all(n.endswith((".npy", ".keras", ".json")) for n in names)


def test_a_model_with_routed_parameters_saves_and_keeps_them(fitted, tmp_path):
    # scikeras keeps the names of routed parameters in a set, which a model
    # file could not hold: saving a model of optimizer__weight_decay failed
    _, labels = lit_bands(60)
    expanded = fitted["canvas CNN"][1]
    params = dict(optimizer="adamw", optimizer__weight_decay=0.05)
    model = CNNClassifier(filters=(4,), **FIT, **params).fit(expanded, labels)
    skfashion.save(model, tmp_path / "adamw.skf")
    with zipfile.ZipFile(tmp_path / "adamw.skf") as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format_version"] == FORMAT_VERSION == 4
    loaded = skfashion.load(tmp_path / "adamw.skf")
    assert loaded.get_params()["optimizer__weight_decay"] == 0.05
    assert loaded.model_.optimizer.weight_decay == pytest.approx(0.05)
    np.testing.assert_array_equal(loaded.predict(expanded), model.predict(expanded))
    refit = loaded.set_params(epochs=1).fit(expanded, labels)  # and trains again
    assert refit.model_.optimizer.weight_decay == pytest.approx(0.05)


def test_files_carry_versions(saved):
    with zipfile.ZipFile(saved) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format_version"] == 3  # the lowest that reads it
    assert manifest["versions"]["skfashion"] == skfashion.__version__
    assert manifest["versions"]["keras"] == keras.__version__
    assert manifest["versions"]["backend"] == keras.backend.backend()


def test_a_failed_save_leaves_the_old_file_intact(fitted, saved, monkeypatch):
    before = saved.read_bytes()
    model = fitted["canvas CNN"][0]

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", crash)
    with pytest.raises(OSError, match="disk full"):
        skfashion.save(model, saved)
    monkeypatch.undo()
    assert saved.read_bytes() == before
    assert [p.name for p in saved.parent.iterdir()] == [saved.name]  # no leftovers
    skfashion.load(saved)


def test_what_a_safe_file_cannot_hold_is_refused_before_writing(fitted, saved):
    before = saved.read_bytes()
    model = fitted["canvas CNN"][0]
    with pytest.raises(TypeError, match=r"callbacks\[0\].*joblib"):
        skfashion.save(model.set_params(callbacks=[lambda: None]), saved)
    model.set_params(callbacks=None)
    assert saved.read_bytes() == before


def _rewrite(path, change):
    """Rewrite each member of the model file at ``path`` as ``change(name, data)``."""
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, change(name, data))


def _rewrite_manifest(path, edit):
    """Rewrite the model file at ``path`` with its manifest changed by ``edit``."""

    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest)

    _rewrite(path, change)


def test_bad_files_get_a_clear_error(saved, tmp_path):
    data = saved.read_bytes()
    cases = {
        "truncated.skf": (data[: len(data) // 2], "truncated or corrupted"),
        "empty.skf": (b"", "empty file"),
        "notes.skf": (b"just some text\n", "not a skfashion model file"),
        "picture.skf": (b"\x89PNG\r\n\x1a\n" + bytes(40), "not a skfashion model"),
    }
    middle = len(data) // 3
    flipped = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
    cases["flipped.skf"] = (flipped, "truncated or corrupted")
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(ValueError, match=message) as error:
            skfashion.load(path)
        assert str(path) in str(error.value)
    other_zip = tmp_path / "other.zip"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ValueError, match="zip archive but not a skfashion model"):
        skfashion.load(other_zip)
    with pytest.raises(ValueError, match="is a folder"):
        skfashion.load(tmp_path)
    with pytest.raises(FileNotFoundError):
        skfashion.load(tmp_path / "missing.skf")


def test_a_newer_file_says_to_upgrade(saved):
    def newer(manifest):
        manifest["format_version"] = FORMAT_VERSION + 1
        manifest["versions"]["skfashion"] = "9.0.0"

    _rewrite_manifest(saved, newer)
    with pytest.raises(ValueError, match=r"written by skfashion 9\.0\.0.*upgrade"):
        skfashion.load(saved)


def test_foreign_classes_are_never_built(saved):
    def foreign(manifest):
        manifest["estimator"]["state"]["augment"] = {
            "__object__": "os._wrap_close",
            "id": 99,
            "state": {},
        }

    _rewrite_manifest(saved, foreign)
    with pytest.raises(ValueError, match=r"os\._wrap_close"):
        skfashion.load(saved)


def test_keras_code_in_a_file_is_refused(saved, tmp_path):
    """A network with a Lambda layer (Python bytecode) is refused by safe_mode."""
    inputs = keras.Input((2,))
    unsafe = keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs))
    unsafe.save(tmp_path / "unsafe.keras")
    with zipfile.ZipFile(saved) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    (network,) = [n for n in members if n.endswith(".keras")]
    members[network] = (tmp_path / "unsafe.keras").read_bytes()
    with zipfile.ZipFile(saved, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(ValueError, match=str(saved)):
        skfashion.load(saved)


def test_joblib_files_only_when_trusted(fitted, tmp_path):
    pipe, items = fitted["pipeline"]
    path = tmp_path / "pipe.joblib"
    joblib.dump(pipe, path)
    with pytest.raises(ValueError, match=r"runs any code.*trust_pickle=True"):
        skfashion.load(path)
    loaded = skfashion.load(path, trust_pickle=True)
    np.testing.assert_array_equal(loaded.predict(items), pipe.predict(items))
    joblib.dump([1, 2], tmp_path / "list.joblib")
    with pytest.raises(ValueError, match="not a scikit-learn estimator"):
        skfashion.load(tmp_path / "list.joblib", trust_pickle=True)


def test_crafted_files_are_refused_in_one_line(saved, tmp_path, monkeypatch):
    def a_huge_array(name, data):
        if name.endswith(".npy"):  # a header that declares 10**12 values
            header = {"descr": "<f4", "fortran_order": False, "shape": (10**12,)}
            text = repr(header).encode().ljust(117) + b"\n"
            return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text
        return data

    def estimator_a_list(manifest):
        manifest["estimator"] = [1, 2]

    def no_id(manifest):
        manifest["estimator"].pop("id")

    def too_deep(name, data):
        return "[" * 100_000 + "]" * 100_000 if name == "manifest.json" else data

    def entry(value):  # the estimator's classes_ replaced by ``value``
        return lambda manifest: manifest["estimator"]["state"].update(classes_=value)

    malformed = {
        "a random state of another generator": {
            "__random_state__": {"__tuple__": ["PCG64", [1, 2], 624, 0, 0.0]}
        },
        "a numpy type that is none": {"__type__": "nosuch"},
        "an array member that is not there": {"__array__": "arrays/99.npy"},
        "objects of another shape": {"__objects__": [1, 2, 3], "shape": [7]},
        "a float that is text": {"__float__": "abc"},
        "a dict of single items": {"__dict__": [[1]]},
        "an unknown entry": {"__nosuch__": 1},
    }
    cases = {
        what: lambda path, value=value: _rewrite_manifest(path, entry(value))
        for what, value in malformed.items()
    }
    cases |= {
        "an array of 10**12 values": lambda path: _rewrite(path, a_huge_array),
        "an estimator that is a list": lambda path: _rewrite_manifest(
            path, estimator_a_list
        ),
        "an object without its id": lambda path: _rewrite_manifest(path, no_id),
        "a manifest nested 100,000 deep": lambda path: _rewrite(path, too_deep),
    }
    for what, craft in cases.items():
        crafted = tmp_path / "crafted.skf"
        shutil.copy(saved, crafted)
        craft(crafted)
        with pytest.raises(ValueError, match="corrupted or not a skfashion") as info:
            skfashion.load(crafted)
        assert "\n" not in str(info.value) and str(crafted) in str(info.value), what
    # a file that would decompress to more than the limit is never decompressed
    monkeypatch.setattr("skfashion.persistence.MAX_CONTENT", 1000)
    with pytest.raises(ValueError, match="MAX_CONTENT"):
        skfashion.load(saved)


def test_a_damaged_zip_header_is_a_clear_error(saved, tmp_path):
    data = bytearray(saved.read_bytes())
    start = data.rfind(b"PK\x01\x02")  # the last central directory entry
    data[start + 6] = 0xFF  # "version needed to extract": 25.5
    damaged = tmp_path / "damaged.skf"
    damaged.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="truncated or corrupted"):
        skfashion.load(damaged)


def test_saving_keeps_a_private_file_private_and_clears_killed_saves(fitted, saved):
    import os
    import subprocess
    import sys

    os.chmod(saved, 0o600)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    orphan = saved.parent / f".{saved.name}.{dead}.x1y2.tmp"  # killed mid-save
    orphan.write_bytes(b"PK partial")
    skfashion.save(fitted["canvas CNN"][0], saved)
    assert saved.stat().st_mode & 0o777 == 0o600
    assert not orphan.exists()
    assert [p.name for p in saved.parent.iterdir()] == [saved.name]


@pytest.mark.parametrize("compress", [3, ("gzip", 3), ("lzma", 3)])
def test_compressed_joblib_files_are_known_as_pickles(fitted, tmp_path, compress):
    path = tmp_path / "model.joblib"
    joblib.dump(fitted["canvas CNN"][0], path, compress=compress)
    with pytest.raises(ValueError, match=r"joblib \(pickle\) file"):
        skfashion.load(path)
    assert skfashion.load(path, trust_pickle=True).n_features_in_ == 256
