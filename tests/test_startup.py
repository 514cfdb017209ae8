"""Starting skfashion: quiet imports, and a command line that needs no Keras."""

import os
import subprocess
import sys


def test_importing_and_fitting_print_nothing_and_leave_determinism_off():
    # One fresh process (TensorFlow reads its settings once, on first use):
    # importing skfashion and fitting print nothing of TensorFlow's, even at
    # TF_CPP_MIN_LOG_LEVEL=2 ("failed call to cuInit" came during fit), and
    # fit leaves op determinism off (scikeras 0.13 left it on, breaking any
    # later unseeded random op: repair 4).
    code = (
        "import logging, sys; logging.basicConfig()\n"
        "import skfashion.models\n"
        "logging.getLogger('mine').warning('my own line')\n"
        "import keras, numpy as np\n"
        "X, y = np.random.rand(12, 8, 8), np.arange(12) % 2\n"
        "skfashion.models.CNNClassifier(filters=(2,), epochs=1, random_state=0)"
        ".fit(X, y)\n"
        "if keras.backend.backend() == 'tensorflow':\n"
        "    model = keras.Sequential([keras.Input((4,)), keras.layers.Dropout(0.5),"
        " keras.layers.Dense(4)])\n"
        "    model.compile(loss='mse')\n"
        "    model.fit(np.ones((8, 4)), np.ones((8, 4)), verbose=0)\n"
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr.splitlines() == ["WARNING:mine:my own line"]


def test_what_needs_no_keras_imports_none():
    # the command line's parser, skfashion models, and the numpy half of
    # the heads (boxes, the registry, results, reading), in one process
    code = (
        "import sys\nfrom skfashion.cli import build_parser, main\n"
        "build_parser()\nmain(['models', '--quiet'])\n"
        "import skfashion.boxes, skfashion.heads, skfashion.reading\n"
        "import skfashion.results\n"
        "print(sorted(m for m in ('keras', 'tensorflow', 'scikeras') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == "[]"
    assert "fast-anywhere" in result.stdout  # the models were listed
