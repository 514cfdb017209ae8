"""The estimator core: bugs a careful read found, each pinned by a test.

Every test here failed on main 5dd78ee (skfashion 0.1.0) and passes now.
"""

import sys
from pathlib import Path

import joblib
import numpy as np
import pytest
from asserts import assert_allclose
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from toys import lit_bands

import skfashion
from skfashion import recipes
from skfashion.augment import MultiObjectComposer, QuadrantExpander
from skfashion.models import CNNClassifier, MultiLabelTransfer

FIT = dict(epochs=1, batch_size=16, learning_rate=0.01, random_state=0)
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def items():
    return lit_bands(60)


@pytest.fixture(scope="module")
def expanded(items):
    return QuadrantExpander(random_state=0).fit_transform(items[0]), items[1]


def _arrays(value, seen=None):
    """Every ndarray reachable through an object's attributes, lists and dicts."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _arrays(item, seen)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _arrays(item, seen)
    elif hasattr(value, "get_params"):
        yield from _arrays(vars(value), seen)


def _holds_images(model, shape):
    return [a.shape for a in _arrays(model) if a.ndim >= 3 and a.shape[1:3] == shape]


def test_fitted_models_keep_no_training_data(items, expanded, tmp_path):
    canvases, y = expanded
    cnn = CNNClassifier(filters=(4,), validation_split=0.25, **FIT).fit(canvases, y)
    assert _holds_images(cnn, (16, 16)) == []
    multi = MultiLabelTransfer(
        cnn, validation_split=0.25, threshold="tuned", **FIT
    ).fit(*MultiObjectComposer(n_classes=3, random_state=0).fit_resample(*items))
    assert _holds_images(multi, (16, 16)) == []
    # nor do the files: a model trained on 600 items is as big as on 60
    big = np.concatenate([canvases] * 10), np.concatenate([y] * 10)
    large = CNNClassifier(filters=(4,), validation_split=0.25, **FIT).fit(*big)
    for name, model in (("small", cnn), ("large", large)):
        skfashion.save(model, tmp_path / f"{name}.skf")
        joblib.dump(model, tmp_path / f"{name}.joblib")
    for suffix in ("skf", "joblib"):
        small = (tmp_path / f"small.{suffix}").stat().st_size
        assert (tmp_path / f"large.{suffix}").stat().st_size < 1.2 * small


@pytest.mark.parametrize(
    "preset", ["tutorial", "quick", pytest.param("fast", marks=pytest.mark.backends)]
)
def test_partial_fit_is_one_more_epoch_for_every_preset(preset, expanded):
    canvases, y = expanded
    params = dict(epochs=1, batch_size=16, random_state=0)
    if preset != "tutorial":
        params["filters"] = (4, 4, 4)
    cnn = CNNClassifier.from_preset(preset, **params)
    cnn.partial_fit(canvases, y)  # the first call fits afresh, one epoch
    before = [w.copy() for w in cnn.model_.get_weights()]
    cnn.partial_fit(canvases, y)  # canvases of the grid-aware network too
    assert len(cnn.history_["loss"]) == 2
    after = cnn.model_.get_weights()
    assert any(not np.array_equal(a, b) for a, b in zip(before, after, strict=True))
    assert cnn.predict(canvases).shape == y.shape


@pytest.mark.parametrize(
    "head", ["dense", pytest.param("cells", marks=pytest.mark.backends)]
)
def test_multi_label_partial_fit(head, items, expanded):
    base = CNNClassifier(filters=(4,), **FIT).fit(*expanded)
    transfer = MultiLabelTransfer(
        base, head=head, augment=MultiObjectComposer(n_classes=3), **FIT
    )
    transfer.partial_fit(*items).partial_fit(*items)
    assert len(transfer.history_["loss"]) == 2
    canvases, Y = MultiObjectComposer(n_classes=3, random_state=1).fit_resample(*items)
    assert transfer.predict(canvases).shape == Y.shape


def test_partial_fit_unfreezes_after_the_warm_up(items, expanded):
    base = CNNClassifier(filters=(4,), **FIT).fit(*expanded)
    transfer = MultiLabelTransfer(
        base,
        augment=MultiObjectComposer(n_classes=3),
        fine_tune=True,
        warmup_epochs=2,
        **FIT,
    )
    transfer.partial_fit(*items).partial_fit(*items)
    assert not all(layer.trainable for layer in transfer.model_.layers)
    transfer.partial_fit(*items)  # epoch 3: every layer trains
    assert all(layer.trainable for layer in transfer.model_.layers)


def test_a_random_state_instance_resumes_its_own_checkpoint(expanded, tmp_path):
    canvases, y = expanded

    def cnn():  # a new process would make the same state anew
        return CNNClassifier(
            filters=(4,),
            epochs=1,
            batch_size=16,
            random_state=np.random.RandomState(3),
            checkpoint_dir=tmp_path,
        )

    first = cnn().fit(canvases, y)
    again = cnn().fit(canvases, y)  # resumes: all done, weights restored
    for a, b in zip(
        first.model_.get_weights(), again.model_.get_weights(), strict=True
    ):
        np.testing.assert_array_equal(a, b)


def test_a_retrained_pipeline_base_is_another_run(items, tmp_path):
    def pipeline():
        cnn = CNNClassifier(filters=(4,), **FIT)
        return Pipeline([("expand", QuadrantExpander(random_state=0)), ("cnn", cnn)])

    X, y = items
    canvases, Y = MultiObjectComposer(n_classes=3, random_state=0).fit_resample(X, y)
    MultiLabelTransfer(pipeline().fit(X, y), checkpoint_dir=tmp_path, **FIT).fit(
        canvases, Y
    )
    # the same parameters (the same repr), other weights: another run
    retrained = pipeline().fit(X[::-1], y[::-1])
    with pytest.raises(ValueError, match="another model or other data"):
        MultiLabelTransfer(retrained, checkpoint_dir=tmp_path, **FIT).fit(canvases, Y)


def test_saved_models_keep_no_training_settings(items, expanded, tmp_path):
    base = CNNClassifier(filters=(4,), verbose=2, checkpoint_dir=tmp_path / "b", **FIT)
    base.fit(*expanded)
    multi = MultiLabelTransfer(
        base, head="cells", augment=MultiObjectComposer(n_classes=3), verbose=2, **FIT
    ).fit(*items)
    skfashion.save(recipes.for_saving(multi), tmp_path / "multi.skf")
    loaded = skfashion.load(tmp_path / "multi.skf")
    for model in (loaded, loaded.base, loaded.base_estimator_):
        assert model.verbose == 0 and model.checkpoint_dir is None


def test_scoring_canvases_against_item_labels_is_refused(items, expanded):
    base = CNNClassifier(filters=(4,), **FIT).fit(*expanded)
    transfer = MultiLabelTransfer(
        base, augment=MultiObjectComposer(n_classes=3), **FIT
    ).fit(*items)
    canvases, Y = MultiObjectComposer(n_classes=3, random_state=1).fit_resample(*items)
    with pytest.raises(ValueError, match="must be raw items of shape"):
        transfer.score(canvases, Y.argmax(axis=1))
    assert 0 <= transfer.score(*items) <= 1  # raw items: composed to score


def test_a_file_written_by_skfashion_0_1_loads_and_predicts_the_same(items):
    # computed in float32 by TensorFlow; compared as float32 (other backends)
    saved = np.load(DATA / "predictions-0.1.0.npz")
    pipeline = skfashion.load(DATA / "pipeline-0.1.0.skf")
    proba = pipeline.predict_proba(items[0]).astype(np.float32)
    assert_allclose(proba, saved["pipe_proba"].astype(np.float32))
    cells = skfashion.load(DATA / "cells-0.1.0.skf")
    canvases = QuadrantExpander(random_state=1).fit_transform(items[0])
    proba = cells.predict_cell_proba(canvases).astype(np.float32)
    assert_allclose(proba, saved["cells_proba"].astype(np.float32))
    cells.partial_fit(*items)  # and trains on
    assert len(cells.history_["loss"]) == 2


@pytest.mark.backends
def test_a_file_of_format_2_loads_and_predicts_the_same():
    # a cells head on a grid-aware base, its tower stored twice (0.2.0.dev0)
    saved = np.load(DATA / "predictions-format2.npz")
    cells = skfashion.load(DATA / "cells-format2.skf")
    proba = cells.predict_cell_proba(saved["canvases"]).astype(np.float32)
    assert_allclose(proba, saved["cells_proba"].astype(np.float32))


@pytest.mark.backends
def test_a_head_on_a_base_stores_the_base_once(tmp_path):
    import json
    import zipfile

    cells = skfashion.load(DATA / "cells-format2.skf")
    skfashion.save(cells, tmp_path / "cells.skf")
    with zipfile.ZipFile(tmp_path / "cells.skf") as archive:
        tree = json.dumps(json.loads(archive.read("manifest.json"))["estimator"])
    networks = [json.loads(m.group(0)) for m in _entries(tree)]
    base, head = (set(n["weights"]) for n in networks)
    tower = cells.model_.get_layer("tower")  # the frozen copy of the base's tower
    assert len(base & head) == len(tower.weights) > 0


def _entries(tree: str):
    """The networks' entries of a manifest's estimator tree, as JSON text."""
    import re

    return re.finditer(r'\{"__keras__": [^{}]*\}', tree)


def test_files_name_no_module_paths_and_survive_a_class_moving(
    expanded, tmp_path, monkeypatch
):
    from skfashion import persistence

    cnn = CNNClassifier(filters=(4,), **FIT).fit(*expanded)
    skfashion.save(cnn, tmp_path / "cnn.skf")
    import zipfile

    manifest = zipfile.ZipFile(tmp_path / "cnn.skf").read("manifest.json").decode()
    assert "skfashion.CNNClassifier" in manifest
    assert "skfashion.classifier" not in manifest and "_encoders" not in manifest

    class Moved(CNNClassifier):
        """CNNClassifier, as if it had moved to another module."""

    monkeypatch.setitem(persistence._CLASSES, "skfashion.CNNClassifier", "moved:Moved")
    monkeypatch.setitem(sys.modules, "moved", type(sys)("moved"))
    sys.modules["moved"].Moved = Moved
    loaded = skfashion.load(tmp_path / "cnn.skf")
    assert type(loaded) is Moved
    np.testing.assert_array_equal(loaded.predict(expanded[0]), cnn.predict(expanded[0]))


def test_errors_keep_their_cause(expanded, tmp_path):
    from skfashion.checkpoint import epochs_done

    cnn = CNNClassifier(filters=(4,), **FIT).fit(*expanded)
    path = tmp_path / "cnn.skf"
    skfashion.save(cnn, path)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match="truncated or corrupted") as error:
        skfashion.load(path)
    assert error.value.__cause__ is not None  # for --debug and Python callers
    (tmp_path / "checkpoint.npz").write_bytes(b"half a file")
    with pytest.raises(ValueError, match="not a readable") as error:
        epochs_done(tmp_path)
    assert error.value.__cause__ is not None


def test_clone_of_a_fitted_transfer_keeps_the_base(items, expanded):
    base = CNNClassifier(filters=(4,), **FIT).fit(*expanded)
    transfer = MultiLabelTransfer(base, **FIT)
    assert clone(transfer).base is base
