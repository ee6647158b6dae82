# OrderBridge: every target bootstraps .venv itself (reinstalls only when pyproject.toml changes).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test crash fuzz fuzz-nights bench lint clean bytecode

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

# The product's bytecode, up to date (an installed package has it; a checkout run where
# PYTHONDONTWRITEBYTECODE is set (as on our development machines) would otherwise compile every module
# in every process: 0.6 s more for each of a pool night's flow runs). Quick when nothing changed.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q -j 0 flows parsers rules connectors schemas engine console >/dev/null

demo: $(STAMP) bytecode
	$(BIN)/orderbridge demo --workspace demo-workspace --fresh

# the test files spread over the machine's cores, at most 4 workers (each may start its own PostgreSQL,
# Prefect and OpenSSH servers); a file's tests stay on one worker (its module fixtures built once).
# TEST_WORKERS=0 runs them in this one process.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -gt 4 ] && n=4; echo $$n)

# pytest's rewritten test modules written once, on every core, before the workers start (scripts/rewrite_tests.py:
# with PYTHONDONTWRITEBYTECODE set each worker rewrote all ~430 itself; quick when nothing changed)
test: $(STAMP) bytecode
	bash scripts/ensure-test-servers.sh
	$(BIN)/python scripts/rewrite_tests.py
	$(BIN)/python -m pytest -q --durations=20 $(if $(filter 0 1,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile)

# SIGKILL at every occurrence of every kill point of the demo's two nights, 20 random kills, runs
# through Prefect and GX too; each rerun compared with an uninterrupted night (tests/test_crash_safety.py)
crash: $(STAMP) bytecode
	ORDERBRIDGE_CRASH_SWEEP=full $(BIN)/python -m pytest -q tests/test_crash_safety.py

# 50 times the mutants of `make test` through the pipeline, inspect, ack and the intake stage
fuzz: $(STAMP) bytecode
	ORDERBRIDGE_FUZZ=full $(BIN)/python -m pytest -q tests/test_fuzz_intake.py

fuzz-nights: $(STAMP) bytecode
	$(BIN)/python tests/fuzz_nights.py --nights $${NIGHTS:-50} --seed $${SEED:-1}

bench: $(STAMP) bytecode
	$(BIN)/python bench/bench_parse.py
	$(BIN)/python bench/bench_switching.py
	$(BIN)/python bench/bench_inspect.py
	$(BIN)/python bench/bench_allocate.py
	$(BIN)/python bench/bench_reconcile.py
	$(BIN)/python bench/bench_remittance.py
	$(BIN)/python bench/bench_night.py --also-document
	$(BIN)/python bench/bench_run.py 2500 10000 --batch run
	$(BIN)/python bench/bench_reconcile_stage.py 1000 10000
	$(BIN)/python bench/bench_reconcile_history.py 2500 --nights 6
	$(BIN)/python bench/bench_aged_night.py 1000 --nights 12
	$(BIN)/python bench/profile_stage.py reconcile 10000 --late 20 --steps
	$(BIN)/python bench/bench_console.py
	$(BIN)/python bench/bench_finding_orders.py
	$(BIN)/python bench/bench_bigdrop.py --mb 1024
	$(BIN)/python bench/bench_bigdrop.py --shape one --mb 1024
	$(BIN)/python bench/bench_bigdrop.py --shape six --mb 270
	$(BIN)/python bench/bench_pool.py
	$(BIN)/python bench/bench_files.py --files 500
	$(BIN)/python bench/bench_partners.py
	$(BIN)/python bench/bench_bigorder.py --lines 2000 8000 --sdq 100x50 --change 2000
	$(BIN)/python bench/bench_releases_by_ref.py 600
	$(BIN)/python bench/bench_blanket_refs_fill.py 600

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf demo-workspace .bench
