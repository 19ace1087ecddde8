# qcredit — two commands on a fresh machine: `make demo` and `make test` (see README).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint bench clean venv

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "qcredit needs Python 3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

## Demo: SQLite database under var/, ~2,000 graded Shandong enterprises, http://127.0.0.1:8000
demo: $(STAMP)
	$(BIN)/qcredit demo

## The whole suite, on SQLite and (when reachable, always in CI) on PostgreSQL
test: $(STAMP)
	scripts/test.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

## Grading benchmark on PostgreSQL (database qcredit_bench; its tables are emptied)
BENCH_ENTERPRISES ?= 100000
bench: $(STAMP)
	psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'qcredit_bench'" | grep -q 1 \
	  || psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE qcredit_bench"
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/qcredit_bench $(BIN)/python bench/grading.py \
	  --enterprises $(BENCH_ENTERPRISES)

clean:
	rm -rf $(VENV) var build src/*.egg-info .pytest_cache .ruff_cache
