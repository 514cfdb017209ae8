"""skfashion: scikit-learn compatible Fashion-MNIST toolkit.

Multi-class and multi-label image classification with Keras CNNs, and
augmentations that insert clothing items into larger canvases.
"""

from .augment import MultiObjectComposer, QuadrantExpander
from .datasets import CLASS_NAMES, class_name, load_fashion_mnist
from .persistence import load, save
from .reading import read_picture
from .zoo import model_card, pretrained

__version__ = "0.2.0.dev0"

__all__ = [
    "CLASS_NAMES",
    "MultiObjectComposer",
    "QuadrantExpander",
    "class_name",
    "load",
    "load_fashion_mnist",
    "model_card",
    "pretrained",
    "read_picture",
    "save",
]
