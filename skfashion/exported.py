"""Models exported to ONNX and run by onnxruntime: prediction with no Keras.

:func:`skfashion.export` writes a fitted model as one ONNX file: the networks
its prediction runs (a single-label model's network; a head's
:meth:`~skfashion.heads.Head.networks`), each network's input and output
named after it (``finder/input``, ``finder/output``), and, in the file's
metadata under ``skfashion``, the fitted state its prediction reads (classes,
shapes, pixel scale, thresholds) as JSON. :func:`load_exported` reads it back
as an :class:`ExportedModel`, which predicts as the model did, with the same
code around the networks (the heads, :mod:`skfashion.cells`,
:mod:`skfashion.boxes`), imports neither Keras, TensorFlow nor scikit-learn,
and starts in a tenth of a second.

The shipped models ship exported too (``skfashion/trained/NAME.onnx``): the
readers of :func:`skfashion.read_picture` and ``skfashion predict`` use them.
"""

from __future__ import annotations

import json
import os
from types import SimpleNamespace

import numpy as np

from ._images import as_pixels, check_images
from .cells import cell_grid, predict_per_item
from .forward import predict_in_batches

__all__ = ["FORMAT", "ExportedModel", "OnnxNetwork", "load_exported"]

#: The version of the metadata :func:`skfashion.export` writes.
FORMAT = 1

#: The fitted state prediction reads, by the estimator's attribute; and that
#: of its base and augmenter (``base_estimator_``, ``augment_``).
STATE = (
    "classes_",
    "input_shape_",
    "cell_shape_",
    "pixel_scale_",
    "threshold_",
    "stride_",
    "item_shape_",
    "architecture",
    "test_flip",
    "head",
)
PART_STATE = {"base_estimator_": ("classes_", "flip"), "augment_": ("scale_",)}

_PROVIDED = ("predict_boxes", "predict_layout", "predict_cell_proba", "predict_counts")


class OnnxNetwork:
    """One network of an exported model, run as Keras runs a network.

    :func:`~skfashion.forward.predict_in_batches` takes it as it takes a Keras
    model: ``predict_on_batch`` and ``output_shape``.

    Parameters
    ----------
    session : onnxruntime.InferenceSession
        The exported model's session, shared by all its networks.
    name : str
        The network's name: its input is ``NAME/input``, its output
        ``NAME/output``.
    """

    def __init__(self, session, name: str):
        self.session = session
        self.name = name
        inputs = {i.name: i for i in session.get_inputs()}
        outputs = {o.name: o for o in session.get_outputs()}
        self.input_ = f"{name}/input"
        self.output_ = f"{name}/output"
        if self.input_ not in inputs or self.output_ not in outputs:
            raise ValueError(f"the exported model has no network named {name!r}")
        # the other networks' inputs, fed empty batches (onnxruntime takes
        # every input of a file; an empty batch costs nothing)
        self._others = {
            key: np.zeros(
                (0, *(d if isinstance(d, int) else 1 for d in i.shape[1:])),
                np.float32,
            )
            for key, i in inputs.items()
            if key != self.input_
        }
        # onnxruntime names the batch's and the free sides' sizes: None here
        sides = outputs[self.output_].shape[1:]
        self.output_shape = (None, *(d if isinstance(d, int) else None for d in sides))

    def predict_on_batch(self, batch: np.ndarray) -> np.ndarray:
        """The network's outputs for one batch of images, as float32."""
        feed = {**self._others, self.input_: np.asarray(batch, np.float32)}
        return self.session.run([self.output_], feed)[0]

    def __repr__(self) -> str:
        return f"OnnxNetwork({self.name!r})"


class ExportedModel:
    """A fitted skfashion model's prediction, from its exported networks.

    Made by :func:`load_exported`. It has the fitted attributes prediction
    reads (``classes_``, ``input_shape_``, ``cell_shape_``, ...), ``predict``
    and ``predict_proba`` as the model had them on canvases of its size (a
    grid-aware network: any whole number of cells), and each prediction
    method its head provides (``predict_boxes``, ``predict_layout``, ...):
    ``hasattr`` says which, as on the model. It cannot be trained, saved
    with :func:`skfashion.save`, or be the base of a head: those need the
    Keras model.

    Attributes
    ----------
    kind : str
        ``"single"`` (a :class:`~skfashion.models.CNNClassifier`), or the
        name of the head of a :class:`~skfashion.models.MultiLabelTransfer`.
    networks_ : dict of str to OnnxNetwork
        The networks, by the names the head runs them by.
    metadata_ : dict
        All the file's state, as written.
    """

    def __init__(self, state: dict, networks: dict):
        self.metadata_ = state
        self.networks_ = networks
        self.kind = state["kind"]
        for name in STATE:
            value = state.get(name)
            setattr(self, name, _restored(name, value))
        for part, names in PART_STATE.items():
            values = state.get(part) or {}
            setattr(
                self,
                part,
                SimpleNamespace(**{n: _restored(n, values.get(n)) for n in names}),
            )
        self.pixel_scale_ = self.pixel_scale_ or 1.0

    def __getattr__(self, name: str):
        # a head's prediction methods: present only where the head provides
        # them, as on the estimator (scikit-learn's available_if)
        if name in _PROVIDED and name in getattr(self._head(), "provides", ()):
            return getattr(self._head(), name)
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def __repr__(self) -> str:
        return f"ExportedModel(kind={self.kind!r}, networks={sorted(self.networks_)})"

    def _head(self):
        if self.head is None:
            return None
        from .heads import get_head

        return get_head(self.head)(self)

    # -- what the heads read -------------------------------------------------------
    def pixel_scale_of(self, images) -> float:
        """The pixel scale decided at fit."""
        return self.pixel_scale_

    def checked_pixels(self, X) -> np.ndarray:
        """``X`` checked, as (n, h, w) pixels in [0, 255] the network takes."""
        images = check_images(X).images
        if images.shape[1:] != self.input_shape_:
            if self.cell_shape_ is not None:
                cell_grid(images.shape[1:], self.cell_shape_)
            else:
                raise ValueError(
                    f"X has images of shape {images.shape[1:]}, but this exported "
                    f"model takes canvases of shape {self.input_shape_}: put items "
                    "on canvases (QuadrantExpander) first"
                )
        return as_pixels(images, self.pixel_scale_)

    # -- prediction ----------------------------------------------------------------
    def predict_proba(self, X) -> np.ndarray:
        """Probability of each class (single) or label (a head) per image."""
        head = self._head()
        if head is not None:
            return head.predict_proba(X)
        images = self.checked_pixels(X)
        network = self.networks_["network"]

        def predict(batch):
            return predict_in_batches(network, batch, mirror=self.test_flip or False)

        if self.architecture != "cells":
            return predict(images[..., np.newaxis])
        return predict_per_item(predict, images, self.cell_shape_)

    def predict(self, X) -> np.ndarray:
        """The class of each image (single), or its multi-hot labels (a head)."""
        head = self._head()
        if head is not None:
            return head.predict(X)
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def _restored(name: str, value):
    """A state value from JSON as the estimator held it."""
    if value is None:
        return None
    if name.endswith("shape_"):
        return tuple(value)
    if name in ("classes_", "threshold_") and isinstance(value, list):
        return np.asarray(value)
    return value


def load_exported(path) -> ExportedModel:
    """Read a model exported by :func:`skfashion.export`.

    Parameters
    ----------
    path : str, path-like or bytes
        An ONNX file written by :func:`skfashion.export`, or its bytes.

    Returns
    -------
    model : ExportedModel

    Raises
    ------
    ValueError
        If the file is not an ONNX file, or not one skfashion wrote.

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion import load_exported, load_fashion_mnist
    >>> from skfashion.zoo import TRAINED
    >>> model = load_exported(TRAINED / "fast.onnx")
    >>> model.kind, model.classes_[:3].tolist()
    ('single', [0, 1, 2])
    >>> test = load_fashion_mnist(subset="test")
    >>> float((model.predict(test.images[:500]) == test.target[:500]).mean()) > 0.9
    True
    """
    import onnxruntime

    if isinstance(path, bytes):
        source, path = path, "the exported model"
    else:
        source = path = os.fspath(path)
        if not os.path.isfile(path):
            raise ValueError(f"{path}: no such file")
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only
    try:
        session = onnxruntime.InferenceSession(
            source, options, providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime's own errors share no base class
        raise ValueError(f"{path} is not a model onnxruntime can read: {exc}") from exc
    text = session.get_modelmeta().custom_metadata_map.get("skfashion")
    try:
        state = json.loads(text)
        if state.get("format") != FORMAT:
            raise ValueError(f"format {state.get('format')!r}, not {FORMAT}")
        networks = {name: OnnxNetwork(session, name) for name in state["networks"]}
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise ValueError(
            f"{path} is not a model skfashion.export wrote ({exc}): export it again"
        ) from exc
    return ExportedModel(state, networks)
