"""Draw the example pictures that ship with skfashion (``skfashion/pictures/``).

::

    python scripts/make_example_pictures.py

From Fashion-MNIST test items (never trained on), drawn by the photo makers
of the tests (``tests/photos.py``): a product photo of one item, an outfit of
four items on a table, and a 56x56 grid canvas of three. Each picture's
truth is printed, and written beside it in ``TRUTH.json``: what
``skfashion predict --example NAME`` should find.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from photos import outfit_photo, product_photo

from skfashion import load_fashion_mnist
from skfashion.zoo import EXAMPLE_PICTURES, PICTURES


def main() -> None:
    test = load_fashion_mnist(subset="test")
    items, labels = test.images, test.target
    truth = {}
    # a trouser (test item 2), as a shop photographs it
    photo = product_photo(items[2], size=(320, 400), random_state=0)
    photo.save(PICTURES / EXAMPLE_PICTURES["product"][0], quality=90)
    truth["product"] = [[int(labels[2])]]
    # a sneaker, a shirt, a bag and a trouser on a table (test items 9, 7, 30,
    # 3; the shirt of item 4, which strong names a shirt or a T-shirt alike,
    # 0.44 each, made the example a coin's toss)
    chosen = [9, 7, 30, 3]
    photo, boxes = outfit_photo(items[chosen], labels[chosen], random_state=3)
    photo.save(PICTURES / EXAMPLE_PICTURES["outfit"][0], quality=90)
    truth["outfit"] = boxes.astype(int).tolist()
    # the tutorial's canvas: three items in three of four cells
    canvas = np.zeros((56, 56), np.uint8)
    canvas[:28, :28], canvas[:28, 28:], canvas[28:, 28:] = items[[0, 1, 5]]
    from PIL import Image

    Image.fromarray(canvas).save(PICTURES / EXAMPLE_PICTURES["grid"][0])
    truth["grid"] = [[int(labels[i])] for i in (0, 1, 5)]
    (PICTURES / "TRUTH.json").write_text(json.dumps(truth, indent=1) + "\n")
    print(json.dumps(truth))


if __name__ == "__main__":
    main()
