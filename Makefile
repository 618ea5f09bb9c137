# Haven: `make demo` runs the demo practice, `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint format bench load vendor clean help

help:
	@echo "make demo   - set up and run Haven with a seeded demo practice"
	@echo "make test   - lint, then run all tests (SQLite, PostgreSQL, Chromium)"
	@echo "make lint   - ruff, mypy and the import contracts"
	@echo "make bench  - pages under load against a reference page, and the heavy paths, into docs/benchmarks.md"
	@echo "make load   - 32 simulated users on loopback against PostgreSQL for 3 minutes; fails on any error or loss"
	@echo "make vendor - refresh vendored Bootstrap, HTMX and axe-core from the npm registry"

$(STAMP): requirements.txt requirements-dev.txt
	@py=$$(scripts/find-python) && echo "Using $$py" && \
	  { [ -x $(PY) ] || $$py -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

demo: $(STAMP)
	scripts/system-deps
	scripts/demo

test: $(STAMP)
	scripts/system-deps
	scripts/test

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP)
	scripts/system-deps
	scripts/bench

load: $(STAMP)
	scripts/system-deps
	scripts/load

vendor:
	scripts/vendor-static

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache staticfiles test-artifacts
