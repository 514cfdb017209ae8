import io

import numpy as np
import pytest
from photos import product_photo
from PIL import Image

from skfashion import images
from skfashion.images import (
    NoItemError,
    canvas_from_picture,
    item_from_picture,
    items_canvas_from_picture,
)


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
    with pytest.raises(ValueError, match="not a picture Pillow can read"):
        item_from_picture(path)


def test_a_huge_picture_is_refused_before_it_is_decoded(tmp_path, recwarn):
    from PIL import Image

    path = tmp_path / "huge.png"  # 16-bit, 8000x8000: 64 million pixels
    Image.new("I;16", (8000, 8000), 1000).save(path)
    with pytest.raises(ValueError, match=r"too large.*8000x8000.*MAX_PIXELS"):
        item_from_picture(path)
    assert not [w for w in recwarn if "DecompressionBomb" in type(w.message).__name__]
    # and a file larger than MAX_BYTES is refused from its size alone
    with open(tmp_path / "big.jpg", "wb") as file:
        file.truncate(images.MAX_BYTES + 1)  # sparse: takes no disk
    with pytest.raises(ValueError, match=r"too large.*MAX_BYTES"):
        item_from_picture(tmp_path / "big.jpg")


def _garment(seed=0):
    """A Fashion-MNIST-like item: light, textured, filling the height, centred."""
    rng = np.random.RandomState(seed)
    item = np.zeros((28, 28), np.uint8)
    left = rng.randint(2, 8)
    right = 28 - left  # centred, as Fashion-MNIST centres its items
    item[:, left:right] = rng.randint(90, 256, size=(28, right - left))
    item[10:18, left : left + 3] = 0  # a notch, so shape matters
    return item


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
@pytest.mark.parametrize(
    "size, background, position",
    [
        ((200, 160), (200, 235), (0.5, 0.5)),
        ((90, 90), (150, 170), (0.0, 1.0)),
        ((400, 250), (225, 255), (1.0, 0.2)),
        ((120, 300), (170, 240), (0.3, 0.0)),
    ],
)
def test_product_photos_become_the_garment(size, background, position, fmt):
    item = _garment(sum(size))
    photo = product_photo(
        item, size=size, background=background, position=position, random_state=0
    )
    buffer = io.BytesIO()
    photo.save(buffer, fmt, quality=75)
    buffer.seek(0)
    read = item_from_picture(buffer).astype(float)
    assert np.corrcoef(read.ravel(), item.ravel())[0, 1] > 0.85
    assert np.abs(read - item).mean() < 30
    assert read.max() == 255 and read[:, :2].max() < 40  # contrast, black border


@pytest.mark.parametrize(
    "picture",
    [
        Image.new("RGB", (120, 90), "white"),
        Image.new("L", (60, 60), 0),
        Image.new("RGB", (80, 80), (128, 128, 128)),
        Image.new("L", (1, 1), 200),
        Image.linear_gradient("L").resize((64, 64)),
    ],
    ids=["white", "black", "grey", "one-pixel", "gradient"],
)
def test_no_item_in_a_blank_picture(picture):
    with pytest.raises(NoItemError, match="no item found"):
        item_from_picture(picture)
    assert canvas_from_picture(picture).max() == 0


def test_large_pictures_are_reduced_while_decoded(tmp_path):
    item = _garment()
    photo = product_photo(item, size=(3000, 2400), random_state=0)
    for name in ("big.jpg", "big.png"):
        photo.save(tmp_path / name)
        assert max(images.decode(tmp_path / name).size) <= images.MAX_SIDE
        read = item_from_picture(tmp_path / name).astype(float)
        assert np.corrcoef(read.ravel(), item.ravel())[0, 1] > 0.85
        # boxes on the canvas divided by the scale are in the file's pixels
        # (a JPEG's decoder reduces it: its reduced size once divided by)
        canvas, scale = items_canvas_from_picture(tmp_path / name, item_side=None)
        assert canvas.shape[1] / scale == pytest.approx(3000, rel=0.01), name


def test_an_item_of_several_shapes_is_one_item_and_items_apart_are_several():
    # A sneaker drawn as Fashion-MNIST's often are: the upper and a sole whose
    # toe curls up beside it, 6 pixels apart (3% of the side). The rule before
    # (parts within 2% are one) read it as two items; two apart are still two.
    from PIL import ImageDraw

    photo = Image.new("L", (200, 200), 225)
    draw = ImageDraw.Draw(photo)
    draw.polygon([(30, 144), (40, 100), (120, 100), (160, 144)], fill=40)  # upper
    draw.polygon(
        [(20, 150), (166, 150), (166, 128), (180, 128), (180, 160), (20, 160)], fill=40
    )  # the sole, its toe beside the upper
    assert images.count_shapes(photo) == 1
    pair = Image.new("L", (300, 200), 225)
    draw = ImageDraw.Draw(pair)
    draw.rectangle([20, 40, 130, 160], fill=40)
    draw.ellipse([150, 50, 280, 150], fill=60)  # 20 pixels to the right
    assert images.count_shapes(pair) == 2


def test_items_touching_in_a_row_are_scaled_as_one_item_each():
    from PIL import ImageDraw

    # three squares of 60 pixels side by side are one shape 180 wide, sized
    # as ROW_WIDTH (1.4) times its height: each comes out near item_side, not
    # a third of it (nor half, as when a shape was at most twice as wide as
    # tall)
    row = Image.new("L", (260, 120), 230)
    ImageDraw.Draw(row).rectangle([20, 30, 199, 89], fill=30)
    single = Image.new("L", (120, 120), 230)
    ImageDraw.Draw(single).rectangle([30, 30, 89, 89], fill=30)
    _, row_scale = items_canvas_from_picture(row, item_side=28)
    _, single_scale = items_canvas_from_picture(single, item_side=28)
    assert row_scale == pytest.approx(single_scale / images.ROW_WIDTH, rel=0.05)
    assert row_scale > single_scale / 2
    # a trouser-like tall shape is still sized by its longer side
    tall = Image.new("L", (120, 200), 230)
    ImageDraw.Draw(tall).rectangle([40, 20, 79, 179], fill=30)
    _, tall_scale = items_canvas_from_picture(tall, item_side=28)
    assert tall_scale == pytest.approx(28 / 160, rel=0.05)


def test_items_shown_to_networks_keep_their_faint_pixels():
    # A coat's faint lining, 16 grey levels darker than a noisy table (noise
    # of 3 levels): shapes are found with a margin over the noise (4
    # deviations + 12 levels) that drops it; the items cut for naming and the
    # canvases for the finder and the cells head keep it (3 deviations), as
    # Fashion-MNIST's items have their faint pixels.
    from skfashion.images import cut_items

    rng = np.random.RandomState(0)
    photo = np.full((120, 160), 230.0)
    photo[20:100, 40:80] = 40  # the coat
    photo[20:100, 80:120] = 214  # its faint lining
    photo += rng.normal(0, 3, photo.shape)
    photo = Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8))
    (cut,) = cut_items(photo, [[30, 10, 130, 110]])  # 100 pixels -> 28
    assert np.median(cut[6:22, 16:24]) >= 4 > np.median(cut[6:22, :2])
    canvas, scale = items_canvas_from_picture(photo, item_side=None)
    assert scale == 1
    assert np.median(canvas[20:100, 85:115]) >= 4 > np.median(canvas[:, :30])
    canvas = canvas_from_picture(photo, (120, 160))
    assert np.median(canvas[20:100, 85:115]) >= 4 > np.median(canvas[:, :30])
    shapes = images._foreground(images._grey(photo))
    assert np.median(shapes[20:100, 85:115]) == 0  # the margin drops it
    assert images.count_shapes(photo) == 1
