import numpy as np
import pytest
from PIL import Image

from skfashion.images import canvas_from_picture, item_from_picture


def _item():
    """A bright, roughly item-shaped blob on black, filling its 28x28 box."""
    yy, xx = np.mgrid[:28, :28]
    return (255 * np.exp(-(((yy - 13.5) / 9) ** 2 + ((xx - 13.5) / 7) ** 2))).astype(
        np.uint8
    )


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA"])
def test_photo_on_white_becomes_the_item(tmp_path, mode):
    item = _item()
    dark = Image.fromarray(255 - item).resize((210, 210))
    photo = Image.new(mode, (400, 300), "white")
    photo.paste(dark.convert(mode), (50, 40))
    path = tmp_path / f"photo-{mode}.png"
    photo.save(path)
    recovered = item_from_picture(path)
    assert recovered.shape == (28, 28) and recovered.dtype == np.uint8
    assert np.corrcoef(recovered.ravel(), item.ravel())[0, 1] > 0.95


def test_light_on_dark_is_kept_and_transparency_is_background(tmp_path):
    item = _item()
    assert (
        np.corrcoef(item_from_picture(Image.fromarray(item)).ravel(), item.ravel())[
            0, 1
        ]
        > 0.95
    )
    rgba = np.zeros((28, 28, 4), dtype=np.uint8)
    rgba[..., 3] = item  # an opaque black item on a transparent background
    recovered = item_from_picture(Image.fromarray(rgba, "RGBA"))
    assert np.corrcoef(recovered.ravel(), item.ravel())[0, 1] > 0.9


def test_canvas_keeps_the_whole_picture():
    picture = Image.new("L", (112, 112), 255)
    picture.paste(0, (0, 0, 56, 56))  # a dark square, top left, on white
    canvas = canvas_from_picture(picture, (56, 56))
    assert canvas.shape == (56, 56)
    assert canvas[:28, :28].min() > 200 and canvas[28:, 28:].max() < 50


def test_unreadable_file(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("not an image")
    with pytest.raises(ValueError, match="cannot read"):
        item_from_picture(path)
