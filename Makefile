# Lotse – the front door. `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export LOTSE_DATABASE_URL ?= sqlite:///var/lotse.db

.PHONY: help install run serve migrate seed test test-fast lint format bench lock clean translations extract-messages browser e2e-deps schemas-snapshot occupations-model

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP) translations ## create .venv and install the locked dependencies

migrate: install ## apply database migrations (embedded SQLite under var/ by default)
	$(BIN)/lotse db upgrade

seed: migrate ## load reference data (idempotent)
	$(BIN)/lotse seed

run: seed translations ## install, migrate, seed and serve on http://127.0.0.1:8000
	$(BIN)/lotse train --if-missing --quick  # first start: small SYNTHETIC model; active only once it passes every gate
	$(BIN)/lotse serve

serve: ## serve without the set-up steps
	$(BIN)/lotse serve

# Message catalogues: .po files are committed, .mo files are built here (git-ignored).
PO_FILES := $(wildcard api/locales/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

api/locales/%/LC_MESSAGES/messages.mo: api/locales/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -D messages -l $* -i $< -o $@

translations: $(MO_FILES) ## compile the translation catalogues (.po -> .mo)

extract-messages: $(STAMP) ## re-extract msgids from code and templates and update every .po
	$(BIN)/pybabel extract -F api/locales/babel.cfg -k lazy_gettext -k _ --no-location --sort-output -w 100 \
		--project=Lotse -o api/locales/messages.pot .
	$(BIN)/pybabel update -i api/locales/messages.pot -d api/locales -D messages -w 100 --no-fuzzy-matching --ignore-obsolete

# Real-browser tests use Debian's Chromium (never a downloaded browser) and axe-core from npm.
browser: ## install Debian's chromium for the e2e tests (skipped when present)
	@test -x /usr/bin/chromium || { apt-get update && apt-get install -y chromium; }

e2e-deps: node_modules/.package-lock.json ## install axe-core from package-lock.json (npm ci)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

lint: install ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/mypy  # settings and cache dir (.mypy_cache) in pyproject.toml [tool.mypy]

format: install ## ruff format + fixes
	$(BIN)/ruff check --fix .

test: install translations browser e2e-deps lint ## lint, then the whole test suite (SQLite and PostgreSQL)
	$(BIN)/pytest

test-fast: install ## tests without the slow, browser and Dask ones
	$(BIN)/pytest -m "not slow and not e2e and not dask"

bench: install ## benchmarks: print figures and write JSON reports to bench/reports/
	@# bench/http_load.py drives the server with Debian's wrk (a Python client would eat its CPU).
	@test -x /usr/bin/wrk || { apt-get update && apt-get install -y wrk; }
	mkdir -p bench/reports
	@# Run as modules (-m) so bench/recommender.py cannot shadow the recommender package.
	@for b in bench/*.py; do m=$$(basename $$b .py); [ "$$m" = __init__ ] || { echo "== $$b"; $(BIN)/python -m bench.$$m || exit 1; }; done

schemas-snapshot: install ## record the published JSON Schemas (refuses breaking changes; see docs/interfaces.md)
	$(BIN)/lotse schemas snapshot tests/snapshots/schemas_v1.json

occupations-model: install ## retrain and recalibrate the job title -> occupation artefact (10-15 min)
	$(BIN)/python -m recommender.occupations.training

lock: ## re-resolve requirements.lock from pyproject.toml (needs the registry)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean: ## remove caches (keeps var/ and .venv)
	rm -rf .pytest_cache .ruff_cache .mypy_cache bench/reports
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +
