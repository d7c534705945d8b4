# The README's two commands: `make run` and `make test`. Both set up .venv first (quick when
# nothing changed: the venv is rebuilt only when pyproject.toml is newer than its stamp).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint format bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "storyreel needs Python 3.11 or newer"'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

# The service with embedded defaults (SQLite, files in the data dir, in-process executor):
# the API and its docs on http://127.0.0.1:8000/docs. STORYREEL_HOST / STORYREEL_PORT move it.
run: setup
	$(BIN)/storyreel migrate
	$(BIN)/storyreel serve

# The tests start their own PostgreSQL and Redis servers; ensure-services installs the Debian
# packages that provide them (a no-op once installed).
test: setup lint
	scripts/ensure-services
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check storyreel tests bench
	$(BIN)/ruff format --check storyreel tests bench
	$(BIN)/mypy

format: setup
	$(BIN)/ruff check --fix storyreel tests bench
	$(BIN)/ruff format storyreel tests bench

bench: setup
	$(BIN)/python bench/render.py
	$(BIN)/python bench/make.py
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/api.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
