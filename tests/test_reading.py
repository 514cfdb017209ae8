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
