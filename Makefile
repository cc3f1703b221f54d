# One developer loop: CI calls these same targets.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .uv/bin/uv
VENV := .venv
BIN := $(VENV)/bin
SNT := $(BIN)/snt

.PHONY: setup browser asyncapi-parser promtool run down status test test-unit test-integration lint fmt bench clean

# Set-up: a private uv, then the locked environment (re-synced when the lock changes).
$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --quiet
	touch $@

setup: $(VENV)/.synced

## run: start the embedded stack (local broker, SQLite state, every service); Ctrl-C stops it
run: setup
	$(SNT) up

down: setup
	$(SNT) down

status: setup
	$(SNT) status

## browser: Debian's Chromium for the dashboard's browser tests (no browser download)
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "the browser tests need Debian's chromium at /usr/bin/chromium:" \
	      "run 'apt-get install chromium' as root"; exit 1; fi; \
	  echo "installing Debian's chromium for the browser tests"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null \
	    || { apt-get update -q >/dev/null && \
	         DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }; \
	fi

## promtool: Debian's promtool for the alerting-rule tests, unpacked from its prometheus package
## into .tools/ (not installed: no Prometheus server is set up or started)
promtool:
	@if ! command -v promtool >/dev/null && [ ! -x .tools/prometheus/usr/bin/promtool ]; then \
	  echo "fetching Debian's promtool for the alerting-rule tests"; \
	  mkdir -p .tools && cd .tools && rm -f prometheus_*.deb && \
	  { apt-get download -q prometheus >/dev/null 2>&1 \
	    || { apt-get update -q >/dev/null && apt-get download -q prometheus >/dev/null; }; } && \
	  dpkg -x prometheus_*.deb prometheus && rm -f prometheus_*.deb \
	  || echo "promtool could not be fetched: tests/unit/deploy/test_operations.py says so"; \
	fi

## asyncapi-parser: the official AsyncAPI parser (npm, pinned) in .npm-tools/ for the tests
asyncapi-parser: setup
	$(BIN)/python -m tests.support.asyncapi_parser

## test: lint, type-check, then the whole test suite (unit, integration, e2e)
test: setup browser asyncapi-parser promtool lint
	$(BIN)/pytest -n 2 --dist loadfile --durations=15

test-unit: setup asyncapi-parser promtool
	$(BIN)/pytest tests/unit

test-integration: setup browser
	$(BIN)/pytest tests/integration tests/e2e

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: run the benchmarks and save results under benchmarks/results/
bench: setup
	$(SNT) bench all

clean:
	rm -rf $(VENV) .uv .pytest_cache .mypy_cache .ruff_cache
