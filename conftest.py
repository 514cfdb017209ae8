"""Settings for every test and doctest: quiet TensorFlow, headless matplotlib."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")


# The slowest test files first: on make test's two workers (pytest-xdist,
# a file per worker) they start side by side and the quick ones fill in.
_SLOW_FIRST = (
    "test_cli_long_runs.py",
    "test_cli.py",
    "test_checkpoint.py",
    "test_cells_head.py",
    "test_models.py",
)


def pytest_collection_modifyitems(config, items):
    def rank(item):
        name = item.path.name
        return _SLOW_FIRST.index(name) if name in _SLOW_FIRST else len(_SLOW_FIRST)

    items.sort(key=rank)  # stable: the order within a file is kept
