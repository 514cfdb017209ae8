"""What skfashion finds in a user's picture: one item, a canvas, or items.

:func:`read_picture` is what ``skfashion predict`` runs for every file, and
what Python callers use for pictures (a model's ``predict`` takes arrays).
With no model it reads any picture with the shipped models
(:data:`skfashion.zoo.READERS`); with a model, as that model can. It chooses
how to read the picture, and says so:

``"item"``
    Single-label models, and multi-label models of whole canvases given a
    picture of another size: the picture's one item is cut out
    (:func:`~skfashion.images.item_from_picture`). A model of one item given
    a picture of several separate shapes of ink does not name them: the
    reading says how many it holds, and which shipped model reads them.
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

With no model: a picture of the grid canvas's size (56x56) is read as a
canvas by the shipped cells head; any other is searched by the shipped
finder, and read as items anywhere if it finds two items or more (each box
then cut from the picture at its own size and named by the mean of the
shipped namer of cut items, ``READERS["namer"]``, and the most accurate
shipped model of one item; its score is that mean probability of its
class), else as one item by the most accurate shipped model of one item.

A picture in which nothing stands out from the background reads as no item,
for every model.
"""

from __future__ import annotations

import os

import numpy as np

from .pipelines import last_step
from .results import FoundItem, PictureReading

__all__ = [
    "AS",
    "FoundItem",
    "PictureReading",
    "error_reason",
    "read_picture",
    "read_pictures",
]

#: The ways ``read_picture(as_=...)`` can read a picture.
AS = ("auto", "item", "canvas")


def _shown_size(image) -> tuple[int, int]:
    """``(width, height)`` of a decoded picture in its file's pixels, as shown
    (its EXIF orientation applied: the frame of the readers' boxes)."""
    size = image.info.get("original_size", image.size)
    try:
        turned = image.getexif().get(0x0112) in (5, 6, 7, 8)  # a quarter turn
    except Exception:  # a damaged EXIF block: read as stored
        turned = False
    return tuple(size[::-1] if turned else size)


def _is_canvas(size, net, as_: str) -> bool:
    """``auto``: a picture of exactly the model's canvas size is a canvas."""
    if as_ != "auto":
        return as_ == "canvas"
    return size is not None and (size[1], size[0]) == tuple(net.input_shape_)


def _name(picture) -> str:
    if isinstance(picture, str | os.PathLike):
        return str(picture)
    return getattr(picture, "name", "the picture")


def read_picture(
    picture, model=None, *, as_: str = "auto", top: int = 3, name: str | None = None
) -> PictureReading:
    """Read a picture (a file or a PIL image) with a fitted skfashion model.

    Parameters
    ----------
    picture : str, path-like, binary file or PIL.Image.Image
        Any picture Pillow reads.
    model : CNNClassifier, MultiLabelTransfer, Pipeline ending in one, \
            ExportedModel, str or None
        A fitted model (as :func:`skfashion.load` or
        :func:`skfashion.load_exported` returns), or a shipped model's name
        (its ONNX twin: :func:`skfashion.zoo.shared`). None (the default): the
        shipped models, each where it reads best (see the module's
        description).
    as_ : {"auto", "item", "canvas"}, default="auto"
        Read the picture as one item, as a canvas, or as the model suits
        (see the module's description). A model of items anywhere reads every
        picture as items anywhere; ``"canvas"`` keeps the picture's own scale.
    top : int, default=3
        Classes given for a single-label model.
    name : str, default=None
        What the reading calls the picture (``path``); default: its path, or
        its file object's ``name``.

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

    With no model, the shipped ones read it:

    >>> trouser = np.zeros((28, 28), np.uint8)
    >>> trouser[2:26, 9:13] = trouser[2:26, 15:19] = trouser[2:6, 9:19] = 200
    >>> photo = Image.fromarray(255 - np.kron(trouser, np.ones((4, 4), np.uint8)))
    >>> reading = read_picture(photo)
    >>> reading.read_as, reading.items[0].name, reading.size
    ('item', 'Trouser', (112, 112))
    """
    from PIL import Image

    from .images import decode

    if as_ not in AS:
        raise ValueError(f"as_ must be one of {AS}, got {as_!r}")
    name = _name(picture) if name is None else name
    if not isinstance(picture, Image.Image):
        picture = decode(picture)  # once, for every model that reads it
    size = _shown_size(picture)
    if isinstance(model, str):
        from .zoo import shared

        model = shared(model)
    if model is None:
        return _read_with_shipped(picture, name, size, as_, top)
    return _read_with(picture, name, model, size, as_, top)


def _read_with_shipped(image, name, size, as_, top) -> PictureReading:
    """The shipped models' reading: each where it reads best."""
    from .zoo import READERS, shared

    canvas_model = shared(READERS["canvas"])
    if as_ == "canvas" or _is_canvas(size, canvas_model, as_):
        return _read_with(image, name, canvas_model, size, "canvas", top)
    if as_ == "auto":
        finder = shared(READERS["items anywhere"])
        found = _read_with(image, name, finder, size, as_, top)
        if len(found.items) >= 2:
            namers = shared(READERS["namer"]), shared(READERS["item"])
            return _named_again(image, found, finder, namers)
    # one item (the finder saw no more): named by the best model of one item
    return _read_with(image, name, shared(READERS["item"]), size, "item", top, one=True)


def _named_again(image, reading, finder, namers) -> PictureReading:
    """The items found, each named again from the picture at its own size.

    Each box is cut from the picture itself (:func:`~skfashion.images.cut_items`),
    and named by the mean of the ``namers``, models of one item. By default
    the shipped namer of cut items and the most accurate model of one item:
    on 150 photos of 2-4 items apart, 150 light on dark, 150 of items
    touching in a row and 30 large JPEGs (``benchmarks/bench_reader.py --n
    300``), item F1 0.898, 0.881, 0.832, 0.893, against 0.877, 0.876, 0.800,
    0.893 named by the finder's namer and the model of one item, and 0.893,
    0.885, 0.822, 0.881 by the namer of cut items alone. On 300, 300, 300
    and 60 other such photos (drawn as that script draws them, seeds 11, 15,
    12, 13): 0.917, 0.879, 0.822, 0.874, against 0.909, 0.869, 0.825, 0.868
    by the namer of cut items alone and 0.911, 0.872, 0.791, 0.880 by the
    model of one item alone.
    """
    from .boxes import mean_namer
    from .images import cut_items

    classes = np.asarray(last_step(finder).classes_)
    try:
        namer = mean_namer(namers, classes)
    except ValueError:
        return reading  # they name different things: the finder's names stand
    proba = namer(cut_items(image, [item.box for item in reading.items]))
    for item, named in zip(reading.items, proba, strict=True):
        item.label = classes[named.argmax()].item()
        item.score = float(named.max())
    reading.items.sort(key=lambda item: -item.score)  # best first, as before
    return reading


def _read_with(image, name, model, size, as_, top, *, one=False) -> PictureReading:
    """``model``'s reading of the decoded ``image``; ``one``: it holds one
    item, whatever its shapes."""
    from .heads import head_of
    from .images import NoItemError, canvas_from_picture, item_from_picture

    net = last_step(model)
    head = head_of(net)
    reading = PictureReading(name, "item", size=size)
    if head is not None and head.read_picture(image, reading, as_):
        return reading
    if _is_canvas(size, net, as_):
        reading.read_as = "canvas"
        canvas = canvas_from_picture(image, net.input_shape_)
        if canvas.any():
            reading.items = _describe(model, head, canvas[np.newaxis], top)
        return _split_alternatives(reading, head)
    try:
        item, shapes = item_from_picture(image, return_shapes=True)
    except NoItemError:
        return reading
    if shapes > 1 and not one:
        from .zoo import READERS

        finder = READERS["items anywhere"]
        reading.read_as = None
        reading.note = (
            f"{shapes} separate items, but this model reads one item per "
            f"picture: read them with the shipped {finder!r} (skfashion "
            f"predict --model {finder}), or with no --model"
        )
        return reading
    reading.items = _describe(model, head, _as_input(item, net, model), top)
    return _split_alternatives(reading, head)


def _split_alternatives(reading, head):
    """A single-label model names one item: its other classes are alternatives."""
    if head is None:
        reading.items, reading.alternatives = reading.items[:1], reading.items[1:]
    return reading


def _as_input(item, net, model):
    """An item as a batch of one image the model takes."""
    shape = net.input_shape_
    cells_network = getattr(net, "cell_shape_", None) is not None
    if shape != item.shape and net is model and not cells_network:
        # a network of whole canvases: the item goes in the first cell
        from .augment import QuadrantExpander

        grid = (shape[0] // item.shape[0], shape[1] // item.shape[1])
        item = QuadrantExpander(grid, cell=0).fit_transform(item[None])[0]
    return item[np.newaxis]


def _describe(model, head, batch, top: int) -> list[FoundItem]:
    """What the model finds in a batch of one picture, best first."""
    if head is not None:
        return head.found_items(batch)
    proba = model.predict_proba(batch)[0]
    best = np.argsort(proba)[::-1][:top]
    return [
        FoundItem(label.item() if hasattr(label, "item") else label, float(p))
        for label, p in zip(last_step(model).classes_[best], proba[best], strict=True)
    ]


def read_pictures(
    paths,
    model=None,
    *,
    as_: str = "auto",
    top: int = 3,
    decoders: int = 2,
    errors: str = "report",
):
    """Read many picture files in order, decoding ahead while the model reads.

    ``decoders`` threads decode the next pictures (Pillow's decoders let
    other threads run) while the model reads the current one; at most
    ``4 * decoders`` decoded pictures wait at a time, so memory stays bounded
    however many paths are given. A picture that cannot be read gives a
    reading with its ``error``; the others go on.

    Parameters
    ----------
    paths : iterable of str or path-like
    model : as :func:`read_picture`'s
    as_, top : as :func:`read_picture`'s
    decoders : int, default=2
    errors : {"report", "raise"}, default="report"
        A picture that cannot be read gives an error reading, or raises.

    Yields
    ------
    reading : PictureReading
        One per path, in order.

    Examples
    --------
    >>> from skfashion.reading import read_pictures
    >>> from skfashion.zoo import example_picture
    >>> paths = [example_picture("product"), "missing.png"]
    >>> [(r.read_as, r.error is None) for r in read_pictures(paths)]
    [('item', True), (None, False)]
    """
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    from .images import decode

    if as_ not in AS:
        raise ValueError(f"as_ must be one of {AS}, got {as_!r}")
    paths = iter(paths)
    with ThreadPoolExecutor(decoders) as pool:
        waiting = deque()

        def queue_next() -> None:
            path = next(paths, None)
            if path is not None:
                waiting.append((str(path), pool.submit(decode, path)))

        for _ in range(4 * decoders):
            queue_next()
        while waiting:
            path, decoded = waiting.popleft()
            queue_next()
            try:
                yield read_picture(decoded.result(), model, as_=as_, top=top, name=path)
            except Exception as exc:  # one picture never stops the rest
                if errors == "raise":
                    raise
                yield PictureReading(path, None, error=error_reason(exc))


def error_reason(exc: Exception) -> str:
    """One line saying why a picture could not be read."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror  # the reading names the file
    if isinstance(exc, ValueError | OSError):
        return str(exc)
    return f"could not be read ({type(exc).__name__}: {exc})"
