# Two commands do all the set-up on a fresh machine:
#   make demo   creates the environment and starts the demo (SQLite in ./demo-data)
#   make test   creates the environment, installs Debian's chromium, runs every test
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")
VENV := .venv
PYTEST_ARGS ?=

.PHONY: env demo-env demo test lint bench-tools chromium

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

demo: demo-env
	$(VENV)/bin/interlink demo

lint: env
	$(VENV)/bin/ruff check src tests bench scripts

test: env chromium
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

# wrk drives bench/screening_http.py (Debian package; the benchmarks are not part of the tests)
bench-tools: env
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y wrk)
