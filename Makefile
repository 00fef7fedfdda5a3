# Two commands do all set-up on a fresh machine:
#   make run   - create .venv, install dlcost, run the main job (the Figure 2 estimate)
#   make test  - install test needs and run the whole suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
PORT ?= 8000

.PHONY: run test bench clean postgres

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -e '.[web,stats]'
	touch $@

# Test needs: Python extras (torch from this machine's disk), Debian's Chromium for the
# browser tests. apt runs only when the browser is missing.
$(VENV)/.test-installed: $(VENV)/.installed
	$(PIP) install -e '.[web,stats,postgres,test,torch]'
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	touch $@

run: $(VENV)/.installed
	$(VENV)/bin/dlcost estimate --scenario examples/figure2.toml
	$(VENV)/bin/dlcost serve --host 127.0.0.1 --port $(PORT)

# The store's tests run on SQLite and on a real PostgreSQL server (Debian's `postgresql`):
# installed with apt when missing, its cluster created and started when down, and a
# superuser role made for this OS user, who then connects over the unix socket (peer
# auth). Quick when the server already runs. Needs root, as the apt line above.
PG_SOCKET := /var/run/postgresql

postgres:
	@command -v pg_ctlcluster >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql)
	@set -e; \
	if [ -z "$$(pg_lsclusters -h)" ]; then pg_createcluster "$$(ls /usr/lib/postgresql | sort -n | tail -1)" main >/dev/null; fi; \
	set -- $$(pg_lsclusters -h | head -n 1); \
	[ "$$4" = online ] || pg_ctlcluster "$$1" "$$2" start; \
	user=$$(id -un); \
	su postgres -c "psql -p $$3 -tAc \"SELECT 1 FROM pg_roles WHERE rolname = '$$user'\"" | grep -q 1 \
		|| su postgres -c "createuser -p $$3 -s $$user"

test: $(VENV)/.test-installed postgres
	$(VENV)/bin/lint-imports --no-cache
	DLCOST_TEST_POSTGRES_URL="$${DLCOST_TEST_POSTGRES_URL:-postgresql+psycopg://$$(id -un)@/postgres?host=$(PG_SOCKET)&port=$$(pg_lsclusters -h | awk 'NR == 1 {print $$3}')}" \
		$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) benchmarks/bench_startup.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
