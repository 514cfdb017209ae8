"""Start TensorFlow without its start-up lines on the terminal.

TensorFlow's C++ code writes to the process's standard error while it is
imported (oneDNN, CUDA, absl notices), whatever ``TF_CPP_MIN_LOG_LEVEL`` says,
and harmless errors while it trains (no CUDA device, unknown tf.data
attributes) unless the level is 3.
:func:`import_keras_quietly` imports Keras with file descriptor 2 pointed at
``/dev/null`` and restores it afterwards, and sets the level to 3 (0 and 1,
set by the user, are kept); Python's own errors, warnings and logging are
unaffected. Every module of skfashion that imports Keras calls it
first. To see TensorFlow's lines, set ``TF_CPP_MIN_LOG_LEVEL`` to 0 or 1
before importing skfashion (or run the command line with ``--debug``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys


@contextlib.contextmanager
def native_stderr_silenced():
    """File descriptor 2 pointed at /dev/null: native code's lines are dropped."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@contextlib.contextmanager
def _tensorflow_hidden_unless_its_backend(backend: str):
    """``import tensorflow`` fails meanwhile, unless it is Keras' backend or
    imported already."""
    if backend == "tensorflow" or "tensorflow" in sys.modules:
        yield
        return
    sys.modules["tensorflow"] = None  # an ImportError for whoever imports it
    try:
        yield
    finally:
        del sys.modules["tensorflow"]


def import_keras_quietly() -> None:
    """Import Keras, its backend and scikeras once, hiding the start-up lines.

    scikeras imports TensorFlow wherever it is installed, whatever the Keras
    backend, to seed it; under another backend it is imported with
    TensorFlow hidden (scikeras then seeds the others only), which saves each
    process 7 s of CPU and 600 MB: repair 8 of :mod:`skfashion._scikeras`.
    """
    if "keras" in sys.modules:
        return
    wanted = os.environ.get("TF_CPP_MIN_LOG_LEVEL") in ("0", "1")  # asked to see
    if not wanted:
        # 3, not 2: at 2 TensorFlow's harmless C++ errors (no CUDA, unknown
        # tf.data attributes) reach stderr during fit; its C++ code reads the
        # level at its first line, which comes after the import
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    with contextlib.nullcontext() if wanted else native_stderr_silenced():
        import keras

        with _tensorflow_hidden_unless_its_backend(keras.backend.backend()):
            import scikeras.wrappers  # noqa: F401

        if keras.backend.backend() == "tensorflow":
            import absl.logging

            absl.logging.set_verbosity(absl.logging.ERROR)
            logging.getLogger("tensorflow").setLevel(logging.ERROR)
