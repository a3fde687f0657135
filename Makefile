# The two commands of README.md: `make run` (the whole system) and `make check` (every
# check CI runs). Installs come from the hash-pinned lock files (docs/development.md).
PYTHON ?= python3
VENV   := .venv
PIP    := $(VENV)/bin/pip install --quiet --disable-pip-version-check

.PHONY: run check test lint format typecheck imports lock mutation bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# the application's dependency tree, pinned with hashes
$(VENV)/.run-installed: requirements.lock pyproject.toml | $(VENV)/bin/python
	$(PIP) --require-hashes --no-deps -r requirements.lock
	$(PIP) --no-deps -e .
	touch $@

# ... plus the test and check tools
$(VENV)/.test-installed: requirements-test.lock $(VENV)/.run-installed
	$(PIP) --require-hashes --no-deps -r requirements-test.lock
	touch $@

run: $(VENV)/.run-installed
	$(VENV)/bin/casusregie up

check: $(VENV)/.test-installed
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(VENV)/bin/python -m pytest

test: $(VENV)/.test-installed
	$(VENV)/bin/python -m pytest

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

format: $(VENV)/.test-installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: $(VENV)/.test-installed
	$(VENV)/bin/mypy

imports: $(VENV)/.test-installed
	$(VENV)/bin/lint-imports

# after changing dependencies in pyproject.toml: re-resolve and re-export both locks
lock: $(VENV)/.test-installed
	$(VENV)/bin/pip install --quiet uv
	$(VENV)/bin/uv lock
	$(VENV)/bin/uv export --quiet --format requirements-txt --no-emit-project --hashes \
	    --no-header -o requirements.lock
	$(VENV)/bin/uv export --quiet --format requirements-txt --extra test --no-emit-project \
	    --hashes --no-header -o requirements-test.lock

# Mutation testing of the pure step-plan code against the fast engine and domain tests
# ([tool.mutmut] in pyproject.toml; docs/development.md). Not part of `make test` or CI:
# four to six minutes on two cores. mutants/ keeps the verdicts between runs.
mutation: $(VENV)/.test-installed
	$(VENV)/bin/mutmut run
	$(VENV)/bin/mutmut results
	$(VENV)/bin/python scripts/mutation_score.py

# The end-to-end benchmark (docs/benchmarks.md): the bare Temporal SDK floor and casusregie
# through its HTTP API on one dev server, side by side with ratios, plus the cost
# breakdown of one completion. Not part of `make check` (about two minutes). Its HTTP
# load generator (aiohttp) is among the test tools.
bench: $(VENV)/.test-installed
	$(VENV)/bin/python bench/e2e.py --profile --json bench/results/e2e.json

clean:
	rm -rf $(VENV) .casusregie mutants
