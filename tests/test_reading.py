"""read_picture's arguments, and its one result type for every outcome."""

import numpy as np
import pytest
from PIL import Image

from skfashion.models import CNNClassifier
from skfashion.reading import read_picture
from skfashion.report import DemoSettings
from skfashion.results import PictureReading


@pytest.fixture(scope="module")
def model():
    items = np.random.RandomState(0).randint(0, 256, (20, 8, 8), np.uint8)
    return CNNClassifier(filters=(2,), epochs=1, random_state=0).fit(
        items, np.arange(20) % 2
    )


def test_an_unknown_way_to_read_is_refused(model):
    picture = Image.new("L", (30, 30), 255)
    with pytest.raises(ValueError, match=r"as_ must be one of \('auto'"):
        read_picture(picture, model, as_="items")
    assert read_picture(picture, model, as_="item").read_as == "item"


def test_an_error_is_a_reading_too():
    reading = PictureReading("bad.png", None, error="bad.png is truncated")
    assert reading.lines() == ["bad.png is truncated"]
    assert reading.to_json() == {
        "path": "bad.png",
        "read_as": None,
        "items": [],
        "error": "bad.png is truncated",
    }
    assert PictureReading("x.png", None, error="oops").lines() == ["x.png: oops"]


def test_demo_settings_refuse_a_head_the_demo_cannot_train_as_its_first():
    with pytest.raises(ValueError, match="trains the anywhere head after"):
        DemoSettings(head="anywhere")
    with pytest.raises(ValueError, match="head must be one of"):
        DemoSettings(head="nope")


# -- with no model: the shipped readers -------------------------------------------


@pytest.mark.realdata
def test_with_no_model_a_product_photo_is_one_item(fashion_test):
    from photos import as_file, product_photo

    right = 0
    for i in range(10):
        photo = product_photo(fashion_test.images[i], size=(240, 200), random_state=i)
        reading = read_picture(as_file(photo, "JPEG" if i % 2 else "PNG"))
        assert reading.read_as == "item" and reading.size == (240, 200)
        right += reading.items[0].label == fashion_test.target[i]
    assert right >= 9


@pytest.mark.realdata
def test_with_no_model_an_outfit_is_items_boxed_in_the_pictures_pixels(fashion_test):
    from photos import outfit_photo

    from skfashion.box_metrics import box_iou

    found = 0
    for seed in range(3):
        chosen = np.arange(3 * seed, 3 * seed + 3)
        photo, truth = outfit_photo(
            fashion_test.images[chosen], fashion_test.target[chosen], random_state=seed
        )
        height = photo.size[1]
        # the right edge cuts through an item: its box ends at the edge
        cut = int(truth[:, 3].max()) - 10
        photo = photo.crop((0, 0, cut, height))
        reading = read_picture(photo)
        assert reading.read_as == "items anywhere" and reading.size == (cut, height)
        boxes = np.array([item.box for item in reading.items])
        assert (boxes >= 0).all() and (boxes[:, [0, 2]] <= cut).all()
        assert (boxes[:, [1, 3]] <= height).all()
        whole = truth[truth[:, 3] <= cut]
        hits = box_iou(whole[:, 1:], boxes).max(axis=1) >= 0.5
        found += hits.sum()
    assert found >= 5  # of the 6 to 9 items the crops leave whole
    # at the picture's own scale (as_="canvas"), boxes still in its pixels
    from skfashion.zoo import shared

    reading = read_picture(photo, shared("fast-anywhere"), as_="canvas")
    assert reading.read_as == "items anywhere" and reading.size == photo.size
    boxes = np.array([item.box for item in reading.items]).reshape(-1, 4)
    assert (boxes >= 0).all() and (boxes[:, [0, 2]] <= photo.size[0]).all()


@pytest.mark.realdata
def test_with_no_model_found_items_are_named_again_from_the_picture(fashion_test):
    # The finder's namer reads the canvas scaled for the finder (each item
    # resized twice); by default each box is cut from the picture itself and
    # named by the shipped namer of cut items and the best model of one item:
    # of the 120 items of these 40 photos, 106 found and named right by the
    # finder alone, 114 so (110 before the cuts kept their faint pixels).
    from photos import outfit_photo

    from skfashion.box_metrics import item_scores
    from skfashion.images import cut_items
    from skfashion.zoo import READERS, shared

    finder = shared(READERS["items anywhere"])
    namer, best = shared(READERS["namer"]), shared(READERS["item"])
    rng = np.random.RandomState(0)
    truths, found = [], {None: [], "finder": []}
    for _ in range(40):
        chosen = rng.randint(len(fashion_test.images), size=3)
        photo, truth = outfit_photo(
            fashion_test.images[chosen], fashion_test.target[chosen], random_state=rng
        )
        truths.append(truth)
        for key, model in ((None, None), ("finder", finder)):
            items = read_picture(photo, model).items
            rows = [(item.label, *item.box, item.score) for item in items]
            found[key].append(np.array(rows, float).reshape(-1, 6))
    recall = {key: item_scores(truths, rows)["recall"] for key, rows in found.items()}
    assert recall[None] > recall["finder"]
    # what the module says the default reader does
    reading = read_picture(photo)
    items = cut_items(photo, [item.box for item in reading.items])
    proba = namer.predict_proba(items) + best.predict_proba(items)
    assert [item.label for item in reading.items] == proba.argmax(axis=1).tolist()
    scores = [item.score for item in reading.items]
    np.testing.assert_allclose(scores, proba.max(axis=1) / 2, rtol=1e-5)


@pytest.mark.realdata
def test_with_no_model_items_touching_in_a_row_are_each_boxed(fashion_test):
    # three items side by side, each one's ink touching the next, are one
    # shape, sized for the finder as at most images.ROW_WIDTH times its
    # height: each item comes out near the sizes the finder learned. Of these
    # 60 items, 56 boxed (IoU >= 0.5); 47 at twice its height (items too small
    # for the finder, several boxed as one).
    from photos import touching_row_photo

    from skfashion.box_metrics import item_scores

    rng = np.random.RandomState(0)
    truths, found = [], []
    for _ in range(20):
        chosen = rng.randint(len(fashion_test.images), size=3)
        photo, truth = touching_row_photo(
            fashion_test.images[chosen], fashion_test.target[chosen], random_state=rng
        )
        boxes = [item.box for item in read_picture(photo).items if item.box]
        boxes = np.array(boxes, float).reshape(-1, 4)  # none: read as one item
        truths.append(np.column_stack([np.zeros(3), truth[:, 1:]]).astype(int))
        found.append(
            np.column_stack([np.zeros(len(boxes)), boxes, np.ones(len(boxes))])
        )
    assert item_scores(truths, found)["recall"] > 0.85


@pytest.mark.realdata
def test_with_no_model_a_grid_canvas_is_read_cell_by_cell(fashion_test):
    from skfashion.augment import MultiObjectComposer
    from skfashion.zoo import READERS, shared

    composer = MultiObjectComposer(
        n_samples=8, min_objects=2, max_objects=4, random_state=0
    )
    canvases, _ = composer.fit_resample(
        fashion_test.images[:200], fashion_test.target[:200]
    )
    cells = shared(READERS["canvas"])
    expected = cells.predict_layout(canvases)
    right = 0
    for canvas, layout, truth in zip(canvases, expected, composer.layout_, strict=True):
        reading = read_picture(Image.fromarray(canvas))
        assert reading.read_as == "canvas"
        assert {(item.cell, item.label) for item in reading.items} == {
            (cell, label) for cell, label in enumerate(layout) if label >= 0
        }
        right += (layout == truth).all()
    assert right >= 6


def test_a_model_of_one_item_names_the_shipped_finder_for_several(model):
    picture = Image.new("L", (120, 60), 255)
    picture.paste(0, (10, 10, 40, 50))
    picture.paste(0, (80, 10, 110, 50))
    reading = read_picture(picture, model)
    assert reading.read_as is None and reading.items == []
    assert "the shipped 'fast-anywhere'" in reading.note
    (line,) = reading.lines()
    assert line.startswith("the picture: 2 separate items") and "read as" not in line
    assert reading.to_json()["note"] == reading.note


def test_a_blank_picture_says_so_in_json_with_its_size(model):
    reading = read_picture(Image.new("L", (30, 20), 255), model)
    assert reading.to_json() == {
        "path": "the picture",
        "read_as": "item",
        "items": [],
        "size": [30, 20],
        "note": "no item found",
    }


def test_a_damaged_exif_block_or_a_pipe_never_stops_a_batch(tmp_path, capsys):
    import os

    from skfashion.cli import main

    damaged = tmp_path / "bad-exif.jpg"
    photo = Image.new("RGB", (300, 300), "white")
    photo.paste((20, 20, 20), (100, 60, 200, 240))
    photo.save(damaged, exif=b"Exif\0\0XX\0*\0\0\0\x08\0\0")
    pipe = tmp_path / "pipe.png"
    os.mkfifo(pipe)  # opening it would wait for a writer forever
    good = tmp_path / "good.png"
    photo.save(good)
    argv = ["predict", "--model", "fast", "--json", str(damaged), str(pipe), str(good)]
    assert main(argv) == 1  # one picture failed
    captured = capsys.readouterr()
    import json

    readings = [json.loads(line) for line in captured.out.splitlines()]
    assert [r["path"] for r in readings] == [str(damaged), str(pipe), str(good)]
    assert readings[0]["read_as"] == "item" and readings[0]["items"]
    assert "not a regular file" in readings[1]["error"]
    assert readings[2]["items"] == readings[0]["items"]


def test_predict_reads_a_folder_recursively_line_by_line(tmp_path, capsys):
    import json
    import shutil

    from skfashion.cli import main
    from skfashion.zoo import example_picture

    (tmp_path / "b" / "deeper").mkdir(parents=True)
    shutil.copy(example_picture("product"), tmp_path / "a.jpg")
    shutil.copy(example_picture("grid"), tmp_path / "b" / "deeper" / "grid.png")
    (tmp_path / "b" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 broken")
    (tmp_path / "b" / "notes.txt").write_text("not a picture")
    assert main(["predict", "--json", str(tmp_path)]) == 1  # one failed
    out, err = capsys.readouterr()
    readings = [json.loads(line) for line in out.splitlines()]
    assert [r["path"] for r in readings] == [
        str(tmp_path / "a.jpg"),
        str(tmp_path / "b" / "broken.jpg"),
        str(tmp_path / "b" / "deeper" / "grid.png"),
    ]
    assert readings[0]["items"][0]["class"] == "Trouser"
    assert readings[1]["error"] and readings[2]["read_as"] == "canvas"
    assert "1 files in the folders given are not pictures" in err


def test_many_pictures_are_decoded_a_few_ahead_only():
    from skfashion.reading import read_pictures
    from skfashion.zoo import example_picture

    pulled = []

    def paths():
        for k in range(40):
            pulled.append(k)
            yield example_picture("grid")

    readings = read_pictures(paths(), decoders=2)
    first = next(readings)
    assert first.read_as == "canvas"
    assert len(pulled) <= 1 + 4 * 2  # the one read, and 8 waiting at most
    assert sum(1 for _ in readings) == 39
