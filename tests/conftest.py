import pytest

from skfashion.datasets import DataFileError, load_fashion_mnist


@pytest.fixture(scope="session")
def fashion_train():
    """The real training set; skipped where the data is not installed."""
    try:
        return load_fashion_mnist(subset="train", download=False)
    except DataFileError as exc:
        pytest.skip(f"Fashion-MNIST not installed: {exc}")


@pytest.fixture(scope="session")
def fashion_test():
    try:
        return load_fashion_mnist(subset="test", download=False)
    except DataFileError as exc:
        pytest.skip(f"Fashion-MNIST not installed: {exc}")
