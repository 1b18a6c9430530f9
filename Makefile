# Developer commands; CI runs `make check` (see .ci/run).
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup serve check lint typecheck openapi-check test openapi bench-quick

setup:  ## create the virtualenv and install filmroll with its test tools
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'

serve:  ## run the server on SQLite in ./filmroll-data
	$(BIN)/filmroll serve

lint:
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck:
	$(BIN)/mypy

openapi:  ## regenerate the committed OpenAPI document
	$(BIN)/filmroll openapi --output openapi.json

openapi-check:  ## fail when the code and openapi.json disagree
	$(BIN)/filmroll openapi --output .openapi.generated.json
	diff -u openapi.json .openapi.generated.json && rm -f .openapi.generated.json

test:
	$(BIN)/pytest -q

check: lint typecheck openapi-check test

bench-quick:  ## run every benchmark scenario small, on both databases
	$(BIN)/python -m bench --quick --db sqlite && $(BIN)/python -m bench --quick --db postgres
