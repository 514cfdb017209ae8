"""Scores of items found anywhere: boxes matched to the truth by IoU.

The truth of a canvas is rows ``(class, x0, y0, x1, y1)`` (as
:attr:`MultiObjectComposer.boxes_ <skfashion.augment.MultiObjectComposer>`
gives them; rows of -1 are no item); a prediction is rows
``(class, x0, y0, x1, y1, score)``. Boxes are in pixels, ends exclusive.

:func:`mean_average_precision` follows COCO's definition (pycocotools'
``COCOeval``, checked against it in the tests): per class, detections of
every canvas sorted by score, each matched greedily to the unmatched true box
of its class with the highest IoU at or above the threshold, precision made
monotone and read at 101 recall points; the mean over the classes that
occur in the truth.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "box_iou",
    "box_overlaps",
    "item_scores",
    "labels_of_boxes",
    "match_boxes",
    "mean_average_precision",
]


def box_overlaps(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, ...]:
    """Pairwise intersections of boxes ``a`` and ``b``, and each box's area.

    Parameters
    ----------
    a, b : ndarray of shape (..., m, 4) and (..., k, 4)
        Boxes ``(x0, y0, x1, y1)``; leading dimensions are batches, broadcast.

    Returns
    -------
    inter : ndarray of shape (..., m, k)
    area_a : ndarray of shape (..., m, 1)
    area_b : ndarray of shape (..., 1, k)

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.box_metrics import box_overlaps
    >>> inter, area_a, area_b = box_overlaps([[0, 0, 4, 4]], [[2, 0, 6, 4]])
    >>> inter.tolist(), area_a.tolist(), area_b.tolist()
    ([[8.0]], [[16.0]], [[16.0]])
    """
    a, b = np.asarray(a, float)[..., :, None, :], np.asarray(b, float)[..., None, :, :]
    x0 = np.maximum(a[..., 0], b[..., 0])
    y0 = np.maximum(a[..., 1], b[..., 1])
    x1 = np.minimum(a[..., 2], b[..., 2])
    y1 = np.minimum(a[..., 3], b[..., 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    return inter, area_a, area_b


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(m, k) intersection over union of (m, 4) boxes ``a`` and (k, 4) ``b``.

    Leading dimensions are batches (of canvases, say), broadcast: boxes of
    shape (..., m, 4) and (..., k, 4) give (..., m, k).

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.box_metrics import box_iou
    >>> box_iou(np.array([[0, 0, 4, 4]]), np.array([[2, 0, 6, 4], [0, 0, 4, 4]]))
    array([[0.33333333, 1.        ]])
    """
    inter, area_a, area_b = box_overlaps(a, b)
    union = area_a + area_b - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def labels_of_boxes(
    boxes: Sequence, n_classes: int, *, values: np.ndarray | None = None
) -> np.ndarray:
    """(n, n_classes): per canvas, the largest value of an item of each class.

    Parameters
    ----------
    boxes : sequence of array-like of shape (k, 5) or (k, 6)
        Each canvas's items, the class first; rows of -1 are no item.
    n_classes : int
    values : ndarray of shape (total items,), default=None
        A value per item, in order (the scores, say); ``None``: 1, so the
        result is the multi-hot classes.

    Examples
    --------
    >>> from skfashion.box_metrics import labels_of_boxes
    >>> labels_of_boxes([[[2, 0, 0, 5, 5]], [[-1] * 5]], 3).tolist()
    [[0.0, 0.0, 1.0], [0.0, 0.0, 0.0]]
    """
    rows = [np.asarray(b, dtype=float) for b in boxes]
    rows = [r.reshape(len(r), -1) if r.size else r.reshape(0, 6) for r in rows]
    canvas = np.repeat(np.arange(len(rows)), [len(r) for r in rows])
    classes = np.concatenate([r[:, 0] for r in rows]).astype(int) if rows else []
    values = np.ones(len(canvas)) if values is None else np.asarray(values)
    present = np.asarray(classes) >= 0
    labels = np.zeros((len(rows), n_classes))
    np.maximum.at(
        labels, (canvas[present], np.asarray(classes)[present]), values[present]
    )
    return labels


def _truth(rows) -> np.ndarray:
    rows = np.asarray(rows).reshape(-1, 5)
    return rows[rows[:, 0] >= 0]


def _predicted(rows) -> np.ndarray:
    return np.asarray(rows, dtype=float).reshape(-1, 6)


def match_boxes(
    truth, predicted, *, iou_threshold: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """Which predicted items of one canvas are right, and which true ones found.

    Parameters
    ----------
    truth : array-like of shape (k, 5)
        ``(class, x0, y0, x1, y1)``; rows of -1 are no item (and left out).
    predicted : array-like of shape (j, 6)
        ``(class, x0, y0, x1, y1, score)``.
    iou_threshold : float, default=0.5

    Returns
    -------
    right : ndarray of shape (j,), dtype bool
        Per prediction, in the given order.
    found : ndarray of shape (k',), dtype bool
        Per true item (rows of -1 left out).
    """
    truth, predicted = _truth(truth), _predicted(predicted)
    order, hit, taken = _matches(truth, predicted, iou_threshold, with_truth=True)
    right = np.zeros(len(predicted), dtype=bool)
    right[order] = hit
    return right, taken


def _matches(truth, predicted, iou_threshold, *, with_truth=False):
    """Whether each prediction (best score first) matches a true item.

    COCO's greedy rule: a prediction takes the unmatched true box of its
    class with the highest IoU, if that IoU reaches the threshold.
    """
    order = np.argsort(-predicted[:, 5], kind="mergesort")
    predicted = predicted[order]
    hit = np.zeros(len(predicted), dtype=bool)
    taken = np.zeros(len(truth), dtype=bool)
    if len(truth) and len(predicted):
        iou = box_iou(predicted[:, 1:5], truth[:, 1:5])
        same = predicted[:, :1] == truth[None, :, 0]
        for i in range(len(predicted)):  # a canvas's few items, in score order
            candidates = np.where(same[i] & ~taken, iou[i], -1.0)
            best = len(candidates) - 1 - int(candidates[::-1].argmax())  # COCO: last
            if candidates[best] >= min(iou_threshold, 1 - 1e-10):
                hit[i] = taken[best] = True
    return (order, hit, taken) if with_truth else (predicted, hit)


def item_scores(
    boxes_true: Sequence, boxes_pred: Sequence, *, iou_threshold: float = 0.5
) -> dict[str, float]:
    """Precision, recall and F1 of items: right class and IoU >= the threshold.

    Parameters
    ----------
    boxes_true : sequence of array-like of shape (k, 5)
        Each canvas's true items ``(class, x0, y0, x1, y1)``; rows of -1 are
        no item.
    boxes_pred : sequence of array-like of shape (j, 6)
        Each canvas's predicted items ``(class, x0, y0, x1, y1, score)``.
    iou_threshold : float, default=0.5

    Returns
    -------
    scores : dict
        ``precision``, ``recall``, ``f1``, and ``count_accuracy`` (canvases
        with the right number of items).

    Examples
    --------
    >>> from skfashion.box_metrics import item_scores
    >>> truth = [[[3, 0, 0, 10, 10]], [[1, 5, 5, 20, 20], [-1] * 5]]
    >>> found = [[[3, 1, 0, 10, 10, 0.9]], [[2, 5, 5, 20, 20, 0.8]]]
    >>> item_scores(truth, found)["f1"]
    0.5
    """
    if len(boxes_true) != len(boxes_pred):
        raise ValueError(
            f"{len(boxes_true)} canvases of truth but {len(boxes_pred)} predicted"
        )
    hits = n_true = n_pred = right_counts = 0
    for true_rows, pred_rows in zip(boxes_true, boxes_pred, strict=True):
        truth, predicted = _truth(true_rows), _predicted(pred_rows)
        _, hit = _matches(truth, predicted, iou_threshold)
        hits += int(hit.sum())
        n_true += len(truth)
        n_pred += len(predicted)
        right_counts += len(truth) == len(predicted)
    precision = hits / n_pred if n_pred else 1.0
    recall = hits / n_true if n_true else 1.0
    f1 = 2 * hits / (n_true + n_pred) if n_true + n_pred else 1.0
    return {
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "count_accuracy": right_counts / len(boxes_true) if len(boxes_true) else 1.0,
    }


def mean_average_precision(
    boxes_true: Sequence, boxes_pred: Sequence, *, iou_threshold: float = 0.5
) -> float:
    """COCO-style mean average precision at one IoU threshold (mAP@0.5).

    Parameters
    ----------
    boxes_true, boxes_pred, iou_threshold
        As in :func:`item_scores`.

    Returns
    -------
    map : float
        The mean, over the classes in the truth, of the area under each
        class's precision-recall curve read at 101 recall points.

    Examples
    --------
    >>> from skfashion.box_metrics import mean_average_precision
    >>> truth = [[[0, 0, 0, 10, 10]], [[0, 5, 5, 20, 20]]]
    >>> found = [[[0, 0, 0, 10, 10, 0.9]], [[0, 30, 30, 40, 40, 0.95]]]
    >>> round(mean_average_precision(truth, found), 4)
    0.2525
    """
    if len(boxes_true) != len(boxes_pred):
        raise ValueError(
            f"{len(boxes_true)} canvases of truth but {len(boxes_pred)} predicted"
        )
    scores, hits, labels, n_true = [], [], [], {}
    for true_rows, pred_rows in zip(boxes_true, boxes_pred, strict=True):
        truth, predicted = _truth(true_rows), _predicted(pred_rows)
        for label in np.unique(truth[:, 0]):
            n_true[int(label)] = n_true.get(int(label), 0) + int(
                (truth[:, 0] == label).sum()
            )
        predicted, hit = _matches(truth, predicted, iou_threshold)
        scores.append(predicted[:, 5])
        hits.append(hit)
        labels.append(predicted[:, 0])
    if not n_true:
        raise ValueError("no true items: mean average precision is undefined")
    scores, hits, labels = map(np.concatenate, (scores, hits, labels))
    recall_points = np.linspace(0, 1, 101)
    precisions = []
    for label, count in sorted(n_true.items()):
        mine = labels == label
        order = np.argsort(-scores[mine], kind="mergesort")
        tp = np.cumsum(hits[mine][order])
        fp = np.cumsum(~hits[mine][order])
        recall = tp / count
        precision = tp / np.maximum(tp + fp, np.finfo(float).eps)
        precision = np.maximum.accumulate(precision[::-1])[::-1]  # monotone
        at = np.searchsorted(recall, recall_points, side="left")
        read = np.zeros(len(recall_points))
        inside = at < len(precision)
        read[inside] = precision[at[inside]]
        precisions.append(read.mean())
    return float(np.mean(precisions))
