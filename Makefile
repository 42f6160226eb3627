# Messages Playground. `make help` lists the targets.
# Any Python from 3.11 works: python3.11 when it is installed, else the newest python3.1x found.
# Choose another with `make run PY=python3.13` (delete .venv first to switch).
PY ?= $(shell command -v python3.11 >/dev/null 2>&1 && echo python3.11 || \
        for v in 3.14 3.13 3.12; do command -v python$$v >/dev/null 2>&1 && { echo python$$v; break; }; done)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help setup run test test-fast lint bench

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	@test -n "$(PY)" || { echo "Python 3.11 or newer is needed (python3.11, python3.12, ...); set PY=" >&2; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Packages are installed again only when pyproject.toml changes, so later runs need no network.
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed ## Create the virtualenv, install, migrate and load the demo data
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo --url http://$(HOST):$(PORT)

run: setup ## Set up everything and serve the playground on http://127.0.0.1:8000
	PLAYGROUND_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(BIN)/python ## Set up everything and run the whole test suite (SQLite, then PostgreSQL)
	./scripts/test

test-fast: $(VENV)/.installed ## The SQLite suite without the browser, Node and Redis tests
	$(BIN)/pytest -q -m "not browser and not node and not redis"

lint: ## ruff check
	$(BIN)/ruff check .

bench: $(BIN)/python ## Run the benchmarks; their figures go to bench/REPORT.md (ONLY=sse,proxy for some)
	$(BIN)/python bench/report.py $(if $(ONLY),--only $(ONLY))
