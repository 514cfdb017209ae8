"""checkpoint_dir: training that resumes where it was interrupted."""

import keras
import numpy as np
import pytest
from asserts import assert_allclose
from toys import lit_bands

from skfashion.augment import MultiObjectComposer, QuadrantExpander
from skfashion.batches import ShuffledBatches
from skfashion.checkpoint import epochs_done
from skfashion.models import CNNClassifier, MultiLabelTransfer

FIT = dict(batch_size=16, learning_rate=0.01, random_state=0)


class _Interrupt(keras.callbacks.Callback):
    """Stops training as a kill would, once ``after`` epochs are saved."""

    def __init__(self, after):
        super().__init__()
        self.after = after

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.after:
            raise KeyboardInterrupt


def _weights(model):
    return [keras.ops.convert_to_numpy(w) for w in model.model_.weights]


def _interrupted_then_resumed(make, X, y, after, folder):
    with pytest.raises(KeyboardInterrupt):
        make(folder, callbacks=[_Interrupt(after)]).fit(X, y)
    assert epochs_done(folder) == after
    return make(folder).fit(X, y)


def _assert_same_run(resumed, whole):
    assert resumed.history_.keys() == whole.history_.keys()
    for key in whole.history_:
        assert_allclose(resumed.history_[key], whole.history_[key])
    for mine, theirs in zip(_weights(resumed), _weights(whole), strict=True):
        np.testing.assert_array_equal(mine, theirs)


@pytest.fixture(scope="module")
def items():
    return lit_bands(64)


@pytest.mark.backends
def test_a_resumed_fit_ends_as_an_uninterrupted_one(items, tmp_path):
    X, y = items

    def make(folder, **params):
        return CNNClassifier.from_preset(
            "quick",
            epochs=4,
            augment=QuadrantExpander(),
            validation_split=0.25,
            checkpoint_dir=folder,
            **FIT,
            **params,
        )

    whole = make(tmp_path / "whole").fit(X, y)
    resumed = _interrupted_then_resumed(make, X, y, 2, tmp_path / "resumed")
    assert len(resumed.history_["val_loss"]) == 4
    _assert_same_run(resumed, whole)
    # A finished checkpoint gives the finished model without training again.
    again = make(tmp_path / "resumed", callbacks=[_Interrupt(0)]).fit(X, y)
    _assert_same_run(again, whole)


@pytest.fixture(scope="module")
def fine_tuned(items, tmp_path_factory):
    """A fine-tuned cells head's maker and its uninterrupted run (both cases')."""
    X, y = items
    base = CNNClassifier.from_preset(
        "quick", epochs=1, augment=QuadrantExpander(), **FIT
    ).fit(X, y)

    def make(folder, **params):
        return MultiLabelTransfer(
            base,
            head="cells",
            fine_tune=True,
            warmup_epochs=1,
            epochs=3,
            augment=MultiObjectComposer(n_classes=3),
            checkpoint_dir=folder,
            **FIT,
            **params,
        )

    return make, make(tmp_path_factory.mktemp("whole")).fit(X, y)


@pytest.mark.parametrize(
    "after",
    [pytest.param(1, id="at-the-unfreezing", marks=pytest.mark.backends), 2],
    ids=["at-the-unfreezing", "fine-tuning"],
)
def test_a_fine_tuned_transfer_resumes_in_either_phase(
    items, fine_tuned, tmp_path, after
):
    X, y = items
    make, whole = fine_tuned
    resumed = _interrupted_then_resumed(make, X, y, after, tmp_path / "resumed")
    _assert_same_run(resumed, whole)
    assert all(layer.trainable for layer in resumed.model_.layers)


def test_arrays_without_augment_resume_too(items, tmp_path):
    X, y = items
    canvases = QuadrantExpander(random_state=0).fit_transform(X)

    def make(folder, **params):
        return CNNClassifier(
            filters=(4,), epochs=3, checkpoint_dir=folder, **FIT, **params
        )

    whole = make(tmp_path / "whole").fit(canvases, y)
    resumed = _interrupted_then_resumed(make, canvases, y, 1, tmp_path / "resumed")
    _assert_same_run(resumed, whole)


def test_a_folder_of_another_run_is_refused(items, tmp_path):
    X, y = items
    canvases = QuadrantExpander(random_state=0).fit_transform(X)
    CNNClassifier(filters=(4,), epochs=1, checkpoint_dir=tmp_path, **FIT).fit(
        canvases, y
    )
    other = CNNClassifier(filters=(8,), epochs=1, checkpoint_dir=tmp_path, **FIT)
    with pytest.raises(ValueError, match="another model or other data"):
        other.fit(canvases, y)
    with pytest.raises(ValueError, match="another model or other data"):
        CNNClassifier(filters=(4,), epochs=1, checkpoint_dir=tmp_path, **FIT).fit(
            canvases[::-1], y[::-1]
        )
    (tmp_path / "checkpoint.npz").write_bytes(b"half a file")
    with pytest.raises(ValueError, match="not a readable training checkpoint"):
        epochs_done(tmp_path)


def test_every_batch_is_a_function_of_seed_epoch_and_index():
    items = np.arange(10)[:, None, None].astype(np.uint8)
    stream = ShuffledBatches(items, np.arange(10), batch_size=4, seed=7, n_epochs=2)
    assert stream.steps_per_epoch == 3 and len(stream) == 6
    assert stream[0][0].shape == (4, 1, 1)  # slices of the items, as given

    def epoch(stream, k):
        steps = stream.steps_per_epoch
        return np.concatenate([stream[i][1] for i in range(k * steps, (k + 1) * steps)])

    stream[5], stream[0]  # asked out of order, as Keras may peek: no state
    first, second = epoch(stream, 0), epoch(stream, 1)
    assert sorted(first) == sorted(second) == list(range(10))
    assert not np.array_equal(first, second)
    # a run resumed at epoch 1 builds its stream from there: the same batches
    resumed = ShuffledBatches(items, np.arange(10), 4, seed=7, first_epoch=1)
    np.testing.assert_array_equal(epoch(resumed, 0), second)


def test_a_checkpoint_with_bad_metadata_is_refused(items, tmp_path):
    import json

    X, y = items
    canvases = QuadrantExpander(random_state=0).fit_transform(X)
    cnn = CNNClassifier(filters=(4,), epochs=1, checkpoint_dir=tmp_path, **FIT)
    cnn.fit(canvases, y)
    path = tmp_path / "checkpoint.npz"
    with np.load(path) as content:
        arrays = {name: content[name] for name in content.files}
    meta = json.loads(str(arrays["meta"]))

    def rewritten(**changes):
        changed = {k: v for k, v in {**meta, **changes}.items() if v is not None}
        np.savez(path, **{**arrays, "meta": np.array(json.dumps(changed))})

    for changes, message in [
        ({"key": None}, "lacks"),
        ({"epochs": "two"}, "not a count"),
        ({"epochs": -1}, "not a count"),
    ]:
        rewritten(**changes)
        with pytest.raises(ValueError, match=message):
            epochs_done(tmp_path)
    rewritten(epochs=99)  # more than this run trains: nothing would be done
    with pytest.raises(ValueError, match="holds 99 epochs, more than this run's 1"):
        CNNClassifier(filters=(4,), epochs=1, checkpoint_dir=tmp_path, **FIT).fit(
            canvases, y
        )
