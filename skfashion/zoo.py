"""Trained models shipped with skfashion, and their cards.

The files in ``skfashion/trained/`` were trained from scratch by
``make pretrained`` (``scripts/train_pretrained.py``) on the 60,000
Fashion-MNIST training items. Each model file ``NAME.skf`` (the format of
:func:`skfashion.save`, read without pickle) has a card ``NAME.json``: what it
is for, its recipe and seed, its size and cost, the training data's checksum,
its test scores as measured by that script, the versions that trained it and
its known limits. ``manifest.json`` holds the SHA-256 of every model file,
checked before a file is read.

:func:`pretrained` returns a fitted estimator; :func:`model_card` its card.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "EXAMPLE_PICTURES",
    "PICTURES",
    "READERS",
    "SHIPPED",
    "TRAINED",
    "ShippedModel",
    "example_picture",
    "exported_file",
    "model_card",
    "pretrained",
    "reading_model",
    "shared",
]

#: The folder of the shipped model files, their cards and manifest.
TRAINED = Path(__file__).with_name("trained")


class ShippedModel(NamedTuple):
    """How a shipped model is made (``scripts/train_pretrained.py`` runs it).

    ``kind`` is ``"single"`` (a CNNClassifier of the preset ``source``),
    ``"namer"`` (the shipped model ``source`` trained further, from its weights, on
    items as a finder cuts them: :func:`skfashion.recipes.fit_namer`) or a
    head's name (that head on the shipped model ``source``).
    """

    kind: str
    source: str
    intended_use: str


#: The shipped models, in the order they are trained (a head after its base).
SHIPPED = {
    "fast": ShippedModel("single", "fast", "names one item per image, quickly"),
    "strong": ShippedModel(
        "single", "strong", "names one item per image, most accurately"
    ),
    "fast-cells": ShippedModel(
        "cells", "fast", "names the item in each cell of a grid canvas"
    ),
    "strong-cells": ShippedModel(
        "cells", "strong", "names the item in each cell of a grid canvas"
    ),
    "fast-anywhere": ShippedModel(
        "anywhere", "fast", "finds, names and boxes items anywhere"
    ),
    "strong-namer": ShippedModel(
        "namer",
        "strong",
        "names the items a finder cuts from a picture, at any size",
    ),
}


#: The folder of the example pictures that ship with skfashion.
PICTURES = Path(__file__).with_name("pictures")

#: The example pictures, by name: their file in :data:`PICTURES` and what they
#: show (``skfashion predict --example NAME``; drawn from Fashion-MNIST test
#: items by ``scripts/make_example_pictures.py``).
EXAMPLE_PICTURES = {
    "product": ("product.jpg", "a product photo of one item"),
    "outfit": ("outfit.jpg", "four items on a table"),
    "grid": ("grid.png", "a 56x56 canvas of three items in a 2x2 grid"),
}


def example_picture(name: str) -> Path:
    """The file of the shipped example picture ``name``.

    Examples
    --------
    >>> from skfashion.zoo import example_picture
    >>> example_picture("outfit").name
    'outfit.jpg'
    """
    if name not in EXAMPLE_PICTURES:
        raise ValueError(
            f"no example picture is named {name!r}; the names: "
            + ", ".join(EXAMPLE_PICTURES)
        )
    return PICTURES / EXAMPLE_PICTURES[name][0]


#: The shipped models that read a picture when no model is given
#: (:func:`skfashion.read_picture`, ``skfashion predict``): one for each way of
#: reading it, each the best shipped at it (see their cards), and the
#: ``"namer"`` that names the items found anywhere again, with the ``"item"`` one.
READERS = {
    "item": "strong",
    "canvas": "strong-cells",
    "items anywhere": "fast-anywhere",
    "namer": "strong-namer",
}


@cache
def _manifest_file() -> dict:
    """The shipped ``manifest.json``: ``sha256`` and ``cards_sha256`` by name."""
    path = TRAINED / "manifest.json"
    if not path.is_file():
        return {"sha256": {}, "cards_sha256": {}}
    try:
        manifest = json.loads(path.read_text())
        if not isinstance(manifest.get("sha256"), dict):
            raise ValueError("it has no 'sha256' table")
    except (ValueError, AttributeError) as exc:
        raise ValueError(
            f"the shipped models' manifest {path} is damaged ({exc}): reinstall "
            "skfashion"
        ) from exc
    return manifest


def _manifest() -> dict:
    """``{name: sha256}`` of the shipped models, in the order they were made."""
    return _manifest_file()["sha256"]


def _checked(path: Path, expected: str | None, what: str) -> bytes:
    """The bytes of a shipped file, refused unless they match ``expected``."""
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != expected:
        raise ValueError(
            f"the shipped {what} {path} fails its checksum (it was changed or "
            "damaged): reinstall skfashion"
        )
    return data


def _check_name(name: str) -> None:
    if name not in _manifest():
        names = ", ".join(_manifest()) or "none: this installation has none"
        raise ValueError(f"no shipped model is named {name!r}; the names: {names}")


def model_card(name: str) -> dict:
    """The card of the shipped model ``name``: what it is, and how well it does.

    Parameters
    ----------
    name : str
        One of ``pretrained()``'s names.

    Returns
    -------
    card : dict
        ``name``, ``kind`` (``"single"``, ``"cells"`` or ``"anywhere"``),
        ``intended_use``, ``limits``, ``recipe``, ``seed``, ``params`` (the
        estimator's parameters), ``size`` (weights and multiply-adds per
        28x28 item), ``training`` (items, the data's SHA-256, wall and CPU
        seconds, machine), ``test`` (the scores measured after training),
        ``versions``, ``date``; and, as torchvision's and keras-hub's cards
        have them, ``version`` (of the model), ``license`` (of the weights
        and of the training data), ``preprocessing`` (what a picture
        becomes before the network), ``files`` (the model file and its ONNX
        twin) and ``metrics`` (the test scores, by dataset).

    Examples
    --------
    >>> from skfashion import model_card, pretrained
    >>> card = model_card(pretrained()[0])
    >>> card["kind"], 0.9 < card["test"]["accuracy"] <= 1
    ('single', True)
    """
    _check_name(name)
    path = TRAINED / f"{name}.json"
    expected = _manifest_file().get("cards_sha256", {}).get(name)
    card = json.loads(_checked(path, expected, "model card"))
    if not isinstance(card, dict) or not isinstance(card.get("test"), dict):
        raise ValueError(f"the shipped model card {path} has no test scores")
    return card


def pretrained(name: str | None = None):
    """A trained model shipped with skfashion, fitted and ready to predict.

    Parameters
    ----------
    name : str, default=None
        Which model (see ``skfashion models``, or :func:`model_card`):
        ``"fast"`` and ``"strong"`` name one item per image
        (:class:`~skfashion.models.CNNClassifier`); ``"fast-cells"`` and
        ``"strong-cells"`` name the item in every cell of a grid canvas, and
        ``"fast-anywhere"`` finds, names and boxes items anywhere on a canvas
        (:class:`~skfashion.models.MultiLabelTransfer`). None: the names.

    Returns
    -------
    model : CNNClassifier or MultiLabelTransfer, or list of str
        A new fitted estimator at every call (it works in ``predict``,
        ``score``, as the base of a ``MultiLabelTransfer``, in a Pipeline and
        with :func:`skfashion.save`); without ``name``, the names of the
        shipped models.

    Raises
    ------
    ValueError
        For an unknown name, or a file that fails its checksum.

    Examples
    --------
    >>> from skfashion import load_fashion_mnist, pretrained
    >>> "fast" in pretrained()
    True
    >>> model = pretrained("fast")
    >>> test = load_fashion_mnist(subset="test")
    >>> model.score(test.images[:500], test.target[:500]) > 0.9
    True
    """
    if name is None:
        return list(_manifest())
    _check_name(name)
    from .persistence import load

    path = TRAINED / f"{name}.skf"
    _checked(path, _manifest()[name], "model file")
    return load(path)


def exported_file(name: str) -> Path | None:
    """The shipped ONNX twin of the model ``name`` (:mod:`skfashion.exported`),
    or None where this installation has none."""
    _check_name(name)
    if name not in _manifest_file().get("onnx_sha256", {}):
        return None
    return TRAINED / f"{name}.onnx"


def reading_model(spec: str | None, *, trust_pickle: bool = False):
    """The model that reads pictures for ``spec``, for prediction only.

    None: None (:func:`skfashion.read_picture`'s shipped readers); a shipped
    model's name (where no file has it): :func:`shared`, its ONNX twin; an
    ``.onnx`` file: :func:`skfashion.load_exported`; any other file:
    :func:`skfashion.load` (Keras; a joblib file with ``trust_pickle``).
    What ``skfashion predict --model`` and the Dask workers of
    :func:`skfashion.parallel.predict_pictures` read with.
    """
    if spec is None:
        return None
    if spec in _manifest() and not Path(spec).exists():
        return shared(spec)
    if str(spec).endswith(".onnx"):
        from .exported import load_exported

        return load_exported(spec)
    from ._quiet import import_keras_quietly

    import_keras_quietly()  # before Keras: no TensorFlow start-up lines
    from .persistence import load

    return load(spec, trust_pickle=trust_pickle)


@cache
def shared(name: str):
    """The shipped model ``name`` for prediction, loaded once and shared.

    Its ONNX twin (an :class:`~skfashion.exported.ExportedModel`, run by
    onnxruntime: no Keras, ready in a tenth of a second) where it ships,
    else the Keras model of :func:`pretrained`.
    For readers that only predict (:func:`skfashion.read_picture`,
    ``skfashion predict``): a caller that fits, sets parameters or saves gets
    :func:`pretrained`'s own copy instead.

    Examples
    --------
    >>> from skfashion.zoo import shared
    >>> model = shared("fast-anywhere")
    >>> type(model).__name__, hasattr(model, "predict_boxes")
    ('ExportedModel', True)
    """
    path = exported_file(name)
    if path is not None:
        from .exported import load_exported

        expected = _manifest_file()["onnx_sha256"][name]
        return load_exported(_checked(path, expected, "exported model"))
    return pretrained(name)
