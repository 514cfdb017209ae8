"""Small learnable image data for the model tests."""

import numpy as np


def lit_bands(n=60, side=8, seed=0):
    """``n`` items of ``side`` x ``side`` uint8 pixels in 3 classes.

    The class says which band of rows is lit; the rest is faint noise that is
    never 0, so every item has ink in every cell it covers.
    """
    rng = np.random.RandomState(seed)
    y = np.arange(n) % 3
    X = rng.randint(1, 40, size=(n, side, side)).astype(np.uint8)
    for c in range(3):
        X[y == c, c * 2 : c * 2 + 3] = 255
    return X, y


def lit_levels(n=60, side=8, seed=0, frame=0):
    """``n`` items of ``side`` x ``side`` uint8 pixels in 3 classes.

    The class says how bright the whole item is (60, 140 or 220, give or take
    30): a class that a shifted or resized cut of the item keeps. ``frame``
    pixels along the edges are black, as Fashion-MNIST's items' borders are
    (a network trained on them has then seen a black background).
    """
    rng = np.random.RandomState(seed)
    y = np.arange(n) % 3
    noise = rng.randint(0, 30, size=(n, side, side))
    items = (60 + 80 * y[:, None, None] + noise).astype(np.uint8)
    if frame:
        items[:, :frame] = items[:, -frame:] = 0
        items[:, :, :frame] = items[:, :, -frame:] = 0
    return items, y
