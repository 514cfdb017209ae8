"""The heads of :class:`~skfashion.models.MultiLabelTransfer`, and their registry.

A head is a part (:class:`Head`): the checks, shapes, network, training
stream, thresholds, prediction and picture reading of one way to read a
canvas. :data:`HEADS` is the one list of their names: the estimator's
``head`` parameter, the command line's ``--head`` choices and the recipes
read it. Three heads ship:

``"dense"`` (:class:`DenseHead`)
    The tutorial's dense sigmoid head on the whole canvas.
``"cells"`` (:class:`CellsHead`)
    A softmax head per cell that names, counts and places items on a grid.
``"anywhere"`` (:class:`AnywhereHead`)
    Finds, names and boxes items anywhere, on canvases of any size.

A new head is a :class:`Head` subclass registered with :func:`register_head`;
importing this package needs neither Keras (heads import it when they build)
nor scikit-learn: exported models predict with these heads.

Examples
--------
>>> from skfashion.heads import HEADS, get_head
>>> sorted(HEADS)
['anywhere', 'cells', 'dense']
>>> sorted(get_head("cells").provides)
['predict_cell_proba', 'predict_counts', 'predict_layout']
"""

from __future__ import annotations

from .anywhere import AnywhereHead
from .base import Head, check_threshold
from .cells import CellsHead
from .dense import DenseHead

__all__ = [
    "HEADS",
    "AnywhereHead",
    "CellsHead",
    "DenseHead",
    "Head",
    "check_threshold",
    "get_head",
    "head_of",
    "register_head",
]

#: ``{name: Head subclass}``, in the order registered.
HEADS: dict[str, type[Head]] = {}


def register_head(head: type[Head]) -> type[Head]:
    """Register a :class:`Head` subclass under its ``name`` (a decorator).

    Parameters
    ----------
    head : type
        A subclass of :class:`Head` with a ``name``.

    Returns
    -------
    head : type
        The same class.

    Raises
    ------
    ValueError
        If the name is empty or another class has it already.
    """
    if not (isinstance(head, type) and issubclass(head, Head)) or not head.name:
        raise ValueError("register_head takes a Head subclass with a name")
    known = HEADS.get(head.name)
    if known is not None and known is not head:
        raise ValueError(f"a head named {head.name!r} is registered already")
    HEADS[head.name] = head
    return head


def get_head(name: str) -> type[Head]:
    """The :class:`Head` subclass registered as ``name``.

    Raises
    ------
    ValueError
        If no head has that name; the message lists the names.
    """
    try:
        return HEADS[name]
    except (KeyError, TypeError):
        raise ValueError(f"head must be one of {sorted(HEADS)}, got {name!r}") from None


def head_of(model) -> Head | None:
    """The head part of a fitted multi-label model (a Pipeline's last step's).

    None for a model without a head (a single-label ``CNNClassifier``).
    """
    from ..pipelines import last_step

    model = last_step(model)
    name = getattr(model, "head", None)
    return None if name is None else get_head(name)(model)


for _head in (DenseHead, CellsHead, AnywhereHead):
    register_head(_head)
