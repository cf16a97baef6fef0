# Lotse – the front door. `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export LOTSE_DATABASE_URL ?= sqlite:///var/lotse.db

.PHONY: help install run serve migrate seed test test-fast lint format bench lock clean

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the locked dependencies

migrate: install ## apply database migrations (embedded SQLite under var/ by default)
	$(BIN)/lotse db upgrade

seed: migrate ## load reference data (idempotent)
	$(BIN)/lotse seed

run: seed ## install, migrate, seed and serve on http://127.0.0.1:8000
	$(BIN)/lotse serve

serve: ## serve without the set-up steps
	$(BIN)/lotse serve

lint: install ## ruff
	$(BIN)/ruff check .

format: install ## ruff format + fixes
	$(BIN)/ruff check --fix .

test: install lint ## lint, then the whole test suite (SQLite and PostgreSQL)
	$(BIN)/pytest

test-fast: install ## tests without the slow, browser and Dask ones
	$(BIN)/pytest -m "not slow and not e2e and not dask"

bench: install ## benchmarks: print figures and write JSON reports to bench/reports/
	mkdir -p bench/reports
	@for b in bench/*.py; do [ "$$b" = bench/__init__.py ] || { echo "== $$b"; $(BIN)/python $$b || exit 1; }; done

lock: ## re-resolve requirements.lock from pyproject.toml (needs the registry)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean: ## remove caches (keeps var/ and .venv)
	rm -rf .pytest_cache .ruff_cache bench/reports
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +
