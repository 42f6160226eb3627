# Messages Playground. `make help` lists the targets.
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help setup run test test-fast lint bench

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

setup: $(BIN)/python ## Create the virtualenv, install, migrate and load the demo data
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo

run: setup ## Set up everything and serve the playground on http://127.0.0.1:8000
	PLAYGROUND_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(BIN)/python ## Set up everything and run the whole test suite (SQLite, then PostgreSQL)
	./scripts/test

lint: ## ruff check
	$(BIN)/ruff check .

bench: ## Run the benchmarks (prints figures)
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done
