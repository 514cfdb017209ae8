"""Training that survives being killed: a folder holding the last finished epoch.

A network given ``checkpoint_dir`` writes, after every epoch, its weights,
its optimizer's state (Adam's moments and step count), the state of its
random generators (dropout), the epochs done, ``history_`` so far and the
seed of its stream of training batches, into ``checkpoint.npz`` in that
folder. Each write is atomic, so a kill at any moment leaves the previous
epoch's checkpoint whole. A later ``fit`` with the same folder, the same
parameters and the same data resumes after the last finished epoch.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import zipfile
from pathlib import Path

import numpy as np

__all__ = ["TrainingCheckpoint", "epochs_done", "fingerprint", "run_key"]

_FILE = "checkpoint.npz"


def epochs_done(folder: str | os.PathLike) -> int:
    """How many epochs the checkpoint in ``folder`` holds (0 when none).

    Examples
    --------
    >>> import tempfile
    >>> from skfashion.checkpoint import epochs_done
    >>> epochs_done(tempfile.mkdtemp())
    0
    """
    path = Path(folder) / _FILE
    if not path.is_file():
        return 0
    return _read(path, with_arrays=False)["meta"]["epochs"]


def _read(path: Path, *, with_arrays: bool = True) -> dict:
    """The checkpoint's metadata, and its arrays unless ``with_arrays`` is False."""
    try:
        with np.load(path, allow_pickle=False) as content:
            meta = json.loads(str(content["meta"]))
            names = [n for n in content.files if n != "meta"] if with_arrays else []
            arrays = {name: content[name] for name in names}
        _check_meta(meta)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise ValueError(
            f"{path} is not a readable training checkpoint ({exc}); remove it to "
            "train afresh"
        ) from exc
    return {"meta": meta, "arrays": arrays}


def _check_meta(meta) -> None:
    """What :meth:`TrainingCheckpoint.write` writes, or ValueError."""
    if not isinstance(meta, dict):
        raise ValueError("its metadata is not a table")
    missing = {"key", "epochs", "history", "seed"} - set(meta)
    if missing:
        raise ValueError(f"its metadata lacks {sorted(missing)}")
    epochs = meta["epochs"]
    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 0:
        raise ValueError(f"its epochs are {epochs!r}, not a count")
    if not isinstance(meta["key"], str) or not isinstance(meta["history"], dict):
        raise ValueError("its key or history is malformed")
    if meta["seed"] is not None and not isinstance(meta["seed"], int):
        raise ValueError(f"its seed is {meta['seed']!r}")


def fingerprint(*parts) -> str:
    """A hash of the parameters and data a checkpoint belongs to.

    Arrays are hashed by their bytes; a ``RandomState`` by its state;
    estimators by their class, parameters and, once fitted, their network's
    weights (so a retrained base is another run); lists, tuples and dicts
    by their items; anything else by its ``repr`` without memory addresses.
    The same parts give the same key in every process.

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.checkpoint import fingerprint
    >>> fingerprint(np.random.RandomState(0)) == fingerprint(np.random.RandomState(0))
    True
    """
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        for piece in _pieces(part):
            if isinstance(piece, np.ndarray):
                digest.update(repr((piece.shape, piece.dtype.str)).encode())
                digest.update(np.ascontiguousarray(piece).data)
            else:
                digest.update(piece.encode())
    return digest.hexdigest()


# Settings that do not change what a run computes.
_NOT_IN_KEY = frozenset({"verbose", "checkpoint_dir", "callbacks", "warm_start"})


def _pieces(value):
    """Strings and arrays that together say what ``value`` is."""
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, np.random.RandomState):
        name, keys, position, has_gauss, gauss = value.get_state()
        yield f"RandomState({name}, {position}, {has_gauss}, {gauss!r})"
        yield keys
    elif hasattr(value, "get_params") and not isinstance(value, type):
        yield f"<{type(value).__qualname__}>"
        params = value.get_params(deep=False)
        for name in sorted(params):
            if name not in _NOT_IN_KEY:
                yield name
                yield from _pieces(params[name])
        model = getattr(value, "model_", None)
        if model is not None:  # fitted: its weights are part of it
            yield from (np.asarray(w) for w in model.get_weights())
    elif isinstance(value, list | tuple):
        yield f"{type(value).__name__}[{len(value)}]"
        for item in value:
            yield from _pieces(item)
    elif isinstance(value, dict):
        yield f"dict[{len(value)}]"
        for key in sorted(value, key=repr):
            yield repr(key)
            yield from _pieces(value[key])
    else:
        yield re.sub(r" at 0x[0-9a-fA-F]+", "", repr(value))


def run_key(estimator, X, y, sample_weight=None) -> str:
    """The :func:`fingerprint` of one training run: estimator, data, weights."""
    return fingerprint(
        estimator, X, y, sample_weight if sample_weight is not None else "no weights"
    )


class TrainingCheckpoint:
    """The checkpoint of one training run in ``folder``.

    Parameters
    ----------
    folder : str or path-like
        Created if missing.
    key : str
        The :func:`fingerprint` of the run's parameters and data. A folder
        holding another run's checkpoint is refused.
    """

    def __init__(self, folder, key: str):
        self.folder = Path(folder)
        self.key = key
        path = self.folder / _FILE
        self.folder.mkdir(parents=True, exist_ok=True)
        self.saved = _read(path) if path.is_file() else None
        if self.saved is not None and self.saved["meta"]["key"] != key:
            raise ValueError(
                f"{self.folder} holds the checkpoint of another model or other "
                "data; give another checkpoint_dir, or remove it to train afresh"
            )

    @property
    def epochs(self) -> int:
        """Epochs finished in the saved run (0 when nothing is saved)."""
        return self.saved["meta"]["epochs"] if self.saved else 0

    @property
    def seed(self) -> int | None:
        """Seed of the saved run's stream of training batches."""
        return self.saved["meta"]["seed"] if self.saved else None

    @property
    def history(self) -> dict[str, list]:
        """``history_`` of the saved run, every finished epoch."""
        return dict(self.saved["meta"]["history"]) if self.saved else {}

    def restore(self, model, *, optimizer: bool) -> None:
        """Set ``model``'s variables (and its optimizer's) to the saved ones."""
        arrays = self.saved["arrays"]
        targets = list(model.variables)
        if optimizer:
            model.optimizer.build(model.trainable_variables)
            targets += list(model.optimizer.variables)
        names = [f"v{i}" for i in range(len(targets))]
        if len(arrays) < len(targets) or any(
            arrays[n].shape != tuple(v.shape)
            for n, v in zip(names, targets, strict=True)
        ):
            raise ValueError(
                f"the checkpoint in {self.folder} does not fit this network; "
                "remove it to train afresh"
            )
        for name, variable in zip(names, targets, strict=True):
            variable.assign(arrays[name])

    def write(self, model, *, epochs: int, history: dict, seed: int) -> None:
        """Save the state after ``epochs`` finished epochs, atomically."""
        import keras

        variables = [*model.variables, *model.optimizer.variables]
        arrays = {
            f"v{i}": keras.ops.convert_to_numpy(v) for i, v in enumerate(variables)
        }
        meta = {"key": self.key, "epochs": epochs, "history": history, "seed": seed}
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                np.savez(file, meta=np.array(json.dumps(meta)), **arrays)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.folder / _FILE)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.saved = {"meta": meta, "arrays": arrays}
