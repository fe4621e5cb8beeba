# Compendium: the two commands a newcomer needs.
#   make report   renders the demo quarterly report and prints where it wrote it
#   make test     runs the whole test suite
# Both create the virtual environment in .venv when it is missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DEMO_DATA := outputs/demo-data

.PHONY: report test lint clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(INSTALLED)

report: $(INSTALLED)
	$(BIN)/compendium demo --out $(DEMO_DATA) > /dev/null
	$(BIN)/compendium render params/demo.yml

test: $(INSTALLED)
	$(BIN)/python -m pytest

lint: $(INSTALLED)
	$(BIN)/ruff check analysis tests benchmarks
	$(BIN)/ruff format --check analysis tests benchmarks

clean:
	rm -rf outputs/*/ .pytest_cache
