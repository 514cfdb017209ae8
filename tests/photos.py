"""Synthetic product photos: a test fixture for the picture readers.

Used by the tests and the benchmarks of picture readers; not part of the
package.
"""

import numpy as np


def product_photo(
    item,
    *,
    size: tuple[int, int] = (200, 160),
    background: tuple[float, float] = (200.0, 235.0),
    scale: float = 0.6,
    position: tuple[float, float] = (0.5, 0.5),
    shadow: float = 0.15,
    random_state=None,
):
    """Draw a Fashion-MNIST item as a product photo, to test picture readers.

    The item, dark and slightly tinted, on a light grey gradient, with a soft
    shadow beside it: the kind of picture
    :func:`skfashion.images.item_from_picture` reads.

    Parameters
    ----------
    item : ndarray of shape (h, w), dtype uint8
        Light on black, as in Fashion-MNIST.
    size : tuple of (int, int), default=(200, 160)
        Width and height of the photo.
    background : tuple of (float, float), default=(200.0, 235.0)
        Grey levels at the two ends of the gradient.
    scale : float, default=0.6
        Side of the item over the photo's shorter side.
    position : tuple of (float, float), default=(0.5, 0.5)
        Where the item lies, from 0 (left, top) to 1 (right, bottom).
    shadow : float, default=0.15
        How much the shadow darkens the background (0: none).
    random_state : int, RandomState instance or None, default=None
        Draws the gradient's direction, the shadow's offset and the tint.

    Returns
    -------
    photo : PIL.Image.Image
        An RGB picture.

    Examples
    --------
    >>> import numpy as np
    >>> from photos import product_photo
    >>> from skfashion.images import item_from_picture
    >>> item = np.zeros((28, 28), np.uint8)
    >>> item[:, 8:20] = 200  # fills the height, as Fashion-MNIST items do
    >>> photo = product_photo(item, random_state=0)
    >>> photo.size, photo.mode
    ((200, 160), 'RGB')
    >>> back = item_from_picture(photo).astype(float)
    >>> round(float(np.corrcoef(back.ravel(), item.ravel())[0, 1]), 1) >= 0.9
    True
    """
    from PIL import Image, ImageFilter
    from sklearn.utils import check_random_state

    rng = check_random_state(random_state)
    width, height = size
    side = max(1, int(min(size) * scale))
    ink = np.asarray(
        Image.fromarray(np.asarray(item, np.uint8)).resize(
            (side, side), Image.Resampling.BICUBIC
        ),
        dtype=np.float64,
    )
    ink /= 255
    rows, cols = np.indices((height, width))
    angle = rng.uniform(0, 2 * np.pi)
    slope = np.cos(angle) * (rows / height - 0.5) + np.sin(angle) * (cols / width - 0.5)
    low, high = background
    photo = low + (high - low) * (0.5 + slope / np.sqrt(2))
    top = round(position[1] * (height - side))
    left = round(position[0] * (width - side))
    if shadow:
        dy, dx = rng.randint(2, 9, size=2)
        shade = np.zeros((height, width))
        t, s = min(top + dy, height - side), min(left + dx, width - side)
        shade[t : t + side, s : s + side] = ink > 0.05
        blurred = Image.fromarray((shade * 255).astype(np.uint8))
        shade = np.asarray(blurred.filter(ImageFilter.GaussianBlur(4)), float) / 255
        photo *= 1 - shadow * shade
    photo[top : top + side, left : left + side] *= 1 - 0.9 * ink
    tint = rng.uniform(0.92, 1.0, size=3)
    rgb = np.clip(photo[..., np.newaxis] * tint, 0, 255).astype(np.uint8)
    return Image.fromarray(rgb)


def outfit_photo(
    items, labels, *, random_state=None, noise: float = 4.0, dark: bool = False
):
    """Several items laid out on a table: a photo for the anywhere head.

    Each item, dark, on a light grey gradient with Gaussian noise (``dark``:
    light items on a dark gradient, the same draws otherwise); the photo
    300 to 700 pixels a side, each item 18 to 42% of its shorter side,
    placed at random without overlapping (its ink boxes 4 pixels apart).

    Parameters
    ----------
    items : ndarray of shape (k, 28, 28), dtype uint8
        Light on black, as in Fashion-MNIST.
    labels : ndarray of shape (k,)
    random_state : int, RandomState instance or None, default=None
    noise : float, default=4.0
        Standard deviation of the grey levels' noise.
    dark : bool, default=False
        Light items on a dark table.

    Returns
    -------
    photo : PIL.Image.Image
        An RGB picture.
    truth : ndarray of shape (m, 5)
        ``(class, x0, y0, x1, y1)`` of the items placed (in the photo's
        pixels; an item that found no place in 50 draws is left out).

    Examples
    --------
    >>> import numpy as np
    >>> from photos import outfit_photo
    >>> items = np.zeros((3, 28, 28), np.uint8)
    >>> items[:, 4:24, 8:20] = 200
    >>> photo, truth = outfit_photo(items, np.array([0, 1, 2]), random_state=0)
    >>> truth.shape[1], min(photo.size) >= 300
    (5, True)
    """
    from PIL import Image
    from sklearn.utils import check_random_state

    rng = check_random_state(random_state)
    width, height = rng.randint(300, 701, size=2)
    rows, cols = np.indices((height, width))
    angle = rng.uniform(0, 2 * np.pi)
    slope = np.cos(angle) * (rows / height - 0.5) + np.sin(angle) * (cols / width - 0.5)
    low, high = np.sort(rng.uniform(185, 245, size=2))
    photo = low + (high - low) * (0.5 + slope / np.sqrt(2))
    if dark:
        photo = 255 - photo
    truth = []
    for item, label in zip(items, labels, strict=True):
        side = int(min(width, height) * rng.uniform(0.18, 0.42))
        ink = _ink(item, side)
        ys, xs = np.nonzero(ink > 0.05)
        box = np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
        for _ in range(50):
            left, top = (
                rng.randint(0, width - side + 1),
                rng.randint(0, height - side + 1),
            )
            placed = box + np.array([left, top, left, top])
            if all(
                max(
                    placed[0] - t[3],
                    t[1] - placed[2],
                    placed[1] - t[4],
                    t[2] - placed[3],
                )
                >= 4
                for t in truth
            ):
                break
        else:
            continue
        patch = photo[top : top + side, left : left + side]
        if dark:  # lightened towards white where the item's ink is
            patch += (255 - patch) * 0.9 * ink
        else:
            patch *= 1 - 0.9 * ink
        truth.append((int(label), *placed.tolist()))
    photo += rng.normal(0, noise, photo.shape)
    rgb = np.clip(photo[..., np.newaxis] * rng.uniform(0.94, 1.0, 3), 0, 255)
    return Image.fromarray(rgb.astype(np.uint8)), np.array(truth, int).reshape(-1, 5)


def _ink(item, side: int) -> np.ndarray:
    """``item`` resized to ``side`` x ``side`` (bicubic), as ink in [0, 1]."""
    from PIL import Image

    resized = Image.fromarray(np.asarray(item, np.uint8)).resize(
        (side, side), Image.Resampling.BICUBIC
    )
    return np.asarray(resized, np.float64) / 255


def touching_row_photo(items, labels, *, random_state=None):
    """Items side by side on a light table, each one's ink touching the next.

    Each item resized to the same side (60 to 140 pixels), cropped to its ink
    left and right, dark on a light grey (200 to 240) with Gaussian noise
    (3 grey levels), a margin of 20 pixels around the row.

    Parameters
    ----------
    items : ndarray of shape (k, 28, 28), dtype uint8
        Light on black, as in Fashion-MNIST.
    labels : ndarray of shape (k,)
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    photo : PIL.Image.Image
        A greyscale picture.
    truth : ndarray of shape (k, 5)
        ``(class, x0, y0, x1, y1)`` of each item's ink.

    Examples
    --------
    >>> import numpy as np
    >>> from photos import touching_row_photo
    >>> items = np.zeros((3, 28, 28), np.uint8)
    >>> items[:, 4:24, 2:26] = 200
    >>> photo, truth = touching_row_photo(items, np.array([0, 1, 2]), random_state=0)
    >>> truth[1:, 1].tolist() == truth[:-1, 3].tolist()  # each starts where one ends
    True
    """
    from PIL import Image
    from sklearn.utils import check_random_state

    rng = check_random_state(random_state)
    side = int(rng.randint(60, 140))
    inks, truth, left = [], [], 20
    for item, label in zip(items, labels, strict=True):
        ink = _ink(item, side)
        cols = np.flatnonzero(ink.max(axis=0) > 0.05)
        rows = np.flatnonzero(ink.max(axis=1) > 0.05)
        ink = ink[:, cols[0] : cols[-1] + 1]
        inks.append((ink, left))
        truth.append((label, left, 20 + rows[0], left + ink.shape[1], 21 + rows[-1]))
        left += ink.shape[1]  # the next item's ink starts where this one's ends
    photo = np.full((side + 40, left + 20), rng.uniform(200, 240))
    for ink, x in inks:
        photo[20 : 20 + side, x : x + ink.shape[1]] *= 1 - 0.9 * ink
    photo += rng.normal(0, 3, photo.shape)
    photo = Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8))
    return photo, np.array(truth, int).reshape(-1, 5)


def as_file(photo, fmt: str = "PNG"):
    """``photo`` saved in ``fmt`` (JPEG at quality 75), as an open binary file."""
    import io

    buffer = io.BytesIO()
    photo.save(buffer, fmt, **({"quality": 75} if fmt == "JPEG" else {}))
    buffer.seek(0)
    return buffer
