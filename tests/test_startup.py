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


def test_the_command_line_starts_without_keras():
    code = (
        "import sys\nfrom skfashion.cli import build_parser\nbuild_parser()\n"
        "print(sorted(m for m in ('keras', 'tensorflow', 'scikeras') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_listing_the_shipped_models_needs_no_keras():
    code = (
        "import sys\nfrom skfashion.cli import main\nmain(['models', '--quiet'])\n"
        "print(sorted(m for m in ('keras', 'tensorflow', 'scikeras') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == "[]"
    assert "fast-anywhere" in result.stdout
