"""Export a fitted model to ONNX, for prediction without Keras or TensorFlow.

:func:`export` writes the file :func:`skfashion.load_exported` reads (see
:mod:`skfashion.exported` for what it holds). Each network is converted by
tf2onnx, the converter Keras' own ``Model.export(format="onnx")`` uses, from
a TensorFlow function that calls the network with ``training=False``: the
layers that act only while training (flips, shifts, erasing, dropout) are
left out, as ONNX has no random operators to run them with. Networks are
exported in float32. Export needs the TensorFlow backend (under JAX, Keras
exports through jax2onnx, which skfashion does not install).
"""

from __future__ import annotations

import json
import os
import warnings

import numpy as np

from .exported import FORMAT, PART_STATE, STATE

__all__ = ["FORMATS", "export"]

#: The formats :func:`export` writes.
FORMATS = ("onnx",)

#: The ONNX operator set the networks are written with (onnxruntime >= 1.14).
OPSET = 17


def _networks(model) -> tuple[str, dict]:
    """The kind of ``model`` and the Keras networks its prediction runs."""
    from sklearn.utils.validation import check_is_fitted

    from .heads import head_of
    from .pipelines import last_step

    net = last_step(model)
    if net is not model:
        raise ValueError(
            "export takes the fitted model, not a Pipeline: export its last "
            "step (pipe[-1]), and give the exported model what the steps "
            "before it make"
        )
    if not hasattr(net, "model_") or not hasattr(net, "classes_"):
        raise ValueError(
            f"export takes a fitted CNNClassifier or MultiLabelTransfer, got "
            f"{type(net).__name__}"
        )
    check_is_fitted(net)
    head = head_of(net)
    if head is None:
        return "single", {"network": net.model_}
    return head.name, head.networks()


def _state(model, kind: str, names) -> dict:
    """The fitted state prediction reads, as JSON values."""

    def plain(value):
        if isinstance(value, np.ndarray):
            return value.tolist()
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, tuple):
            return [plain(v) for v in value]
        return value

    from . import __version__

    state = {"format": FORMAT, "skfashion": __version__, "kind": kind}
    state["networks"] = list(names)
    for name in STATE:
        state[name] = plain(getattr(model, name, None))
    for part, attributes in PART_STATE.items():
        holder = getattr(model, part, None)
        state[part] = {a: plain(getattr(holder, a, None)) for a in attributes}
    return state


def _convert(network, name: str):
    """``network`` as an ONNX graph whose input and output are named after it."""
    import keras

    if keras.backend.backend() != "tensorflow":
        raise ValueError(
            f"export runs under the TensorFlow backend (KERAS_BACKEND="
            f"{keras.backend.backend()}): export with KERAS_BACKEND=tensorflow; "
            "the file predicts the same under any backend"
        )
    import onnx.compose
    import tensorflow as tf
    import tf2onnx
    from keras.src.export.tf2onnx_lib import patch_tf2onnx

    with warnings.catch_warnings():  # its probe of np.object warns
        warnings.simplefilter("ignore", FutureWarning)
        patch_tf2onnx()  # as Keras' own export does: tf2onnx and numpy 2
    if network.dtype_policy.compute_dtype != "float32":
        raise ValueError(
            f"export takes float32 networks, {name} computes in "
            f"{network.dtype_policy.compute_dtype}"
        )
    spec = (tf.TensorSpec(network.input_shape, tf.float32, name="input"),)
    function = tf.function(
        lambda images: network(images, training=False), input_signature=spec
    )
    graph, _ = tf2onnx.convert.from_function(function, spec, opset=OPSET)
    (output,) = graph.graph.output
    graph = onnx.compose.add_prefix(graph, f"{name}/")
    renamed = {f"{name}/{output.name}": f"{name}/output"}
    for node in graph.graph.node:
        node.output[:] = [renamed.get(o, o) for o in node.output]
    graph.graph.output[0].name = f"{name}/output"
    return graph


def export(model, path, *, format: str = "onnx") -> str:
    """Write a fitted model as one ONNX file that predicts without Keras.

    Parameters
    ----------
    model : CNNClassifier or MultiLabelTransfer
        Fitted, of any head (its last step, for a Pipeline).
    path : str or path-like
        The file to write (``.onnx``).
    format : {"onnx"}, default="onnx"
        The only one.

    Returns
    -------
    path : str
        The file written.

    Raises
    ------
    ValueError
        If the model is not fitted, not a skfashion model, or the backend
        is not TensorFlow.

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion import export, load_exported, pretrained
    >>> model = pretrained("fast")
    >>> path = export(model, getfixture("tmp_path") / "fast.onnx")
    >>> exported = load_exported(path)
    >>> items = np.random.RandomState(0).randint(0, 256, (4, 28, 28), np.uint8)
    >>> bool(np.allclose(exported.predict_proba(items), model.predict_proba(items),
    ...                  atol=1e-4))
    True
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {format!r}")
    import onnx
    import onnx.compose

    kind, networks = _networks(model)
    graphs = [_convert(network, name) for name, network in networks.items()]
    merged = graphs[0]
    for graph in graphs[1:]:
        merged = onnx.compose.merge_models(merged, graph, io_map=[])
    state = _state(model, kind, networks)
    onnx.helper.set_model_props(merged, {"skfashion": json.dumps(state)})
    onnx.checker.check_model(merged)
    path = os.fspath(path)
    onnx.save(merged, path)
    return path
