# Interlude: `make run` (install, build the PWA, migrate, serve on :8000 with SQLite)
# and `make test` (install what the tests need, then run everything).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# System packages the tests drive for real: a browser, a Sieve compiler, a fake clock, and
# the HTTPS reverse proxy of deploy/ with the NSS tool that makes Chromium trust its local CA
# (tests/packaging).
TEST_APT_PACKAGES := chromium dovecot-sieve dovecot-core faketime wrk caddy libnss3-tools
TEST_COMMANDS := chromium sievec sieve-test faketime wrk caddy certutil

.PHONY: run test install install-test frontend wheel lint typecheck pytest frontend-test bench bench-deps \
	bench-figures soak clean \
	system-deps api-types api-types-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# `npm ci` installs exactly the lock file. Registries that serve only this platform's
# optional packages (rollup's other-OS builds) make `npm ci` refuse the lock as "out of sync";
# then `npm install --no-save` installs the same locked versions without rewriting the lock.
frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && (npm ci --no-audit --no-fund 2>/dev/null || npm install --no-save --no-audit --no-fund)
	touch $@

# The PWA is built whenever frontend/ has one.
frontend:
	@if [ -f frontend/package.json ]; then \
		$(MAKE) --no-print-directory frontend/node_modules/.installed && \
		cd frontend && npm run build; \
	else echo "frontend/ has no package.json yet: serving the API only"; fi

run: install frontend
	$(BIN)/interlude migrate
	$(BIN)/interlude run --host $(HOST) --port $(PORT)

# The wheel an operator installs (docs/deployment.md): the built PWA and the migrations inside
# (setup.py). build/ goes first: setuptools would pack files left there by an older build.
wheel: install frontend
	rm -rf build dist
	$(BIN)/pip wheel --quiet --no-deps --wheel-dir dist .

system-deps:
	@missing=""; for cmd in $(TEST_COMMANDS); do command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$cmd"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages for:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(TEST_APT_PACKAGES); \
	fi

lint: install-test
	$(BIN)/ruff check backend tests bench setup.py
	$(BIN)/ruff format --check backend tests bench setup.py
	$(BIN)/mypy
	$(BIN)/ruff check frontend/scripts/openapi.py && $(BIN)/ruff format --check frontend/scripts/openapi.py
	$(BIN)/mypy frontend/scripts/openapi.py
	$(BIN)/lint-imports

frontend-test: frontend api-types-check
	@if [ -f frontend/package.json ]; then cd frontend && npm test; fi

# frontend/src/api/types.ts is generated from the API's OpenAPI document (built from the code,
# no server: frontend/scripts/openapi.py) by openapi-typescript. `make api-types` regenerates
# it after a schema change; `make api-types-check` (in `make test`) fails when the committed
# file differs from a fresh generation.
API_SCHEMA := frontend/node_modules/.cache/interlude-openapi.json

# Rebuilt on every use (install-test is phony): the document must come from the current code.
$(API_SCHEMA): install-test frontend/node_modules/.installed
	@mkdir -p $(dir $@)
	$(BIN)/python frontend/scripts/openapi.py > $@.tmp && mv $@.tmp $@

api-types: $(API_SCHEMA)
	cd frontend && node_modules/.bin/openapi-typescript $(abspath $(API_SCHEMA)) --output src/api/types.ts

api-types-check: $(API_SCHEMA)
	@cd frontend && node_modules/.bin/openapi-typescript $(abspath $(API_SCHEMA)) --output src/api/types.ts --check \
		|| { echo "frontend/src/api/types.ts is not what the API's schema generates:" \
			"run 'make api-types' and commit the result." >&2; exit 1; }

pytest: install-test system-deps frontend
	$(BIN)/pytest

test: lint frontend-test pytest

# The product alone, as `make install` installs it (no test extras): bench/bench_run.py
# measures `interlude run`'s footprint with it (the test extras change what httpx imports).
RUN_VENV := .venv-run
$(RUN_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(RUN_VENV)
	$(RUN_VENV)/bin/pip install --quiet -e .
	touch $@

# nginx is the reminder burst's push receiver (bench/bench_reminders.py): a real push service
# spends none of our CPU, and a Python receiver would take ~100 µs per push of the same 2 cores.
bench-deps: install-test system-deps $(RUN_VENV)/.installed
	@command -v nginx >/dev/null 2>&1 || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends nginx-light; }

bench: bench-deps
	$(BIN)/python -m bench

# Issue 16's figures side by side from one run (~15 min; bench/run_all.py): push, the lone
# reminder and the 10,000 burst on SQLite and PostgreSQL, `interlude run`'s footprint, the
# Today view on both databases, the change's size.
bench-figures: bench-deps
	$(BIN)/python bench/run_all.py

# 30 minutes of simulated day for 2,000 therapists (docs/benchmarks.md); PostgreSQL from
# INTERLUDE_TEST_POSTGRES_URL. The 2-minute variant runs in `make test` (tests/load).
soak: install-test system-deps
	$(BIN)/python bench/soak.py --minutes 30 --therapists 2000 --api 2 --workers 2

# Known-vulnerability audit of the Python environment and of the PWA's lock file
# (docs/security.md, "Dependency audits"). Needs network access to the advisory services
# (PyPI's JSON API, the npm registry's audit endpoint), so it is not part of `make test`.
# --strict: a package that could not be looked up fails the audit instead of passing as clean.
# --omit=dev covers the run-time dependency (preact); the workbox-* modules bundled into the
# service worker are devDependencies, so the full audit runs too (fails at high or above; read
# its report for workbox-* findings at any level).
.PHONY: audit
audit: install-test
	$(BIN)/pip-audit --strict --skip-editable --progress-spinner off
	cd frontend && npm audit --omit=dev
	cd frontend && npm audit --audit-level=high

clean:
	rm -rf $(VENV) $(RUN_VENV) frontend/node_modules frontend/dist var build dist .pytest_cache .mypy_cache .ruff_cache
