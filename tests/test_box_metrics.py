"""Item scores of boxes, and mAP@0.5 checked against pycocotools."""

import contextlib
import io

import numpy as np
import pytest
from asserts import assert_allclose

from skfashion.box_metrics import box_iou, item_scores, mean_average_precision


def _canvases(seed, n=40, n_classes=4):
    """True items and noisy predictions: shifted, misnamed, missed, invented."""
    rng = np.random.RandomState(seed)
    truth, found = [], []
    for _ in range(n):
        k = rng.randint(0, 5)
        xy = rng.randint(0, 80, size=(k, 2))
        wh = rng.randint(8, 30, size=(k, 2))
        rows = np.column_stack([rng.randint(n_classes, size=k), xy, xy + wh])
        truth.append(rows)
        keep = rng.rand(k) > 0.15
        guess = rows[keep].astype(float)
        guess[:, 1:] += rng.randint(-3, 4, size=(len(guess), 4))  # boxes stay boxes
        wrong = rng.rand(len(guess)) < 0.1
        guess[wrong, 0] = rng.randint(n_classes, size=wrong.sum())
        extra = rng.randint(0, 3)
        xy = rng.randint(0, 80, size=(extra, 2))
        invented = np.column_stack([rng.randint(n_classes, size=extra), xy, xy + 15])
        rows = np.vstack([guess, invented]) if extra else guess
        scores = rng.rand(len(rows))
        found.append(np.column_stack([rows, scores]) if len(rows) else np.zeros((0, 6)))
    return truth, found


def _coco_map(truth, found):
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    images, annotations, detections = [], [], []
    for i, (rows, guesses) in enumerate(zip(truth, found, strict=True)):
        images.append({"id": i})
        for c, x0, y0, x1, y1 in rows:
            annotations.append(
                {
                    "id": len(annotations) + 1,
                    "image_id": i,
                    "category_id": int(c),
                    "bbox": [float(x0), float(y0), float(x1 - x0), float(y1 - y0)],
                    "area": float((x1 - x0) * (y1 - y0)),
                    "iscrowd": 0,
                }
            )
        for c, x0, y0, x1, y1, s in guesses:
            detections.append(
                {
                    "image_id": i,
                    "category_id": int(c),
                    "bbox": [x0, y0, x1 - x0, y1 - y0],
                    "score": float(s),
                }
            )
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO()
        coco.dataset = {
            "images": images,
            "annotations": annotations,
            "categories": [{"id": c} for c in range(4)],
        }
        coco.createIndex()
        evaluation = COCOeval(coco, coco.loadRes(detections), "bbox")
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return evaluation.stats[1]  # AP at IoU 0.5, every area, 100 detections


@pytest.mark.parametrize("seed", range(4))
def test_map_at_half_iou_is_cocos(seed):
    pytest.importorskip("pycocotools")
    truth, found = _canvases(seed)
    assert_allclose(mean_average_precision(truth, found), _coco_map(truth, found))


def test_perfect_and_empty_predictions():
    truth, _ = _canvases(0)
    perfect = [np.column_stack([t, np.ones(len(t))]) for t in truth]
    assert mean_average_precision(truth, perfect) == 1.0
    scores = item_scores(truth, perfect)
    assert scores == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "count_accuracy": 1.0}
    nothing = [np.zeros((0, 6))] * len(truth)
    assert mean_average_precision(truth, nothing) == 0.0
    assert item_scores(truth, nothing)["recall"] == 0.0


def test_items_need_the_right_class_and_enough_overlap():
    truth = [[[2, 0, 0, 10, 10], [-1, -1, -1, -1, -1]]]  # a row of -1: no item
    assert box_iou([[0, 0, 10, 10]], [[5, 0, 15, 10]])[0, 0] == pytest.approx(1 / 3)
    for guess, f1 in [
        ([2, 0, 0, 10, 10, 0.5], 1.0),
        ([1, 0, 0, 10, 10, 0.5], 0.0),  # the wrong class
        ([2, 5, 0, 15, 10, 0.5], 0.0),  # IoU 1/3
        ([2, 2, 0, 12, 10, 0.5], 1.0),  # IoU 2/3
    ]:
        assert item_scores(truth, [[guess]])["f1"] == f1
    with pytest.raises(ValueError, match="1 canvases of truth but 2"):
        item_scores(truth, [[], []])
