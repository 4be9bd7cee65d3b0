# The pipeline, one target a step. `make book` and `make test` set everything up on a fresh machine.
#   data/ --validate--> run (papermill) --> render (jupyter-book) --> check --> publish (_build/html)

PYTHON_SYS ?= $(shell command -v python3.11 || command -v python3)
VENV       := .venv
PY         := $(VENV)/bin/python
STAMP      := $(VENV)/.installed

.PHONY: book venv validate run toc check test test-fast bench lab lock chapter clean

book: $(STAMP)                  ## validate, run, render, check, publish into _build/html
	$(PY) -m facereport.build

# The virtual environment is rebuilt whenever the lock file (or the package metadata) changes.
$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON_SYS) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed, found " + sys.version.split()[0]'
	rm -rf $(VENV)
	$(PYTHON_SYS) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)                  ## only set up .venv

validate: $(STAMP)              ## check data/ against its schemas and the source registry
	$(PY) -m facereport.validate

run: $(STAMP)                   ## execute the notebooks of notebooks/runs.yml (reusing unchanged runs)
	$(PY) -m facereport.validate
	$(PY) -m facereport.run

toc: $(STAMP)                   ## rewrite _toc.yml from notebooks/runs.yml
	$(PY) -m facereport.toc

check: $(STAMP)                 ## check the published book: pages, links, no third-party loads
	$(PY) -m facereport.check

# Rerun one chapter with your own parameters into a separate book, leaving _build/html alone:
#   make chapter RUN=rollout PARAMS=my-params.yaml      (opens at _build/custom/index.html)
chapter: $(STAMP)
	@test -n "$(RUN)" -a -n "$(PARAMS)" || (echo "usage: make chapter RUN=<run name> PARAMS=<file.yaml>"; exit 2)
	$(PY) -m facereport.build --params $(RUN)=$(PARAMS) --html _build/custom

test: $(STAMP)                  ## the whole test suite, including a real build
	$(PY) -m pytest

test-fast: $(STAMP)             ## the tests that do not run papermill or jupyter-book
	$(PY) -m pytest -m "not build"

bench: $(STAMP)                 ## time a clean build and a no-change build
	$(PY) tests/bench.py

lab: $(STAMP)                   ## JupyterLab on the notebooks
	$(VENV)/bin/jupyter lab notebooks/

lock:                           ## re-resolve requirements.lock from requirements.in
	rm -rf _build/lockenv
	$(PYTHON_SYS) -m venv _build/lockenv
	_build/lockenv/bin/pip install --quiet -r requirements.in
	_build/lockenv/bin/pip freeze --exclude-editable > requirements.lock

clean:                          ## remove build artefacts (not .venv)
	rm -rf _build book/chapters
