# Every target sets up what it needs: a virtual environment in .venv with the pinned packages of requirements.txt.
# `make book` builds the site into _build/html; `make test` runs every test. See README.md.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup browser execute book test lab bench clean help

help:
	@echo "make book    set up and build the site into _build/html (open _build/html/index.html)"
	@echo "make test    set up and run every test (data, widgets, nbval, built site in Chromium)"
	@echo "make lab     set up and open JupyterLab on the chapters (live widgets)"

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "This book needs Python 3.11; found " + sys.version.split()[0] + ". Set PYTHON=/path/to/python3.11.")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --requirement requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --editable .
	touch $@

browser:
	bash tools/ensure_chromium.sh

# Re-execute the chapters whose code or inputs changed, storing their outputs in place (deterministic).
execute: setup
	$(BIN)/python -m tools.execute

book: execute
	$(BIN)/python -m tools.build_book

# The committed notebooks must be current (--check), the site must build strictly, then every test runs.
test: setup browser
	$(BIN)/python -m tools.execute --check
	$(BIN)/python -m tools.build_book
	$(BIN)/python -m pytest

bench: setup browser
	$(BIN)/python -m tools.bench

lab: setup
	$(BIN)/jupyter lab chapters/

clean:
	rm -rf _build _build_instructor dist
