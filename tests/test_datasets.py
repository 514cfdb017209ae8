import functools
import gzip
import hashlib
import http.server
import threading

import numpy as np
import pytest

from skfashion import datasets
from skfashion.datasets import (
    CLASS_NAMES,
    DataFileError,
    class_name,
    load_fashion_mnist,
)

_N_TRAIN, _N_TEST = 12, 5


def _idx(kind, array):
    """Bytes of an IDX file: magic, big-endian sizes, then uint8 data."""
    magic = (0x0803 if kind == "images" else 0x0801).to_bytes(4, "big")
    sizes = b"".join(int(s).to_bytes(4, "big") for s in array.shape)
    return magic + sizes + array.astype(np.uint8).tobytes()


@pytest.fixture
def fake_release(tmp_path, monkeypatch):
    """A small synthetic release; the loader is told its checksums."""
    rng = np.random.RandomState(0)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.randint(256, size=(_N_TRAIN, 28, 28)),
        "train-labels-idx1-ubyte.gz": np.arange(_N_TRAIN) % 10,
        "t10k-images-idx3-ubyte.gz": rng.randint(256, size=(_N_TEST, 28, 28)),
        "t10k-labels-idx1-ubyte.gz": np.arange(_N_TEST)[::-1] % 10,
    }
    files = {}
    for name, array in arrays.items():
        raw = _idx("images" if "images" in name else "labels", array)
        (tmp_path / name).write_bytes(gzip.compress(raw))
        files[name] = (len(raw), hashlib.sha256(raw).hexdigest())
    monkeypatch.setattr(datasets, "_FILES", files)
    # Nothing from the machine: no Keras cache, no Debian folder.
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(datasets, "DEBIAN_DIR", tmp_path / "debian")
    monkeypatch.delenv("SKFASHION_DATA", raising=False)
    return tmp_path, arrays


def test_bunch_from_data_home(fake_release):
    home, arrays = fake_release
    train = load_fashion_mnist(data_home=home)
    assert train.images.shape == (_N_TRAIN, 28, 28)
    assert train.images.dtype == np.uint8
    assert train.data.shape == (_N_TRAIN, 784)
    np.testing.assert_array_equal(train.images, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(train.target, arrays["train-labels-idx1-ubyte.gz"])
    assert train.target.dtype.kind == "i"
    assert list(train.target_names) == list(CLASS_NAMES)
    assert "Fashion-MNIST" in train.DESCR
    assert train.images.flags.writeable


def test_subsets_and_return_X_y(fake_release, monkeypatch):
    home, arrays = fake_release
    monkeypatch.setenv("SKFASHION_DATA", str(home))
    X, y = load_fashion_mnist(subset="all", return_X_y=True)
    assert X.shape == (_N_TRAIN + _N_TEST, 784)
    np.testing.assert_array_equal(y[_N_TRAIN:], arrays["t10k-labels-idx1-ubyte.gz"])
    assert len(load_fashion_mnist(subset="test").target) == _N_TEST
    with pytest.raises(ValueError, match="subset"):
        load_fashion_mnist(subset="validation")


def test_missing_file_says_where_and_how(fake_release):
    home, _ = fake_release
    (home / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataFileError) as info:
        load_fashion_mnist(subset="test", data_home=home, download=False)
    message = str(info.value)
    assert "t10k-labels-idx1-ubyte.gz" in message
    assert str(home) in message and "debian" in message
    assert "apt-get install dataset-fashion-mnist" in message


@pytest.mark.parametrize(
    "damage, match",
    [
        (lambda b: b[: len(b) // 2], "truncated or corrupted"),
        (lambda b: b"not a gzip file", "truncated or corrupted"),
        (lambda b: gzip.compress(gzip.decompress(b)[:-1] + b"x"), "does not match"),
    ],
    ids=["truncated", "garbage", "wrong-content"],
)
def test_damaged_file_is_named(fake_release, damage, match):
    home, _ = fake_release
    path = home / "train-images-idx3-ubyte.gz"
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(DataFileError, match=match) as info:
        load_fashion_mnist(data_home=home)
    assert str(path) in str(info.value)


def test_download_from_mirror(fake_release, tmp_path_factory, monkeypatch):
    served, arrays = fake_release
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(served)
    )
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        dead = "http://127.0.0.1:9/nothing/"  # a refused first mirror
        mirror = f"http://127.0.0.1:{server.server_port}/"
        monkeypatch.setattr(datasets, "MIRRORS", (dead, mirror))
        home = tmp_path_factory.mktemp("download")
        test = load_fashion_mnist(subset="test", data_home=home)
        np.testing.assert_array_equal(test.target, arrays["t10k-labels-idx1-ubyte.gz"])
        assert sorted(p.name for p in home.iterdir()) == [
            "t10k-images-idx3-ubyte.gz",
            "t10k-labels-idx1-ubyte.gz",
        ]
        # A mirror serving a damaged file: nothing is kept, the error names it.
        (served / "train-labels-idx1-ubyte.gz").write_bytes(b"junk")
        monkeypatch.setattr(datasets, "MIRRORS", (mirror,))
        with pytest.raises(DataFileError, match="could not download train-labels"):
            load_fashion_mnist(data_home=home)
        assert not list(home.glob("*train-labels*"))
    finally:
        server.shutdown()


def test_class_name():
    assert class_name(0) == "T-shirt/top"
    assert class_name(np.array([[7, 8]])).tolist() == [["Sneaker", "Bag"]]
    with pytest.raises(ValueError, match="class indices"):
        class_name(10)
    with pytest.raises(ValueError, match="class indices"):
        class_name(1.5)


@pytest.mark.realdata
def test_real_training_set(fashion_train):
    assert fashion_train.images.shape == (60_000, 28, 28)
    assert fashion_train.images.dtype == np.uint8
    # The classes are balanced: 6,000 each.
    np.testing.assert_array_equal(np.bincount(fashion_train.target), [6000] * 10)
    # The tutorial's brightest image.
    assert fashion_train.data.sum(axis=1, dtype=np.int64).argmax() == 55023


@pytest.mark.realdata
def test_real_test_set(fashion_test):
    assert fashion_test.images.shape == (10_000, 28, 28)
    np.testing.assert_array_equal(np.bincount(fashion_test.target), [1000] * 10)
    assert fashion_test.target[1] == 2  # the tutorial's Pullover
