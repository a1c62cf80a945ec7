# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: demo test lint install install-test bench clean fixtures

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) install -c constraints.txt -e ".[fast]"
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) install -c constraints.txt -e ".[test]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install ## build the demo campaign with real Optuna runs (once) and open it
	$(BIN)/hpo-tui demo

lint: install-test ## ruff + mypy + the import contracts ([tool.importlinter] in pyproject.toml)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# pytest-xdist workers for `make test` (auto: one per core; 0: one process). A test file's
# tests stay on one worker (--dist loadfile), so its module fixtures are built once.
TEST_WORKERS ?= auto

test: install-test lint ## the whole suite (servers skip unless HPO_TUI_REQUIRE_SERVERS=1)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

bench: install-test ## benchmark suite (docs/performance.md); BENCH_ARGS="--quick" for a short run
	$(BIN)/python bench/suite.py $(BENCH_ARGS)

fixtures: ## rebuild the legacy-schema fixture files (needs network access to PyPI)
	$(PYTHON) scripts/make_legacy_fixtures.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
