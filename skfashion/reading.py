"""What a fitted model finds in a user's picture: one item, a canvas, or items.

:func:`read_picture` is what ``skfashion predict`` runs for every file, and
what Python callers use for pictures (a model's ``predict`` takes arrays).
It chooses how to read the picture from the model, and says so:

``"item"``
    Single-label models, and multi-label models of whole canvases given a
    picture of another size: the picture's one item is cut out
    (:func:`~skfashion.images.item_from_picture`). A picture holding several
    separate shapes of ink is not named: the reading says how many it holds,
    and which model reads them.
``"canvas"``
    A picture of the model's canvas size (or ``as_="canvas"``) is read whole
    (:func:`~skfashion.images.canvas_from_picture`), by the cells head cell by
    cell.
``"items anywhere"``
    A model of ``head="anywhere"`` reads any picture: its items are scaled to
    the size the model learned (:func:`~skfashion.images.items_canvas_from_picture`)
    and every one found is given with its box in the picture's own pixels.
    An item cut by the picture's edge is found if enough of it shows, its box
    ending at the edge.

A picture in which nothing stands out from the background reads as no item,
for every model.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from .datasets import class_name

__all__ = ["FoundItem", "PictureReading", "read_picture"]


@dataclass
class FoundItem:
    """One item found in a picture.

    Attributes
    ----------
    label : int or str
        The model's class.
    score : float
        Its probability (with ``"items anywhere"``, the item's score).
    box : list of int or None
        ``[x0, y0, x1, y1]`` in the picture's pixels (``"items anywhere"``).
    cell : int or None
        The canvas cell it fills (the cells head).
    """

    label: object
    score: float
    box: list | None = None
    cell: int | None = None

    @property
    def name(self) -> str:
        """The class's Fashion-MNIST name (any other label as it is)."""
        label = self.label
        return class_name(label) if isinstance(label, int | np.integer) else str(label)

    def text(self) -> str:
        """``"Trouser 0.97"``, with its cell or box."""
        where = f" (cell {self.cell})" if self.cell is not None else ""
        if self.box is not None:
            where = " box [{}, {}, {}, {}]".format(*self.box)
        return f"{self.name} {self.score:.2f}{where}"

    def as_json(self) -> dict:
        """The item as JSON: ``{"class", "score"}``, ``box`` or ``cell`` if any."""
        item = {"class": self.name, "score": round(float(self.score), 4)}
        if self.box is not None:
            item["box"] = [int(v) for v in self.box]
        if self.cell is not None:
            item["cell"] = int(self.cell)
        return item


@dataclass
class PictureReading:
    """What a model found in one picture.

    Attributes
    ----------
    path : str
    read_as : {"item", "canvas", "items anywhere"}
    items : list of FoundItem
        Best first; empty when no item was named.
    alternatives : list of FoundItem
        For a single-label model, the next likeliest classes of its one item.
    note : str or None
        Why no item is named, when none is (``"no item found"``, or several
        items where the model reads one).
    """

    path: str
    read_as: str
    items: list[FoundItem] = field(default_factory=list)
    alternatives: list[FoundItem] = field(default_factory=list)
    note: str | None = None

    def lines(self) -> list[str]:
        """The lines ``skfashion predict`` prints: one per item anywhere.

        Each says how the picture was read: ``(read as one item)``, ``(read
        as a canvas)`` or ``(read as items anywhere)``.
        """
        how = {"item": "one item", "canvas": "a canvas"}.get(self.read_as, self.read_as)
        how = f"(read as {how})"
        if self.note or not self.items:
            return [f"{self.path}: {self.note or 'no item found'} {how}"]
        if self.read_as == "items anywhere":
            return [f"{self.path}: {item.text()} {how}" for item in self.items]
        found = ", ".join(i.text() for i in [*self.items, *self.alternatives])
        return [f"{self.path}: {found} {how}"]

    def as_json(self) -> dict:
        """``{"path", "read_as", "items": [...]}``; ``alternatives``, ``note``."""
        reading = {
            "path": self.path,
            "read_as": self.read_as,
            "items": [item.as_json() for item in self.items],
        }
        if self.alternatives:
            reading["alternatives"] = [item.as_json() for item in self.alternatives]
        if self.note:
            reading["note"] = self.note
        return reading


def _final(model):
    return model.steps[-1][1] if hasattr(model, "steps") else model


def _head(model) -> str | None:
    return getattr(_final(model), "head", None)


def _is_canvas(picture, net, as_: str) -> bool:
    """``auto``: a picture of exactly the model's canvas size is a canvas."""
    if as_ != "auto":
        return as_ == "canvas"
    from PIL import Image

    if isinstance(picture, Image.Image):
        width, height = picture.size
    else:
        try:
            with Image.open(picture) as opened:  # reads the header only
                width, height = opened.size
        except Exception:  # unreadable: reading it as an item says why
            return False
    return (height, width) == tuple(net.input_shape_)


def _name(picture) -> str:
    if isinstance(picture, str | os.PathLike):
        return str(picture)
    return getattr(picture, "name", "the picture")


def read_picture(picture, model, *, as_: str = "auto", top: int = 3) -> PictureReading:
    """Read a picture (a file or a PIL image) with a fitted skfashion model.

    Parameters
    ----------
    picture : str, path-like, binary file or PIL.Image.Image
        Any picture Pillow reads.
    model : CNNClassifier, MultiLabelTransfer or Pipeline ending in one
        A fitted model (as :func:`skfashion.load` returns).
    as_ : {"auto", "item", "canvas"}, default="auto"
        Read the picture as one item, as a canvas, or as the model suits
        (see the module's description). A model of items anywhere reads every
        picture as items anywhere; ``"canvas"`` keeps the picture's own scale.
    top : int, default=3
        Classes given for a single-label model.

    Returns
    -------
    reading : PictureReading

    Raises
    ------
    ValueError
        If the file cannot be read as a picture; the message says why.

    Examples
    --------
    >>> import numpy as np
    >>> from PIL import Image
    >>> from skfashion.models import CNNClassifier
    >>> from skfashion.reading import read_picture
    >>> items = np.random.RandomState(0).randint(0, 256, (20, 28, 28), np.uint8)
    >>> model = CNNClassifier(filters=(4,), epochs=1, random_state=0)
    >>> model = model.fit(items, np.arange(20) % 2)
    >>> read_picture(Image.new("L", (60, 60), 255), model).lines()
    ['the picture: no item found (read as one item)']
    """
    from .images import (
        NoItemError,
        canvas_from_picture,
        item_from_picture,
        items_canvas_from_picture,
    )

    net, name = _final(model), _name(picture)
    if _head(model) == "anywhere":
        reading = PictureReading(name, "items anywhere")
        try:
            canvas, scale = items_canvas_from_picture(
                picture, item_side=None if as_ == "canvas" else 28
            )  # 28: items of 18 to 42% of a photo's side become 17 to 40 px
        except NoItemError:
            return reading
        if max(canvas.shape) < net._smallest_item() or not canvas.any():
            return reading
        for row in net.predict_boxes([canvas])[0]:
            box = np.rint(row[1:5] / scale).astype(int).tolist()
            reading.items.append(FoundItem(int(row[0]), float(row[5]), box))
        return reading
    if _is_canvas(picture, net, as_):
        reading = PictureReading(name, "canvas")
        canvas = canvas_from_picture(picture, net.input_shape_)
        if canvas.any():
            reading.items = _describe(model, net, canvas[np.newaxis], top)
        return _split_alternatives(reading, net)
    reading = PictureReading(name, "item")
    try:
        image, shapes = item_from_picture(picture, return_shapes=True)
    except NoItemError:
        return reading
    if shapes > 1:
        reading.note = (
            f"{shapes} separate items, but this model reads one item per "
            "picture: read them with a model of head='anywhere' (skfashion "
            "train --kind multi --head anywhere)"
        )
        return reading
    reading.items = _describe(model, net, _as_input(image, net, model), top)
    return _split_alternatives(reading, net)


def _split_alternatives(reading, net):
    """A single-label model names one item: its other classes are alternatives."""
    if not hasattr(net, "head"):
        reading.items, reading.alternatives = reading.items[:1], reading.items[1:]
    return reading


def _as_input(item, net, model):
    """An item as a batch of one image the model takes."""
    from .augment import QuadrantExpander

    shape = net.input_shape_
    cells_network = getattr(net, "cell_shape_", None) is not None
    if shape != item.shape and net is model and not cells_network:
        # a network of whole canvases: the item goes in the first cell
        grid = (shape[0] // item.shape[0], shape[1] // item.shape[1])
        item = QuadrantExpander(grid, cell=0).fit_transform(item[None])[0]
    return item[np.newaxis]


def _describe(model, net, batch, top: int) -> list[FoundItem]:
    """What the model finds in a batch of one picture, best first."""
    from .models import MultiLabelTransfer

    if isinstance(model, MultiLabelTransfer) and model.head == "cells":
        proba = model.predict_cell_proba(batch)[0]
        found = [
            FoundItem(int(c), float(proba[cell, c]), cell=cell)
            for cell, c in enumerate(proba.argmax(axis=1))
            if c < len(model.classes_)
        ]
        return sorted(found, key=lambda item: -item.score)
    proba = model.predict_proba(batch)[0]
    if isinstance(model, MultiLabelTransfer):
        return [
            FoundItem(int(i), float(proba[i]))
            for i in np.argsort(proba)[::-1]
            if proba[i] >= model.threshold_[i]
        ]
    best = np.argsort(proba)[::-1][:top]
    return [
        FoundItem(label.item() if hasattr(label, "item") else label, float(p))
        for label, p in zip(net.classes_[best], proba[best], strict=True)
    ]
