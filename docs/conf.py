"""Sphinx configuration for skfashion's documentation."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

from skfashion._quiet import import_keras_quietly

import_keras_quietly()  # no TensorFlow start-up lines in the build's output

project = "skfashion"
author = "the skfashion developers"
copyright = "2026, the skfashion developers"
import skfashion  # noqa: E402

release = version = skfashion.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
    "myst_parser",
]
autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
autodoc_default_options = {
    "members": True,
    "inherited-members": False,
    # scikit-learn's metadata-routing setters cite pages of its own docs.
    "exclude-members": ",".join(
        f"set_{method}_request"
        for method in ("fit", "score", "predict", "predict_proba", "partial_fit")
    )
    + ",set_output",
}
intersphinx_mapping = {}  # offline builds: no inventories to fetch
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
html_theme = "pydata_sphinx_theme"  # as scikit-learn's and imbalanced-learn's
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
}
html_static_path = ["_static"]
plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 90)]
suppress_warnings = ["config.cache"]  # sphinx-gallery's callable settings

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
}
