"""The documentation builds without a warning, running every example (fast)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).parents[1] / "docs"


@pytest.mark.realdata
def test_docs_build_without_warnings(fashion_train, tmp_path):
    pytest.importorskip("sphinx_gallery")
    env = {**os.environ, "SKFASHION_FAST": "1", "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-E",
            "-b",
            "html",
            str(DOCS),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    built = tmp_path / "html"
    for page in ("index", "user_guide", "api", "auto_examples/plot_pipeline"):
        assert (built / f"{page}.html").is_file()
    assert len(list((built / "_images").glob("sphx_glr_plot_*_001.png"))) >= 4
    assert (
        "CNNClassifier"
        in (built / "generated/skfashion.models.CNNClassifier.html").read_text()
    )
