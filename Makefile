# sim: two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CONFIG ?= configs/baseline.yaml
OUT    ?= runs
ARGS   ?=
SCENARIO_PATHS ?= 20000
SCENARIO_SEED  ?= 20250625

.DEFAULT_GOAL := help
.PHONY: help venv run report all scenarios calibrate backtest skill skill-loo bench test test-slow golden lint fmt members clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP) ## Create .venv and install sim with its dev tools

run: $(STAMP) ## Run the baseline (CONFIG=..., OUT=..., ARGS='--paths N') and print a table
	$(BIN)/sim run $(CONFIG) --out $(OUT) $(ARGS)

scenarios: $(STAMP) ## Run every configs/scenarios/*.yaml (SCENARIO_PATHS, SCENARIO_SEED) and compare them
	@set -e; dirs=""; for f in configs/scenarios/*.yaml; do \
	  d=$$($(BIN)/sim run $$f --paths $(SCENARIO_PATHS) --seed $(SCENARIO_SEED) --out $(OUT) | tail -n 1); \
	  echo "$$f -> $$d"; dirs="$$dirs $$d"; \
	done; \
	$(BIN)/sim compare $$dirs

report: $(STAMP) ## Report (HTML, figures, CSV) for the newest baseline run in runs/
	@d=$$(ls -dt $(OUT)/baseline-* 2>/dev/null | head -n 1); \
	if [ -z "$$d" ]; then echo "no baseline run in $(OUT)/: run 'make run' first"; exit 2; fi; \
	$(BIN)/sim report $$d

all: $(STAMP) ## Run every scenario and write a report for each
	@set -e; for f in configs/scenarios/*.yaml; do \
	  d=$$($(BIN)/sim run $$f --paths $(SCENARIO_PATHS) --seed $(SCENARIO_SEED) --out $(OUT) | tail -n 1); \
	  $(BIN)/sim report $$d; \
	done

test: $(STAMP) ## Run the test suite (what CI runs)
	$(BIN)/python -m pytest -q -m "not slow"

test-slow: $(STAMP) ## Run the long statistical tests too
	$(BIN)/python -m pytest -q

golden: $(STAMP) ## Rewrite tests/data/golden_*.nc from the current code (on purpose), then check them
	$(BIN)/python -m pytest -q --update-golden tests/test_politics.py tests/test_vintages.py

lint: $(STAMP) ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP) ## Format and autofix with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

calibrate: $(STAMP) ## Re-estimate the bundled calibration (sim/data/calibration.yaml)
	$(BIN)/sim calibrate --out sim/data/calibration.yaml

backtest: $(STAMP) ## Backtests: Wales 2014 (with and without the 2022 invasion known) and a 2018 origin
	@set -e; for f in configs/backtest/wales2014.yaml configs/backtest/wales2014_invasion.yaml \
	  configs/backtest/origin2018.yaml; do $(BIN)/sim backtest $$f --out $(OUT); echo; done

skill: $(STAMP) ## Out-of-sample skill of the Wales config: origins 2014-2020, thresholds 1.5-3.5%
	$(BIN)/sim skill configs/backtest/wales2014.yaml --out $(OUT)

skill-loo: $(STAMP) ## The same, leave-one-member-out: pooled estimates without the member scored
	$(BIN)/sim skill configs/backtest/wales2014.yaml --leave-one-out --out $(OUT)

bench: $(STAMP) ## Benchmark numba engine vs numpy reference (100k and 1M paths; minutes)
	$(BIN)/sim bench --config $(CONFIG)

members: $(STAMP) ## Rebuild sim/data/members.csv from the bundled sources
	$(BIN)/python -m sim.inputs.build_members

clean: ## Remove the virtual environment and caches (keeps runs/)
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
