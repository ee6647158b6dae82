# OrderBridge: every target bootstraps .venv itself (reinstalls only when pyproject.toml changes).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/orderbridge demo --workspace demo-workspace --fresh

test: $(STAMP)
	bash scripts/ensure-test-servers.sh
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/bench_parse.py
	$(BIN)/python bench/bench_switching.py
	$(BIN)/python bench/bench_inspect.py
	$(BIN)/python bench/bench_allocate.py
	$(BIN)/python bench/bench_reconcile.py
	$(BIN)/python bench/bench_night.py --also-document
	$(BIN)/python bench/bench_run.py 2500 10000 --batch run
	$(BIN)/python bench/bench_reconcile_stage.py 1000 10000
	$(BIN)/python bench/bench_console.py

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf demo-workspace .bench
