# Every target sets up what it needs: a virtual environment in .venv with the pinned packages of requirements.txt.
# `make book` builds the site into _build/html; `make test` runs every test. See README.md.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup browser execute book lint test test-fast lab offline lite offline-live pdf screenshots slides instructor bench clean help

help:
	@echo "make book    set up and build the site into _build/html (open _build/html/index.html)"
	@echo "make test    set up and run every test (lint, data, widgets, nbval, built site and browser app in Chromium)"
	@echo "make test-fast  lint and the unit and data tests only (no browser, kernel or build; under a minute)"
	@echo "make lab     set up and open JupyterLab on the chapters (live widgets)"
	@echo "make offline build the site and pack it into dist/ceasefire-book-offline.zip (works unpacked, from disk)"
	@echo "make lite    build the site plus the chapters live in the browser (JupyterLite) under _build/html/lite"
	@echo "make offline-live  the offline zip with the browser app too (serve it with python3 -m http.server)"
	@echo "make screenshots  every chapter's first screen at phone and desktop width, light and dark, into _build/screenshots"
	@echo "make pdf     print the single-page book with Chromium into _build/pdf/book.pdf (maps included)"
	@echo "make slides  one slide deck per chapter from its stored outputs into _build/slides (open index.html)"
	@echo "make instructor  build the instructor guide (answer keys, worksheets as PDF; never published) into _build_instructor"

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "This book needs Python 3.11; found " + sys.version.split()[0] + ". Set PYTHON=/path/to/python3.11.")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-deps --requirement requirements.txt
	$(BIN)/python -m pip check
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --editable .
	touch $@

browser:
	bash tools/ensure_chromium.sh
	bash tools/ensure_poppler.sh

# Re-execute the chapters whose code or inputs changed, storing their outputs in place (deterministic).
execute: setup
	$(BIN)/python -m tools.execute

book: execute
	$(BIN)/python -m tools.build_book

# ruff lints and checks the format of the Python code; nbqa runs ruff on the chapters' code cells.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/nbqa ruff chapters/
	$(BIN)/nbqa "ruff format" chapters/ --check

# The committed notebooks must be current (--check), the site must build strictly (and, on the other core, the
# single-page book, printed to the PDF the PDF tests read), the browser app is built (from the cache after the first
# time), then every test runs, in TEST_WORKERS processes (pytest-xdist; a file's tests, and so a notebook's cells,
# stay in one process, except the files tests/conftest.py hands out test by test). CEASEFIRE_REQUIRE_LITE: the
# browser-app tests fail, not skip, without the app.
TEST_WORKERS ?= 2
test: setup browser lint
	$(BIN)/python -m tools.execute --check
	$(BIN)/python -m tools.pdf & single=$$!; $(BIN)/python -m tools.build_book; wait $$single
	$(BIN)/python -m tools.lite
	CEASEFIRE_REQUIRE_LITE=1 $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

# Unit and data tests only: no Chromium, no kernel, no build (markers registered in pyproject.toml); in TEST_WORKERS
# processes too (measured on 2 cores: 17 s, against 28 s in one).
test-fast: setup lint
	$(BIN)/python -m pytest tests -m "not browser and not kernel and not slow" -n $(TEST_WORKERS) --dist loadfile

bench: setup browser
	$(BIN)/python -m tools.bench

# JupyterLab on the chapters; LAB_ARGS passes options (e.g. LAB_ARGS="--no-browser --port=8890"). Containers and CI
# often run as root, which JupyterLab refuses unless told.
LAB_ARGS ?=
lab: setup
	$(BIN)/jupyter lab chapters/ $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

# One zip of the built site, with a SHA-256 manifest, to unpack anywhere and open from disk.
offline: book
	$(BIN)/python -m tools.offline_zip

# The chapters live in the browser (JupyterLite + Pyodide) under _build/html/lite: downloads (≈ 100 MB) are cached in
# ~/.cache/ceasefire-book/lite and pinned by sha256 in tools/lite-lock.json. Not part of `make book` (see BENCHMARKS.md).
lite: book
	$(BIN)/python -m tools.lite

# A second, heavier zip carrying the browser app too (the light one above never does).
offline-live: lite
	$(BIN)/python -m tools.offline_zip --live

pdf: execute browser
	$(BIN)/python -m tools.pdf

# Every chapter's first screen at phone and desktop width, light and dark, into _build/screenshots (CI keeps them).
screenshots: book browser
	$(BIN)/python -m tools.screenshots --viewport-only

# One self-contained deck per chapter (the cells listed in the notebook's "slides" metadata), from stored outputs.
slides: setup
	$(BIN)/python -m tools.slides

# The instructor guide is a separate book (instructor/), excluded from the public site. Its answer keys' numbers are
# computed at build time (tools/answer_values.py); its worksheets are also printed to PDF with the system Chromium.
instructor: setup browser
	$(BIN)/jupyter-book build instructor --path-output _build_instructor -n -W --keep-going
	$(BIN)/python -m tools.worksheets --out _build_instructor/worksheets

clean:
	rm -rf _build _build_instructor dist
