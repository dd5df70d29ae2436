# Two commands do all the set-up on a fresh machine:
#   make demo   creates the environment and starts the demo (SQLite in ./demo-data)
#   make test   creates the environment, installs Debian's chromium and the browser tests
#               npm packages (axe-core, from package-lock.json), runs ruff, mypy (src) and
#               every test
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")
VENV := .venv
PYTEST_ARGS ?=

.PHONY: env demo-env demo test lint bench-tools chromium browser-deps catalogs

$(UV):
	python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

env: $(UV)
	$(UV) sync --frozen --all-groups --quiet

# The demo needs neither the benchmark-only group (nomenklatura and its dependencies) nor
# the test tools; --inexact keeps them if `make test` installed them already.
demo-env: $(UV)
	$(UV) sync --frozen --inexact --no-dev --quiet

chromium:
	@bash scripts/ensure-chromium.sh

# axe-core, which the browser tests inject into each page (exact versions from the lock file)
browser-deps:
	@command -v npm >/dev/null || bash scripts/ensure-npm.sh
	cd tests/browser && npm ci --no-audit --no-fund --silent

demo: demo-env
	$(VENV)/bin/interlink demo

lint: env
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/ruff format --check src tests bench scripts
	$(VENV)/bin/mypy

test: env chromium browser-deps
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/ruff format --check --quiet src tests bench scripts
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

# wrk drives bench/screening_http.py (Debian package; the benchmarks are not part of the tests)
bench-tools: env
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y wrk)

# Extract the gettext strings and merge them into the ar/en/fr/es catalogs (docs/languages.md)
catalogs: env
	$(VENV)/bin/python -m interlink.core.catalogs
