"""Starting skfashion: quiet imports, and a command line that needs no Keras."""

import subprocess
import sys


def test_importing_skfashion_prints_nothing():
    code = (
        "import logging, sys; logging.basicConfig()\n"
        "import skfashion.models\n"
        "logging.getLogger('mine').warning('my own line')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
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
