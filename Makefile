# Compendium: the two commands a newcomer needs.
#   make report   renders the demo quarterly report and prints where it wrote it
#   make test     runs the whole test suite
# Both create the virtual environment in .venv when it is missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DEMO_DATA := outputs/demo-data
AXE := tests/accessibility/node_modules/.package-lock.json

.PHONY: report test lint clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(INSTALLED)

report: $(INSTALLED)
	$(BIN)/compendium demo --out $(DEMO_DATA) > /dev/null
	$(BIN)/compendium render params/demo.yml

# The accessibility test's npm packages (axe-core, playwright-core, pinned by the lock file),
# installed when missing; without npm the test skips (and fails on CI).
$(AXE): tests/accessibility/package-lock.json
	@if command -v npm > /dev/null; then \
		npm ci --prefix tests/accessibility --no-audit --no-fund && touch $@; \
	else echo "npm not found: tests/test_accessibility.py will skip"; fi

test: $(INSTALLED) $(AXE)
	$(BIN)/python -m pytest

lint: $(INSTALLED)
	$(BIN)/ruff check analysis tests benchmarks
	$(BIN)/ruff format --check analysis tests benchmarks

clean:
	rm -rf outputs/*/ .pytest_cache
