"""The documentation builds without a warning, running every example (fast)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).parents[1] / "docs"


@pytest.mark.docs
@pytest.mark.realdata
def test_docs_build_without_warnings(fashion_train, tmp_path, monkeypatch, capsys):
    pytest.importorskip("sphinx_gallery")
    from sphinx.cmd.build import build_main

    # in this process, whose TensorFlow is imported already (7 s of CPU)
    monkeypatch.setenv("SKFASHION_FAST", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    argv = ["-W", "--keep-going", "-q", "-E", "-b", "html", str(DOCS)]
    assert build_main([*argv, str(tmp_path / "html")]) == 0, capsys.readouterr().err
    built = tmp_path / "html"
    for page in ("index", "user_guide", "api", "auto_examples/plot_pipeline"):
        assert (built / f"{page}.html").is_file()
    assert len(list((built / "_images").glob("sphx_glr_plot_*_001.png"))) >= 4
    assert (
        "CNNClassifier"
        in (built / "generated/skfashion.models.CNNClassifier.html").read_text()
    )


EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("plot_*.py"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_each_example_stands_alone(example, tmp_path):
    """A downloaded example imports nothing from beside it in the repository."""
    import ast

    alone = tmp_path / example.name
    alone.write_text(example.read_text())
    modules = sorted(
        {
            (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(
                "."
            )[0]
            for node in ast.walk(ast.parse(alone.read_text()))
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
    )
    check = (
        "import importlib.util, sys; "
        "missing = [m for m in sys.argv[1:] if importlib.util.find_spec(m) is None]; "
        "print(*missing)"
    )
    result = subprocess.run(
        [sys.executable, "-c", check, *modules],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"{example.name} needs {result.stdout}"


@pytest.mark.realdata
def test_an_example_runs_alone_in_an_empty_folder(fashion_train, tmp_path):
    example = next(p for p in EXAMPLES if p.stem == "plot_augmentations")
    (tmp_path / example.name).write_text(example.read_text())
    result = subprocess.run(
        [sys.executable, example.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg", "SKFASHION_FAST": "1"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
