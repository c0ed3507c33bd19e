# One source of truth for people and CI: `make run`, `make test`, `make lint`, `make typecheck`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint typecheck check benchmark clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

## The main job end to end on data/sample/.
run: $(STAMP)
	$(BIN)/arrearsrisk run --data data/sample --out out

## The test suite (what CI runs).
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q src tests

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_ledger.py

clean:
	rm -rf $(VENV) out mlruns mlflow.db
