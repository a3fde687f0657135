# The two commands of README.md: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
STAMP  := $(VENV)/.installed

.PHONY: run test lint mutation clean

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/casusregie up

test: $(STAMP)
	$(VENV)/bin/python -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Mutation testing of the pure step-plan code against the fast engine and domain tests
# ([tool.mutmut] in pyproject.toml; docs/development.md). Not part of `make test` or CI:
# four to six minutes on two cores. mutants/ keeps the verdicts between runs.
mutation: $(STAMP)
	$(VENV)/bin/mutmut run
	$(VENV)/bin/mutmut results
	$(VENV)/bin/python scripts/mutation_score.py

clean:
	rm -rf $(VENV) .casusregie mutants
