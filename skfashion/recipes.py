"""The recipes that ``skfashion train``, ``evaluate`` and ``demo`` share.

Each step is one function: build and fit the single-label CNN, build and fit
the multi-label head on it, evaluate either on test items, and strip the
training-only settings before a model is saved. The command line
(:mod:`skfashion.cli`) and the demo (:mod:`skfashion.report`) only choose the
arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .augment import MultiObjectComposer, QuadrantExpander
from .metrics import (
    labels_from_layout,
    layout_summary,
    multilabel_summary,
    subset_accuracy_by_count,
)

__all__ = [
    "AnywhereEvaluation",
    "MultiLabelEvaluation",
    "evaluate",
    "evaluate_anywhere",
    "evaluate_multi_label",
    "evaluate_single_label",
    "fit_multi_label",
    "fit_namer",
    "fit_single_label",
    "for_saving",
    "multi_label",
    "namer",
    "single_label",
]


def single_label(
    preset: str = "fast",
    *,
    fresh: bool = False,
    seed: int = 0,
    verbose: int = 0,
    **params,
):
    """The single-label CNN of ``preset``; ``None`` in ``params`` keeps the preset's.

    ``fresh``: draw new canvases from the raw items every batch
    (``augment=QuadrantExpander()``).
    """
    from .models import CNNClassifier

    params = {key: value for key, value in params.items() if value is not None}
    if "filters" in params:
        params["filters"] = tuple(params["filters"])
    return CNNClassifier.from_preset(
        preset,
        augment=QuadrantExpander() if fresh else None,
        random_state=seed,
        verbose=verbose,
        **params,
    )


def fit_single_label(cnn, X, y, *, seed: int = 0):
    """Fit ``cnn`` on raw items: as they are with ``augment``, else expanded once."""
    if cnn.augment is None:
        X = QuadrantExpander(random_state=seed).fit_transform(X)
    return cnn.fit(X, y)


def namer(base, *, learning_rate: float = 5e-4, verbose: int = 0):
    """A copy of the fitted single-label ``base``, to train on as a namer.

    A namer names the items a finder cuts from a picture (:func:`fit_namer`
    trains it); ``base`` is not changed.
    """
    import copy

    model = copy.deepcopy(base)
    return model.set_params(epochs=1, learning_rate=learning_rate, verbose=verbose)


def fit_namer(model, X, y, *, draws: int = 3, seed: int = 0):
    """Train the fitted ``model`` further on items cut from composites.

    One epoch over ``draws`` cuts of each raw item
    (:class:`~skfashion.cuts.ItemCutter`: drawn among others, resized 0.5 to
    2.4 times, touching or covered, cut from jittered boxes) and the items
    themselves, shuffled, at ``model``'s learning rate (a new warm-up and
    cosine). On 2,000 test items cut at 18 / 28 / 90 pixels, ``strong``
    names 0.768 / 0.923 / 0.902 of them, and trained on three draws of cuts
    alone 0.903 / 0.923 / 0.928 (its Fashion-MNIST test accuracy 0.947 ->
    0.935: hence the items themselves beside the cuts).
    """
    from .cuts import ItemCutter

    cutter = ItemCutter(n_samples=draws * len(X), random_state=seed)
    cuts, labels = cutter.fit_resample(X, y)
    X = np.concatenate([cuts, np.asarray(X, cuts.dtype).reshape(-1, *cuts.shape[1:])])
    y = np.concatenate([labels, np.asarray(y)])
    grid = np.divmod(model.image_shape_, cutter.image_shape_)[0]
    if model.augment_ is None and (grid > 1).any():  # as it was fitted: expanded
        X = QuadrantExpander(tuple(grid), random_state=seed).fit_transform(X)
    model.set_params(warm_start=True)
    try:
        return model.fit(X, y)
    finally:
        model.set_params(warm_start=False)  # a later fit starts afresh


def multi_label(
    base,
    *,
    head: str = "cells",
    fresh: bool = False,
    fine_tune: bool = False,
    seed: int = 0,
    verbose: int = 0,
    **params,
):
    """The multi-label head on ``base``; ``None`` in ``params`` keeps the default.

    The head's own training settings (:attr:`Head.training
    <skfashion.heads.Head>`) come first, ``params`` over them. A head with
    default composites (:attr:`Head.composites <skfashion.heads.Head>`: the
    cells and anywhere heads) learns from fresh ones drawn while training;
    the dense head from one fixed set of composites' labels, or fresh ones
    (``fresh``).
    """
    from .heads import get_head
    from .models import MultiLabelTransfer

    part = get_head(head)
    params = {key: value for key, value in params.items() if value is not None}
    params = {**part.training, **params}
    augment = MultiObjectComposer() if fresh else None
    if part.composites is not None:
        augment = MultiObjectComposer(**part.composites)
    return MultiLabelTransfer(
        base,
        head=head,
        fine_tune=fine_tune,
        augment=augment,
        random_state=seed,
        verbose=verbose,
        **params,
    )


def fit_multi_label(transfer, X, y, *, seed: int = 0):
    """Fit ``transfer`` on raw items: composed while training, or once here."""
    if transfer.augment is None:
        X, y = MultiObjectComposer(random_state=seed).fit_resample(X, y)
    return transfer.fit(X, y)


def for_saving(model):
    """``model`` without the settings that only training needs.

    Keras' progress lines (``verbose``) and the checkpoint folder stay out of
    a saved model, its multi-label ``base`` included.
    """
    from sklearn.pipeline import Pipeline

    estimators = [model]
    while estimators:
        estimator = estimators.pop()
        if isinstance(estimator, Pipeline):
            estimators += [step for _, step in estimator.steps]
            continue
        params = estimator.get_params(deep=False)
        estimator.set_params(
            **{
                k: v
                for k, v in (("verbose", 0), ("checkpoint_dir", None))
                if k in params
            }
        )
        for name in ("base", "base_estimator_"):
            if getattr(estimator, name, None) is not None:
                estimators.append(getattr(estimator, name))
    return model


def evaluate_single_label(model, images, labels, *, seed: int = 1) -> dict:
    """Accuracy on test items, each in a random quadrant (a Pipeline places them)."""
    if not hasattr(model, "steps"):
        images = QuadrantExpander(random_state=seed).fit_transform(images)
    return {"accuracy": float(model.score(images, labels))}


@dataclass
class MultiLabelEvaluation:
    """A multi-label model's scores on test composites, and what they came from."""

    canvases: np.ndarray
    Y: np.ndarray
    Y_pred: np.ndarray
    layout: np.ndarray  # the class in each cell, -1 where empty
    layout_pred: np.ndarray | None  # a head of cells'; None for the others
    summary: dict = field(default_factory=dict)


def evaluate_multi_label(
    model, images, labels, *, seed: int = 1
) -> MultiLabelEvaluation:
    """Scores on composites of test items: labels and, for the cells head, cells."""
    composer = MultiObjectComposer(random_state=seed)
    canvases, Y = composer.fit_resample(images, labels)
    layout_pred = None
    if hasattr(model, "predict_layout"):  # the labels are the layout's classes
        layout_pred = model.predict_layout(canvases)
        Y_pred = labels_from_layout(layout_pred, len(model.classes_))
    else:
        Y_pred = model.predict(canvases)
    summary = multilabel_summary(Y, Y_pred)
    counts = (composer.layout_ >= 0).sum(axis=1)
    summary["subset_accuracy_by_count"] = subset_accuracy_by_count(Y, Y_pred, counts)
    if layout_pred is not None:
        summary.update(layout_summary(composer.layout_, layout_pred))
    return MultiLabelEvaluation(
        canvases, Y, Y_pred, composer.layout_, layout_pred, summary
    )


@dataclass
class AnywhereEvaluation:
    """An anywhere head's scores on test composites of items anywhere."""

    canvases: np.ndarray
    boxes: np.ndarray  # (n, slots, 5) true items
    found: list  # predict_boxes' rows per canvas
    summary: dict = field(default_factory=dict)


def evaluate_anywhere(
    model, images, labels, *, seed: int = 1, n: int | None = None
) -> AnywhereEvaluation:
    """Boxes, counts and labels on 112x112 composites of 0 to 6 items anywhere.

    The items are resized to 21 to 42 pixels and kept 2 pixels apart
    (``MultiObjectComposer(placement="anywhere")``, seeded); scored with
    :mod:`skfashion.box_metrics`.
    """
    from .box_metrics import item_scores, labels_of_boxes, mean_average_precision

    composer = MultiObjectComposer(
        n or len(images),
        placement="anywhere",
        canvas_shape=(112, 112),
        scale=(0.75, 1.5),
        max_objects=6,
        min_gap=2,
        random_state=seed,
    )
    canvases, Y = composer.fit_resample(np.asarray(images).reshape(-1, 28, 28), labels)
    found = model.predict_boxes(canvases)
    summary = {
        "map50": mean_average_precision(
            composer.boxes_, model.predict_boxes(canvases, threshold=0.05)
        ),
        **item_scores(composer.boxes_, found),
        "subset_accuracy": float(
            (labels_of_boxes(found, Y.shape[1]) == Y).all(axis=1).mean()
        ),
    }
    return AnywhereEvaluation(canvases, composer.boxes_, found, summary)


def evaluate(
    model, images, labels, *, seed: int = 1, n_anywhere: int | None = None
) -> dict:
    """A model's test scores, by what it can do: ``{name: float}``.

    Single-label models: accuracy on expanded items. Multi-label models: the
    scores on grid composites; a model that boxes items (``predict_boxes``)
    also on ``n_anywhere`` composites of items anywhere (``anywhere_...``;
    None: one per item),
    and ``"anywhere_canvases"`` says how many.
    """
    if not hasattr(model, "head"):
        return evaluate_single_label(model, images, labels, seed=seed)
    summary = evaluate_multi_label(model, images, labels, seed=seed).summary
    results = {k: v for k, v in summary.items() if isinstance(v, float)}
    if hasattr(model, "predict_boxes"):
        found = evaluate_anywhere(model, images, labels, seed=seed, n=n_anywhere)
        results.update({f"anywhere_{k}": v for k, v in found.summary.items()})
        results["anywhere_canvases"] = len(found.canvases)
    return results
