"""Model files that are safe to open: one archive per model, no pickle.

A file written by :func:`save` is a zip archive of

- ``manifest.json``: the file format, the versions of skfashion, Keras and
  the Keras backend that wrote it, and the estimator: its class, parameters
  and fitted attributes as JSON;
- ``arrays/*.npy``: the numeric arrays, read back with ``allow_pickle=False``;
- ``keras/*.keras``: each Keras network in Keras' own format, read back with
  ``safe_mode=True``.

:func:`load` rebuilds only the classes listed in ``TRUSTED_CLASSES`` (our
estimators, scikit-learn's ``Pipeline`` and the target encoders scikeras
fits), so opening a file never runs code that came with it. The file names
each by a stable name (``"skfashion.CNNClassifier"``,
``"sklearn.OneHotEncoder"``), never by the module it lives in: a class can
move, here or in scikit-learn, and every file still loads. Files of format 1
(skfashion 0.1.0), which named module paths, are read too. Files made with
``joblib.dump`` are pickles: loading one runs whatever it holds, so
:func:`load` reads them only when told to trust them.

Every save is atomic: the archive is written to a temporary file in the same
folder and renamed over ``path`` once complete, so a crash mid-save leaves
the previous file as it was.
"""

from __future__ import annotations

import glob
import hashlib
import importlib
import inspect
import io
import json
import math
import os
import platform
import sys
import tempfile
import warnings
import zipfile
import zlib
from collections import defaultdict
from pathlib import Path
from tokenize import TokenError

import numpy as np

__all__ = ["FORMAT_VERSION", "TRUSTED_CLASSES", "load", "save"]

FORMAT = "skfashion-model"
FORMAT_VERSION = 4  # raise on every change old readers cannot follow
# A file is written in the lowest format that reads it. 4: sets (scikeras
# keeps its routed parameters, ``optimizer__weight_decay``, in one); 3: the
# networks' weights as arrays, each stored once (a head's frozen copy of its
# base's tower is the base's); 2: stable class names (0.2); 1: module paths
# (0.1.0)
_MANIFEST = "manifest.json"
#: Most bytes a model file may hold once decompressed, all members together
#: (the shipped models hold 1 to 9 MB): a small crafted file cannot take the
#: machine's memory.
MAX_CONTENT = 1 << 30

# Stable name in the file -> where the class lives now (public import paths).
_CLASSES = {
    "skfashion.QuadrantExpander": "skfashion.augment:QuadrantExpander",
    "skfashion.MultiObjectComposer": "skfashion.augment:MultiObjectComposer",
    "skfashion.CNNClassifier": "skfashion.models:CNNClassifier",
    "skfashion.MultiLabelTransfer": "skfashion.models:MultiLabelTransfer",
    "skfashion.MultiHotTarget": "skfashion.transfer:MultiHotTarget",
    "sklearn.Pipeline": "sklearn.pipeline:Pipeline",
    "sklearn.OneHotEncoder": "sklearn.preprocessing:OneHotEncoder",
    "sklearn.OrdinalEncoder": "sklearn.preprocessing:OrdinalEncoder",
    "sklearn.FunctionTransformer": "sklearn.preprocessing:FunctionTransformer",
    "sklearn.LabelEncoder": "sklearn.preprocessing:LabelEncoder",
    "scikeras.ClassifierLabelEncoder": (
        "scikeras.utils.transformers:ClassifierLabelEncoder"
    ),
    "scikeras.TargetReshaper": "scikeras.utils.transformers:TargetReshaper",
}
#: The stable names of the classes a model file may hold.
TRUSTED_CLASSES = frozenset(_CLASSES)
# Format 1 named module paths: each old path -> its stable name.
_FORMAT_1_NAMES = {
    "skfashion.augment.QuadrantExpander": "skfashion.QuadrantExpander",
    "skfashion.augment.MultiObjectComposer": "skfashion.MultiObjectComposer",
    "skfashion.classifier.CNNClassifier": "skfashion.CNNClassifier",
    "skfashion.transfer.MultiLabelTransfer": "skfashion.MultiLabelTransfer",
    "skfashion.transfer._MultiHotTarget": "skfashion.MultiHotTarget",
    "sklearn.pipeline.Pipeline": "sklearn.Pipeline",
    "sklearn.preprocessing._encoders.OneHotEncoder": "sklearn.OneHotEncoder",
    "sklearn.preprocessing._encoders.OrdinalEncoder": "sklearn.OrdinalEncoder",
    "sklearn.preprocessing._function_transformer.FunctionTransformer": (
        "sklearn.FunctionTransformer"
    ),
    "sklearn.preprocessing._label.LabelEncoder": "sklearn.LabelEncoder",
    "scikeras.utils.transformers.ClassifierLabelEncoder": (
        "scikeras.ClassifierLabelEncoder"
    ),
    "scikeras.utils.transformers.TargetReshaper": "scikeras.TargetReshaper",
}


def _resolve(name: str) -> type:
    """The class a stable name stands for, imported where it lives now."""
    module, _, attribute = _CLASSES[name].partition(":")
    return getattr(importlib.import_module(module), attribute)


def _stable_name(cls: type) -> str | None:
    """The stable name of ``cls``, or None when files cannot hold it."""
    for name, where in _CLASSES.items():
        # compare names first: resolving imports the class's module
        if where.endswith(f":{cls.__name__}") and _resolve(name) is cls:
            return name
    return None


class _CorruptFile(ValueError):
    """The archive's content is not what a skfashion model file holds."""


# numpy scalar types, which scikit-learn's encoders take as a ``dtype``
_NUMPY_TYPES = {
    np.dtype(t).str: t for t in (np.float32, np.float64, np.int32, np.int64)
}
# how a pickle starts, as joblib writes it: plain, then zlib at every level
# (compress=1 to 9), gzip, bz2, xz and lzma
_PICKLE_STARTS = (
    b"\x80",
    b"x\x01",
    b"x^",
    b"x\x9c",
    b"x\xda",
    b"]\x00\x00",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ",
)


def _class_path(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _version() -> str:
    from . import __version__

    return __version__


# -- writing ---------------------------------------------------------------------


class _Writer:
    """Encodes an object tree as JSON, its arrays and networks as archive members."""

    def __init__(self, archive: zipfile.ZipFile, optimizer: bool = True):
        self.archive = archive
        self.optimizer = optimizer
        # id(object) -> its number, for shared objects; every object encoded
        # lives in the estimator being saved, so its id stays its own.
        self.ids: dict[int, int] = {}
        self.n_members = 0
        # the SHA-256 of every weight array written -> its member
        self.weights: dict[str, str] = {}
        # the lowest file format that reads what was written
        self.format_version = 3

    def member(self, folder: str, suffix: str) -> str:
        self.n_members += 1
        return f"{folder}/{self.n_members}{suffix}"

    def shared(self, value, encode):
        """``{"ref": k}`` for an object met before; else ``encode(k)``."""
        if id(value) in self.ids:
            return {"__ref__": self.ids[id(value)]}
        number = self.ids[id(value)] = len(self.ids)
        return encode(number)

    def encode(self, value, where: str):
        if value is None or isinstance(value, bool | str):
            return value
        if type(value) is int:
            return value
        if type(value) is float:
            return value if math.isfinite(value) else {"__float__": repr(value)}
        if isinstance(value, np.generic) and value.dtype.kind in "biuf":
            return {"__scalar__": value.dtype.str, "value": value.item()}
        if isinstance(value, np.dtype) and value.kind in "biufU":
            return {"__dtype__": value.str}
        if isinstance(value, type) and np.dtype(value).str in _NUMPY_TYPES:
            return {"__type__": np.dtype(value).str}
        if isinstance(value, np.ndarray):
            return self.array(value, where)
        if isinstance(value, tuple):
            return {
                "__tuple__": [
                    self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)
                ]
            }
        if isinstance(value, list):
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if type(value) is set:
            self.format_version = max(self.format_version, 4)
            items = [self.encode(v, f"{where}{{...}}") for v in value]
            return {"__set__": sorted(items, key=json.dumps)}  # the same bytes
        if isinstance(value, dict) and (
            type(value) is dict
            or (isinstance(value, defaultdict) and value.default_factory is list)
        ):
            items = [
                [self.encode(k, where), self.encode(v, f"{where}[{k!r}]")]
                for k, v in value.items()
            ]
            kind = "__dict__" if type(value) is dict else "__listdict__"
            return {kind: items}
        if isinstance(value, np.random.RandomState):
            return {"__random_state__": self.encode(value.get_state(), where)}
        if _is_keras_model(value):
            return self.shared(value, lambda n: self.network(value, n))
        if _stable_name(type(value)) is not None:
            return self.shared(value, lambda n: self.instance(value, n, where))
        raise TypeError(
            f"cannot save {where}: a {_class_path(type(value))} is not something "
            "skfashion model files hold (joblib.dump can save it, but loading a "
            "joblib file runs code)"
        )

    def array(self, value: np.ndarray, where: str):
        if value.dtype.kind == "O":  # classes given as strings or mixed objects
            items = [self.encode(v, where) for v in value.ravel().tolist()]
            return {"__objects__": items, "shape": list(value.shape)}
        name = self.member("arrays", ".npy")
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        self.archive.writestr(name, buffer.getvalue())
        return {"__array__": name}

    def network(self, model, number: int):
        """The network as a ``.keras`` member, its weights as arrays stored once.

        Keras writes the architecture, the compilation and the optimizer's
        state; each weight is written as an array unless an equal one already
        was (the same frozen tower in a base and in its head), and is zero in
        the ``.keras`` member, which then compresses to nearly nothing.
        """
        values = [variable.numpy() for variable in model.weights]
        weights = [self.weight(value) for value in values]
        name = self.member("keras", ".keras")
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.keras")
            optimizer = getattr(model, "optimizer", None)
            try:
                for variable, value in zip(model.weights, values, strict=True):
                    variable.assign(np.zeros_like(value))
                if not self.optimizer and optimizer is not None:
                    # an unbuilt copy holds the settings and no state
                    model.optimizer = optimizer.__class__.from_config(
                        optimizer.get_config()
                    )
                model.save(path)
            finally:
                model.optimizer = optimizer
                for variable, value in zip(model.weights, values, strict=True):
                    variable.assign(value)
            self.archive.write(path, name)
        entry = {"__keras__": name, "id": number, "weights": weights}
        if not self.optimizer:
            entry["optimizer"] = False
        return entry

    def weight(self, value: np.ndarray) -> str:
        """The member of a weight's values, written unless an equal one was."""
        value = np.ascontiguousarray(value)
        digest = hashlib.sha256(
            f"{value.dtype.str}{value.shape}".encode() + value.tobytes()
        ).hexdigest()
        if digest not in self.weights:
            self.weights[digest] = self.array(value, "a weight")["__array__"]
        return self.weights[digest]

    def instance(self, value, number: int, where: str):
        state = {
            key: self.encode(attribute, f"{where}.{key}")
            for key, attribute in vars(value).items()
        }
        name = _stable_name(type(value))
        return {"__object__": name, "id": number, "state": state}


def _is_keras_model(value) -> bool:
    keras = sys.modules.get("keras")  # no Keras loaded: no Keras model
    return keras is not None and isinstance(value, keras.Model)


def save(estimator, path: str | os.PathLike, *, optimizer: bool = True) -> None:
    """Save a fitted skfashion estimator or Pipeline to one safe file.

    The file holds no pickle: :func:`load` opens it without running code
    that came with it. The save is atomic: ``path`` is replaced only once
    the new file is complete.

    Parameters
    ----------
    estimator : estimator
        A :class:`~skfashion.models.CNNClassifier`,
        :class:`~skfashion.models.MultiLabelTransfer`, augmenter, or a
        ``Pipeline`` of them, fitted or not.
    path : str or path-like
        The file to write (by convention ``.skf``).
    optimizer : bool, default=True
        Keep the optimizers' state (Adam's two moments of every weight), so
        that a warm start or ``partial_fit`` of the loaded model continues
        where training stopped. False: files of about a third of the size,
        for models meant to predict (the shipped ones); a warm start from
        such a file starts its optimizer afresh.

    Raises
    ------
    TypeError
        If the estimator holds something a safe file cannot (a callback
        object, a function): save it with joblib instead.

    Examples
    --------
    >>> import numpy as np, skfashion
    >>> from skfashion.augment import QuadrantExpander
    >>> expander = QuadrantExpander(random_state=0).fit(np.zeros((2, 28, 28)))
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "expander.skf")
    >>> skfashion.save(expander, path)
    >>> skfashion.load(path).grid_
    (2, 2)
    """
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise ValueError(f"cannot write {path}: there is no folder {folder}")
    _remove_orphans(path)
    handle, temporary = tempfile.mkstemp(
        dir=folder, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp"
    )
    if path.is_file():  # a private file stays private
        mode = path.stat().st_mode & 0o777
    else:  # as open() would, not mkstemp's 0600
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        os.chmod(temporary, mode)
        with os.fdopen(handle, "wb") as file:
            with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
                writer = _Writer(archive, optimizer)
                tree = writer.encode(estimator, type(estimator).__name__)
                manifest = _manifest(tree, writer.format_version)
                archive.writestr(_MANIFEST, json.dumps(manifest, indent=1))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _remove_orphans(path: Path) -> None:
    """Remove the partial files of saves to ``path`` whose process has died
    (killed mid-save: ``.NAME.PID.*.tmp``)."""
    for partial in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        pid = partial.name[len(path.name) + 2 :].split(".", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:  # no such process: nobody writes it
            partial.unlink(missing_ok=True)
        except (PermissionError, OverflowError):  # another user's, alive
            continue


def _manifest(tree, format_version: int) -> dict:
    versions = {"skfashion": _version(), "python": platform.python_version()}
    if "keras" in sys.modules:
        keras = sys.modules["keras"]
        versions.update(keras=keras.__version__, backend=keras.backend.backend())
    return {
        "format": FORMAT,
        "format_version": format_version,
        "versions": versions,
        "estimator": tree,
    }


# -- reading ---------------------------------------------------------------------


class _Reader:
    """Rebuilds an object tree written by :class:`_Writer`."""

    def __init__(self, archive: zipfile.ZipFile, format_version: int):
        self.archive = archive
        self.format_version = format_version
        self.objects: dict[int, object] = {}

    def decode(self, value):
        if isinstance(value, list):
            return [self.decode(v) for v in value]
        if not isinstance(value, dict):
            return value
        if "__ref__" in value:
            if value["__ref__"] not in self.objects:
                raise _CorruptFile(f"a reference to no object ({value['__ref__']})")
            return self.objects[value["__ref__"]]
        if "__tuple__" in value:
            return tuple(self.decode(v) for v in value["__tuple__"])
        if "__set__" in value:
            return set(self.decode(v) for v in value["__set__"])
        if "__dict__" in value:
            return {self.decode(k): self.decode(v) for k, v in value["__dict__"]}
        if "__listdict__" in value:
            items = defaultdict(list)
            items.update(
                (self.decode(k), self.decode(v)) for k, v in value["__listdict__"]
            )
            return items
        if "__float__" in value:
            return float(value["__float__"])
        if "__scalar__" in value:
            return np.dtype(value["__scalar__"]).type(value["value"])
        if "__dtype__" in value:
            return np.dtype(value["__dtype__"])
        if "__type__" in value:
            return _NUMPY_TYPES[value["__type__"]]
        if "__array__" in value:
            return self.array(value["__array__"])
        if "__objects__" in value:
            items = [self.decode(v) for v in value["__objects__"]]
            array = np.empty(len(items), dtype=object)
            array[:] = items
            return array.reshape(value["shape"])
        if "__random_state__" in value:
            state = np.random.RandomState()
            state.set_state(self.decode(value["__random_state__"]))
            return state
        if "__keras__" in value:
            model = self.network(value["__keras__"], value.get("optimizer", True))
            if "weights" in value:  # format 3: the weights are arrays
                self.set_weights(model, value["weights"])
            self.objects[value["id"]] = model
            return model
        if "__object__" in value:
            return self.instance(value)
        raise _CorruptFile(f"an unknown entry {sorted(value)[:3]}")

    def array(self, name: str) -> np.ndarray:
        """The array of the member ``name``, read once, its size checked first."""
        from numpy.lib import format as npy

        try:
            size = self.archive.getinfo(name).file_size
            member = self.archive.open(name)
        except (KeyError, TypeError) as exc:
            raise _CorruptFile(f"a missing array ({exc})") from exc
        with member:
            try:
                version = npy.read_magic(member)
                readers = {
                    (1, 0): npy.read_array_header_1_0,
                    (2, 0): npy.read_array_header_2_0,
                }
                if version not in readers:
                    raise ValueError(f"an array of .npy format {version}")
                shape, fortran, dtype = readers[version](member)
                # the header's promise against the member's own size, before
                # any memory is taken for it
                declared = math.prod(shape) * dtype.itemsize
                if dtype.hasobject or declared > size:
                    raise ValueError(f"{shape} {dtype} values in a smaller member")
                data = member.read(declared)
            # TokenError: numpy tokenizes the header's text to read it
            except (ValueError, OSError, EOFError, TypeError, TokenError) as exc:
                raise _CorruptFile(f"a bad array ({exc})") from exc
        if len(data) != declared:
            raise _CorruptFile("a truncated array")
        array = np.frombuffer(data, dtype=dtype)
        order = "F" if fortran else "C"
        return array.reshape(shape, order=order).copy(order=order)

    def network(self, name: str, optimizer: bool = True):
        import keras

        from . import anywhere, networks  # noqa: F401 - register our layers, losses

        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.keras")
            with self.archive.open(name) as member, open(path, "wb") as file:
                file.write(member.read())
            try:
                with warnings.catch_warnings():
                    if not optimizer:  # saved without state, as it was meant to
                        warnings.filterwarnings(
                            "ignore", "Skipping variable loading for optimizer"
                        )
                    return keras.saving.load_model(path, safe_mode=True)
            except Exception as exc:  # Keras raises many kinds for a bad network
                raise _CorruptFile(f"a network Keras refuses ({exc})") from exc

    def set_weights(self, model, members: list) -> None:
        """Give ``model`` the weights stored as the arrays ``members``."""
        if not isinstance(members, list) or len(members) != len(model.weights):
            raise _CorruptFile("a network whose weights do not match it")
        for variable, member in zip(model.weights, members, strict=True):
            value = self.decode({"__array__": member})
            if tuple(value.shape) != tuple(variable.shape):
                raise _CorruptFile("a network whose weights do not match it")
            variable.assign(value)

    def instance(self, value: dict):
        name = value["__object__"]
        if self.format_version == 1:
            name = _FORMAT_1_NAMES.get(name, name)
        if name not in TRUSTED_CLASSES:
            raise _CorruptFile(f"it holds a {name}, which skfashion files never hold")
        cls = _resolve(name)
        instance = cls.__new__(cls)
        self.objects[value["id"]] = instance
        instance.__dict__.update(
            {key: self.decode(state) for key, state in value["state"].items()}
        )
        _add_new_parameters(instance)
        return instance


def _add_new_parameters(instance) -> None:
    """Give an estimator from an older file the parameters added since, at default.

    A class that gains a parameter (``MultiObjectComposer(placement=...)``)
    still clones, prints and refits when it comes from a file written before.
    """
    if not hasattr(instance, "get_params"):
        return
    for name, parameter in inspect.signature(
        type(instance).__init__
    ).parameters.items():
        if (
            parameter.default is not inspect.Parameter.empty
            and name not in instance.__dict__
        ):
            setattr(instance, name, parameter.default)


def _sniff(path: Path) -> bytes:
    with open(path, "rb") as file:
        return file.read(8)


def load(path: str | os.PathLike, *, trust_pickle: bool = False):
    """Load an estimator saved by :func:`save` (or ``skfashion train``).

    Parameters
    ----------
    path : str or path-like
        The file.
    trust_pickle : bool, default=False
        Also open files made with ``joblib.dump`` (or pickle). Loading such a
        file runs whatever code it holds: only open your own.

    Returns
    -------
    estimator : estimator
        As it was saved.

    Raises
    ------
    ValueError
        If the file is not a skfashion model file, is truncated or corrupted,
        comes from a newer skfashion, or is a joblib file and ``trust_pickle``
        is False. The message names the file and the problem.
    """
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path} is a folder, not a model file")
    start = _sniff(path)  # FileNotFoundError as it is
    if not start.startswith(b"PK"):
        if start.startswith(_PICKLE_STARTS):
            return _load_pickle(path, trust_pickle)
        what = "an empty file" if not start else "not a skfashion model file"
        raise ValueError(
            f"{path} is {what} (save one with skfashion.save or skfashion train)"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            # each member's checksum is checked as it is read, once
            content = sum(info.file_size for info in archive.infolist())
            if content > MAX_CONTENT:
                raise _CorruptFile(
                    f"it would decompress to {content:,} bytes, more than "
                    f"persistence.MAX_CONTENT ({MAX_CONTENT:,})"
                )
            manifest = _read_manifest(archive, path)
            reader = _Reader(archive, manifest["format_version"])
            if "estimator" not in manifest:
                raise _CorruptFile("no estimator in its manifest")
            try:
                estimator = reader.decode(manifest["estimator"])
            except _CorruptFile:
                raise
            # what numpy and Python raise for values of the wrong kind (a
            # random state of another generator, an array of another shape)
            except (KeyError, TypeError, IndexError, AttributeError, ValueError) as exc:
                raise _CorruptFile(f"a malformed entry ({exc!r})") from exc
            except RecursionError as exc:
                raise _CorruptFile("entries nested too deep") from exc
    # OSError: a damaged header asks for a seek or read the archive cannot do
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,
        OSError,
    ) as exc:
        raise ValueError(f"{path} is truncated or corrupted ({exc})") from exc
    except _CorruptFile as exc:
        raise ValueError(
            f"{path} is corrupted or not a skfashion model file ({exc})"
        ) from exc
    if not hasattr(estimator, "get_params"):
        raise ValueError(
            f"{path} is corrupted or not a skfashion model file (it holds a "
            f"{type(estimator).__name__}, not an estimator)"
        )
    return estimator


def _read_manifest(archive: zipfile.ZipFile, path: Path) -> dict:
    try:
        manifest = json.loads(archive.read(_MANIFEST))
    except (KeyError, json.JSONDecodeError, UnicodeDecodeError):
        manifest = None
    except RecursionError as exc:
        raise _CorruptFile("a manifest nested too deep") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValueError(
            f"{path} is a zip archive but not a skfashion model file "
            "(save one with skfashion.save or skfashion train)"
        )
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        written_by = manifest.get("versions", {}).get("skfashion", "an unknown version")
        raise ValueError(
            f"{path} was written by skfashion {written_by} in file format "
            f"{version}, newer than this skfashion {_version()} reads (up to "
            f"{FORMAT_VERSION}): upgrade skfashion to load it"
        )
    return manifest


def _load_pickle(path: Path, trust_pickle: bool):
    if not trust_pickle:
        raise ValueError(
            f"{path} is a joblib (pickle) file, and loading one runs any code it "
            "holds: if you made it yourself, load it with trust_pickle=True "
            "(--trust-pickle on the command line), or save the model with "
            "skfashion.save"
        )
    import joblib

    from ._quiet import native_stderr_silenced

    try:
        with native_stderr_silenced():  # TensorFlow's lines as it unpickles
            content = joblib.load(path)
    except Exception as exc:  # pickle raises many kinds for a foreign file
        raise ValueError(f"{path} is not a readable joblib file ({exc})") from exc
    if isinstance(content, dict) and content.get("format") == FORMAT:
        content = content["estimator"]  # written by skfashion 0.1's dump
    if not hasattr(content, "get_params"):
        raise ValueError(
            f"{path} holds a {type(content).__name__}, not a scikit-learn estimator"
        )
    return content
