# sparserecovery — every target sets up .venv itself, so a fresh clone needs
# nothing but `make demo` or `make test`.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
export PIP_DISABLE_PIP_VERSION_CHECK = 1

.PHONY: demo test test-thorough bench lint docs clean

# One stamp per set of extras; re-installs when pyproject.toml changes.
$(VENV)/.stamp-%: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(if $(or $(findstring test,$*),$(findstring bench,$*)),$(PIP) install -q "torch==2.13.0")
	$(PIP) install -q -e ".[$(subst -,$(comma),$*)]"
	@touch $@

comma := ,

demo: $(VENV)/.stamp-test-bench
	$(VENV)/bin/sparserecovery compare --quick --repeats 1 --out results/demo

bench: $(VENV)/.stamp-test-bench
	$(VENV)/bin/sparserecovery compare --out results/bench

test: $(VENV)/.stamp-test
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q

# the hardening properties with the large hypothesis profile (150 examples)
test-thorough: $(VENV)/.stamp-test
	HYPOTHESIS_PROFILE=thorough $(PY) -m pytest -q tests/hardening

lint: $(VENV)/.stamp-test
	$(VENV)/bin/ruff check .

docs: $(VENV)/.stamp-docs-test
	$(VENV)/bin/sphinx-build -W -q -b html docs docs/_build/html
	@echo "docs: docs/_build/html/index.html"

clean:
	rm -rf $(VENV) build *.egg-info docs/_build docs/auto_examples docs/api/generated results .pytest_cache
