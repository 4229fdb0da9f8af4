# The two commands: `make dev` runs the whole product locally, `make test` runs the gate then every test.
# Both install what is missing first: virtualenv, packages, DynamoDB Local; `make test` also the browser
# tests' Chromium and axe-core, which `make dev` does not need. One tier alone: `make lint`, `make unit`,
# `make integration`, `make e2e`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup dev test lint unit integration e2e reset openapi routes bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

.local/dynamodb-local/.ready: local/dynamodb_local.py | $(STAMP)
	$(PY) -m local.dynamodb_local
	touch $@

# Browser tests: Debian's Chromium (never a downloaded browser) and axe-core from npm.
.local/chromium.ready:
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	mkdir -p .local && touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --silent

LOCAL_STACK := $(STAMP) .local/dynamodb-local/.ready

setup: $(LOCAL_STACK) .local/chromium.ready node_modules/.package-lock.json

dev: $(LOCAL_STACK)
	$(PY) -m local.stack

# The gate, before any test: ruff's rules and mypy's settings are in pyproject.toml.
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy

# Rules, use cases on the in-memory table (tests/memory) and the table contract on it: no local
# service, no server, under a minute.
unit: $(STAMP)
	$(PY) -m pytest -q -n 2 tests/unit tests/contract -k "not dynamodb_local and not moto"

# --dist loadfile: each test module runs on one worker, so tests/infra/test_package.py packages the app once.
# (Not loadgroup: with pytest 9.2 xdist ignores xdist_group marks, pytest-dev/pytest-xdist#1386.)
integration: $(LOCAL_STACK)
	$(PY) -m pytest -n 2 --dist loadfile tests/integration tests/contract tests/infra

e2e: setup
	$(PY) -m pytest tests/browser

test: setup lint
	$(PY) -m pytest -n 2 --dist loadfile tests

reset:
	rm -rf .local/data

openapi: $(STAMP)
	$(PY) -m local.openapi > docs/openapi.json

# The routes table app.py registers lazily (chalicelib/api/routes.py), from the route modules' blueprints:
# run it after adding or changing a route (then `make openapi`).
routes: $(STAMP)
	$(PY) -m local.routes

bench: $(LOCAL_STACK)
	$(PY) -m bench

clean:
	rm -rf $(VENV) .local
