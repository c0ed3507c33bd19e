# One source of truth for people and CI: `make run`, `make test`, `make lint`, `make typecheck`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test test-fast lint typecheck check benchmark clean

# Headless Chromium and CJK fonts for the report test, and headless LibreOffice Calc for
# the workbook test (it converts plans.xlsx), from Debian's packages.
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
SOFFICE  := /usr/bin/soffice

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@# Bytecode, as an installed wheel has it: a process does not compile the sources as it
	@# starts (under PYTHONDONTWRITEBYTECODE, every start would; benchmarks/bench_account.py).
	$(BIN)/python -m compileall -q src/arrearsrisk
	touch $(STAMP)

install: $(STAMP)

$(CHROMIUM) $(CJK_FONT):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk

$(SOFFICE):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui

## The main job end to end on data/sample/ (with its staff table: who works each plan).
run: $(STAMP)
	$(BIN)/arrearsrisk run --data data/sample --staff data/sample/staff.csv --out out

## The test suite (what CI runs): everything, the slow tests that train included.
test: $(STAMP) $(CHROMIUM) $(CJK_FONT) $(SOFFICE)
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n 2 --dist loadfile -q src tests

## The tests that train no model (a quick check while working).
test-fast: $(STAMP) $(CHROMIUM) $(CJK_FONT) $(SOFFICE)
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n 2 --dist loadfile -q -m "not slow" src tests

## Style, and the house: imports point one way (import-linter), no import circle.
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools
	$(BIN)/lint-imports --no-cache
	$(BIN)/python tools/import_cycles.py arrearsrisk

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_ledger.py
	$(BIN)/python benchmarks/bench_score.py
	$(BIN)/python benchmarks/bench_plans.py
	$(BIN)/python benchmarks/bench_workbook.py

clean:
	rm -rf $(VENV) out mlruns mlflow.db
