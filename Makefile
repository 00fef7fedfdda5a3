# Two commands do all set-up on a fresh machine:
#   make run   - create .venv, install dlcost, run the main job (the Figure 2 estimate)
#   make test  - install test needs and run the whole suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q

.PHONY: run test bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed
	$(PIP) install -e '.[test,torch]'
	touch $@

run: $(VENV)/.installed
	$(VENV)/bin/dlcost estimate --scenario examples/figure2.toml

test: $(VENV)/.test-installed
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) benchmarks/bench_startup.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
