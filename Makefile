# Every target sets up what it needs: virtualenv, dependencies, data.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Python writes the bytecode of each module it imports, once, as it does by
# default (where PYTHONDONTWRITEBYTECODE=1 is set, every process would compile
# TensorFlow afresh: 13 to 17 s of CPU, against 6 s from bytecode). Compiling
# the whole virtualenv at install instead took 39 s of CPU, most of it for
# modules nothing imports.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install browser test test-docs test-jax demo docs docs-fast data lint format bench bench-full pretrained clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# uv installs in 10 s what pip takes a minute for; pip where uv is not to be
	# had, without compiling every module it installs, as uv does (that took
	# 43 s of CPU: 74+13 against 31+14 s for the whole install). Then the
	# bytecode of what skfashion imports is written once (below)
	{ $(PY) -m pip install -q uv && \
	  $(VENV)/bin/uv pip install -q --python $(PY) -e ".[dev,docs]"; } || \
	{ $(PY) -m pip install -q --upgrade pip && \
	  $(PY) -m pip install -q --no-compile -e ".[dev,docs]"; }
	$(PY) -c "import skfashion.models, skfashion.anywhere"
	touch $@

# The virtualenv and the package in it: enough to predict with the shipped
# models (.venv/bin/skfashion predict --example outfit); no data needed.
install: $(STAMP)

# The data: already there (data_home, Keras cache, Debian), else Debian's
# package where apt is usable, else the official download.
data: $(STAMP)
	@$(PY) -m skfashion data --no-download >/dev/null 2>&1 || \
	  { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	    apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist; } || true
	$(PY) -m skfashion data

# Debian's chromium, for the page's tests in a real browser
# (tests/test_serve.py, driven by Playwright), installed as the data package
# is: with apt, as root. Where it cannot be, those tests skip and say so.
browser:
	@command -v chromium >/dev/null || \
	  { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	    apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver \
	      >/dev/null; } || \
	  echo "chromium could not be installed: the browser tests will skip"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Both cores (pytest-xdist, a test file per worker, so module fixtures are
# fitted once, the slowest files first: conftest.py). Then the tests marked
# `backends` run again under JAX, on the toy data: every network, loss and
# head trained, saved, loaded and resumed (what a backend can change; the
# scikit-learn plumbing around them it cannot). XLA's compilation cache serves
# the many identical toy networks compiled again, and XLA compiles without
# LLVM's optimisations (a third less CPU for networks this small).
PYTEST := $(PY) -m pytest -n 2 --dist loadfile
JAX := KERAS_BACKEND=jax JAX_COMPILATION_CACHE_DIR=$(VENV)/jax-cache \
	JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS=0 JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES=0 \
	XLA_FLAGS=--xla_backend_optimization_level=0
JAX_TESTS := -m "backends and not realdata" tests

test: lint data browser
	$(PYTEST) -m "not docs"
	$(JAX) $(PYTEST) $(JAX_TESTS)

# The documentation built as the tests build it (a few hundred images, every
# example run): about a minute of CPU, half of it the examples' trainings.
# CI runs it after make test, as scikit-learn builds its documentation in a
# job of its own.
test-docs: data
	$(PY) -m pytest -m docs tests/test_docs.py

test-jax: data
	$(JAX) $(PYTEST) $(JAX_TESTS)

demo: data
	$(VENV)/bin/skfashion demo

# The shipped models (skfashion/trained/), trained from scratch: about an
# hour and a half on two cores, resumable (checkpoints in .pretrained/). A
# model whose file is there is kept: delete the files to train them again.
pretrained: data
	$(PY) scripts/train_pretrained.py

# A quick pass of every benchmark; bench-full measures docs/benchmarks.md's
# tables (about half an hour on two cores) and writes the page.
bench: data
	$(PY) benchmarks/bench_augment.py
	$(PY) benchmarks/bench_networks.py --quick

bench-full: data
	$(PY) benchmarks/bench_networks.py
	$(PY) benchmarks/bench_networks.py --backend-only
	$(PY) benchmarks/write_benchmarks_page.py

# make docs: the full build, whose examples train on 20,000 images (long on
# two cores); make docs-fast: a few hundred images, as the tests build it.
docs: data
	rm -rf docs/_build docs/auto_examples docs/generated
	$(VENV)/bin/sphinx-build -W --keep-going -q -b html docs docs/_build/html

docs-fast: data
	rm -rf docs/_build docs/auto_examples docs/generated
	SKFASHION_FAST=1 $(VENV)/bin/sphinx-build -W --keep-going -q -b html docs docs/_build/html

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info docs/_build docs/auto_examples docs/generated
