"""What a model found in a picture or canvas: one result type, for every reader.

:func:`skfashion.read_picture` returns a :class:`PictureReading` of
:class:`FoundItem`; ``skfashion predict`` prints its :meth:`~PictureReading.lines`
or, with ``--json``, its :meth:`~PictureReading.to_json`. Nothing else formats
a prediction. Keras-free, so that a page or a server can build and show one.

Examples
--------
>>> from skfashion.results import FoundItem, PictureReading
>>> reading = PictureReading("outfit.png", "items anywhere")
>>> reading.items.append(FoundItem(1, 0.97, box=[4, 2, 20, 30]))
>>> reading.lines()
['outfit.png: Trouser 0.97 box [4, 2, 20, 30] (read as items anywhere)']
>>> reading.to_json()["items"]
[{'class': 'Trouser', 'score': 0.97, 'box': [4, 2, 20, 30]}]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .datasets import class_name

__all__ = ["FoundItem", "PictureReading"]


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

    def to_json(self) -> dict:
        """The item as JSON: ``{"class", "score"}``, ``box`` or ``cell`` if any."""
        item = {"class": self.name, "score": round(float(self.score), 4)}
        if self.box is not None:
            item["box"] = [int(v) for v in self.box]
        if self.cell is not None:
            item["cell"] = int(self.cell)
        return item

    as_json = to_json  # the name of 0.2.0.dev0


@dataclass
class PictureReading:
    """What a model found in one picture, or why it could not read it.

    Attributes
    ----------
    path : str
    read_as : {"item", "canvas", "items anywhere"} or None
        None when the picture was not read: it could not be (``error``), or
        the model does not read what it holds (``note``).
    items : list of FoundItem
        Best first; empty when no item was named.
    alternatives : list of FoundItem
        For a single-label model, the next likeliest classes of its one item.
    note : str or None
        Why no item is named, when none is (``"no item found"``, or several
        items where the model reads one).
    error : str or None
        Why the picture could not be read (a damaged file, say).
    size : tuple of (int, int) or None
        ``(width, height)`` of the picture in its file's pixels (those of the
        boxes), when it could be read.
    """

    path: str
    read_as: str | None
    items: list[FoundItem] = field(default_factory=list)
    alternatives: list[FoundItem] = field(default_factory=list)
    note: str | None = None
    error: str | None = None
    size: tuple[int, int] | None = None

    def lines(self) -> list[str]:
        """The lines ``skfashion predict`` prints: one per item anywhere.

        Each says how the picture was read: ``(read as one item)``, ``(read
        as a canvas)`` or ``(read as items anywhere)``; an error is one line
        that starts with the path.
        """
        if self.error is not None:
            error = self.error
            return [error if error.startswith(self.path) else f"{self.path}: {error}"]
        if self.read_as is None:
            return [f"{self.path}: {self.note or 'not read'}"]
        how = {"item": "one item", "canvas": "a canvas"}.get(self.read_as, self.read_as)
        how = f"(read as {how})"
        if self.note or not self.items:
            return [f"{self.path}: {self.note or 'no item found'} {how}"]
        if self.read_as == "items anywhere":
            return [f"{self.path}: {item.text()} {how}" for item in self.items]
        found = ", ".join(i.text() for i in [*self.items, *self.alternatives])
        return [f"{self.path}: {found} {how}"]

    def to_json(self) -> dict:
        """``{"path", "read_as", "items": [...]}``, and ``size`` (``[width,
        height]``) when the picture was read; ``alternatives``, ``error``, and
        a ``note`` for every reading that names no item (``"no item found"``
        when nothing stood out)."""
        reading = {
            "path": self.path,
            "read_as": self.read_as,
            "items": [item.to_json() for item in self.items],
        }
        if self.size is not None:
            reading["size"] = [int(side) for side in self.size]
        if self.alternatives:
            reading["alternatives"] = [item.to_json() for item in self.alternatives]
        note = self.note
        if note is None and not self.items and self.error is None:
            note = "no item found"
        for key, value in (("note", note), ("error", self.error)):
            if value:
                reading[key] = value
        return reading

    as_json = to_json  # the name of 0.2.0.dev0
