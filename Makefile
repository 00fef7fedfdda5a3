# Two commands do all set-up on a fresh machine:
#   make run   - create .venv, install dlcost, run the main job (the Figure 2 estimate)
#   make test  - install test needs and run the whole suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
PORT ?= 8000

.PHONY: run test bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -e '.[web]'
	touch $@

# Test needs: Python extras (torch from this machine's disk), Debian's Chromium for the
# browser tests. apt runs only when the browser is missing.
$(VENV)/.test-installed: $(VENV)/.installed
	$(PIP) install -e '.[web,test,torch]'
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	touch $@

run: $(VENV)/.installed
	$(VENV)/bin/dlcost estimate --scenario examples/figure2.toml
	$(VENV)/bin/dlcost serve --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.test-installed
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) benchmarks/bench_startup.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
