# The two commands a new user needs: `make demo` and `make test`. Both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint typecheck docs pytest bench install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(STAMP)

# The server with its workers beside it (db_worker and the sweeper), all stopped together.
demo: $(STAMP)
	PYTHON=$(BIN)/python HOST=$(HOST) PORT=$(PORT) scripts/demo.sh

test: lint typecheck docs pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy django_functionalkit example_project tests/typing
	$(BIN)/pyright

docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html

# Twice: SQLite with the local-memory cache, then PostgreSQL 15 with Redis (scripts/test.sh
# starts both on loopback, and stops them after).
pytest: $(STAMP)
	scripts/test.sh

bench: $(STAMP)
	scripts/bench.sh

clean:
	rm -rf $(VENV) docs/_build .mypy_cache .pytest_cache .ruff_cache
