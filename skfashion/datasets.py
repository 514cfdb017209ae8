"""Fashion-MNIST loader, verified, offline-first.

The four official ``*-ubyte.gz`` files are looked up, in order, in
``data_home`` (or the ``SKFASHION_DATA`` environment variable), the Keras
cache (``~/.keras/datasets/fashion-mnist``) and Debian's package
``dataset-fashion-mnist`` (``/usr/share/datasets/fashion-mnist``). Missing
files are downloaded when ``download=True``.

Each file is verified against the size and SHA-256 of the official release's
*decompressed* content, so that a copy that was re-compressed (Debian's drops
the file name from the gzip header) is accepted while a truncated or corrupted
one is not.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import urllib.request
import zlib
from pathlib import Path

import numpy as np

__all__ = [
    "CLASS_NAMES",
    "DataFileError",
    "class_name",
    "data_folder",
    "load_fashion_mnist",
]

CLASS_NAMES: tuple[str, ...] = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
MIRRORS = (
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
)

# (decompressed size in bytes, SHA-256 of the decompressed content)
_FILES = {
    "train-images-idx3-ubyte.gz": (
        47_040_016,
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    ),
    "train-labels-idx1-ubyte.gz": (
        60_008,
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    ),
    "t10k-images-idx3-ubyte.gz": (
        7_840_016,
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    ),
    "t10k-labels-idx1-ubyte.gz": (
        10_008,
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    ),
}
_SUBSETS = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
_HOW_TO_FIX = (
    "Install Debian's package (apt-get install dataset-fashion-mnist), "
    "or call load_fashion_mnist(download=True) on a machine with internet."
)

DESCR = """\
Fashion-MNIST
=============

Zalando's article images: 70,000 grey-scale 28x28 pictures of clothing in
10 balanced classes, 60,000 for training and 10,000 for testing.

:Number of instances: 60,000 train, 10,000 test
:Number of attributes: 784 pixels, uint8 in [0, 255], 0 is background
:Classes: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt,
    Sneaker, Bag, Ankle boot

Xiao, Rasul and Vollgraf (2017), "Fashion-MNIST: a Novel Image Dataset for
Benchmarking Machine Learning Algorithms", arXiv:1708.07747. MIT licence.
"""


class DataFileError(OSError):
    """A Fashion-MNIST file is missing, truncated or corrupted."""


def class_name(index):
    """Map class indices to Fashion-MNIST class names.

    Parameters
    ----------
    index : int or array-like of int
        Class index or indices in ``[0, 9]``.

    Returns
    -------
    name : str or ndarray of str
        The name, or an array of names of the same shape as ``index``.

    Examples
    --------
    >>> from skfashion.datasets import class_name
    >>> class_name(7)
    'Sneaker'
    >>> class_name([0, 9]).tolist()
    ['T-shirt/top', 'Ankle boot']
    """
    idx = np.asarray(index)
    if idx.dtype.kind not in "iu" or (idx.size and (idx.min() < 0 or idx.max() > 9)):
        raise ValueError(f"class indices must be integers in [0, 9], got {index!r}")
    names = np.asarray(CLASS_NAMES)[idx]
    return str(names) if names.ndim == 0 else names


def _keras_cache() -> Path:
    home = os.environ.get("KERAS_HOME", Path.home() / ".keras")
    return Path(home) / "datasets" / "fashion-mnist"


def _search_dirs(data_home) -> list[Path]:
    first = data_home or os.environ.get("SKFASHION_DATA")
    dirs = [Path(first).expanduser()] if first else []
    return [*dirs, _keras_cache(), DEBIAN_DIR]


def _read_verified(path: Path, name: str | None = None) -> bytes:
    size, sha256 = _FILES[name or path.name]
    try:
        content = gzip.decompress(path.read_bytes())
    except (OSError, EOFError, zlib.error) as exc:
        raise DataFileError(
            f"{path} is not a readable gzip file ({exc}); it is truncated or "
            f"corrupted. Delete it and reinstall it. {_HOW_TO_FIX}"
        ) from exc
    if len(content) != size or hashlib.sha256(content).hexdigest() != sha256:
        raise DataFileError(
            f"{path} does not match the official Fashion-MNIST release "
            f"(expected {size:,} bytes once decompressed, with SHA-256 "
            f"{sha256[:12]}...). Delete it and reinstall it. {_HOW_TO_FIX}"
        )
    return content


def _download(name: str, target_dir: Path) -> bytes:
    target_dir.mkdir(parents=True, exist_ok=True)
    partial = target_dir / f".{name}.part"
    errors = []
    for mirror in MIRRORS:
        try:
            with (
                urllib.request.urlopen(mirror + name, timeout=60) as response,
                partial.open("wb") as out,
            ):
                shutil.copyfileobj(response, out)
            content = _read_verified(partial, name)
            partial.replace(target_dir / name)
            return content
        except OSError as exc:  # URLError and DataFileError are OSErrors
            errors.append(f"{mirror}{name}: {exc}")
        finally:
            partial.unlink(missing_ok=True)
    raise DataFileError(
        f"could not download {name} ({'; '.join(errors)}). {_HOW_TO_FIX}"
    )


def _find(name: str, dirs: list[Path], download: bool) -> bytes:
    for directory in dirs:
        if (directory / name).is_file():
            return _read_verified(directory / name)
    if download:
        return _download(name, dirs[0])
    looked = ", ".join(str(d) for d in dirs)
    raise DataFileError(
        f"Fashion-MNIST file {name} not found; looked in {looked}. {_HOW_TO_FIX}"
    )


def data_folder(data_home: str | os.PathLike | None = None) -> Path | None:
    """The folder :func:`load_fashion_mnist` reads the training images from.

    ``None`` when no folder searched holds them (they would be downloaded).

    Examples
    --------
    >>> from skfashion.datasets import data_folder
    >>> data_folder()  # doctest: +SKIP
    PosixPath('/usr/share/datasets/fashion-mnist')
    """
    name = _SUBSETS["train"][0]
    return next((d for d in _search_dirs(data_home) if (d / name).is_file()), None)


def _load_subset(subset: str, dirs: list[Path], download: bool):
    images_file, labels_file = _SUBSETS[subset]
    # IDX format: a big-endian header (16 bytes for images, 8 for labels).
    images = np.frombuffer(_find(images_file, dirs, download), np.uint8, offset=16)
    labels = np.frombuffer(_find(labels_file, dirs, download), np.uint8, offset=8)
    return images.reshape(-1, 28, 28), labels.astype(np.intp)  # read-only views


def load_fashion_mnist(
    *,
    subset: str = "train",
    data_home: str | os.PathLike | None = None,
    return_X_y: bool = False,
    download: bool = True,
):
    """Load Fashion-MNIST, 28x28 uint8 images of clothing in 10 classes.

    Parameters
    ----------
    subset : {"train", "test", "all"}, default="train"
        The 60,000 training images, the 10,000 test images, or both
        (training first).
    data_home : str or path-like, default=None
        Folder searched first, and where missing files are downloaded to.
        Defaults to the ``SKFASHION_DATA`` environment variable; when neither
        is set, downloads go to the Keras cache.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    download : bool, default=True
        Download files found nowhere from the official mirrors.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``images`` (n, 28, 28) uint8, ``data`` (n, 784) uint8 (a view of the
        same pixels), ``target`` (n,) int, ``target_names`` and ``DESCR``.
    (data, target) : tuple if ``return_X_y`` is True

    Raises
    ------
    DataFileError
        If a file is missing (and not downloaded), truncated or corrupted.

    Examples
    --------
    >>> from skfashion.datasets import load_fashion_mnist
    >>> test = load_fashion_mnist(subset="test")  # doctest: +SKIP
    >>> test.images.shape, test.images.dtype  # doctest: +SKIP
    ((10000, 28, 28), dtype('uint8'))
    """
    if subset not in ("train", "test", "all"):
        raise ValueError(f"subset must be 'train', 'test' or 'all', got {subset!r}")
    dirs = _search_dirs(data_home)
    parts = [
        _load_subset(s, dirs, download)
        for s in (("train", "test") if subset == "all" else (subset,))
    ]
    # One writable copy of the pixels: concatenating makes it for "all".
    images = np.concatenate([p[0] for p in parts])
    target = np.concatenate([p[1] for p in parts])
    data = images.reshape(len(images), -1)
    if return_X_y:
        return data, target
    from sklearn.utils import Bunch

    return Bunch(
        images=images,
        data=data,
        target=target,
        target_names=np.asarray(CLASS_NAMES),
        DESCR=DESCR,
    )
