# The README's two commands: `make run` and `make test`. Both set up .venv first (quick when
# nothing changed: the venv is rebuilt only when pyproject.toml is newer than its stamp).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

WEB := web
NPM_STAMP := $(WEB)/node_modules/.installed
STUDIO := $(WEB)/dist/index.html
STUDIO_SOURCES := $(shell find $(WEB)/src $(WEB)/public -type f 2>/dev/null) \
	$(WEB)/index.html $(WEB)/vite.config.ts $(WEB)/tsconfig.json

.PHONY: setup web-setup studio client client-check run test web-test e2e screenshots lint web-lint \
	format bench clean test-setup

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "storyreel needs Python 3.11 or newer"'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

# The tests also run the local diffusers providers on tiny models they build: torch first,
# pinned to the CPU build this machine (and CI) has on disk, since an unpinned torch would
# download a multi-GB CUDA build; then the diffusers extra. `make run` does not need them.
TORCH ?= torch==2.13.0
TEST_STAMP := $(VENV)/.installed-test

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check '$(TORCH)'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,diffusers]'
	@touch $@

test-setup: $(TEST_STAMP)

# The studio's npm packages (never a browser download: the e2e tests drive Debian's Chromium).
$(NPM_STAMP): $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	@touch $@

web-setup: $(NPM_STAMP)

# The built studio that `storyreel serve` serves at /; rebuilt only when a source changed.
$(STUDIO): $(NPM_STAMP) $(STUDIO_SOURCES)
	cd $(WEB) && npm run --silent build

studio: $(STUDIO)

# The studio's typed API client, generated from the server's OpenAPI document.
client: setup web-setup
	$(BIN)/storyreel openapi -o $(WEB)/openapi.json
	cd $(WEB) && npm run --silent client

# Fails when the committed OpenAPI document or client types differ from what the server makes.
client-check: setup web-setup
	scripts/check-client

# The web studio and the API with embedded defaults (SQLite, files in the data dir,
# in-process executor) on http://127.0.0.1:8000 (API docs at /docs).
# STORYREEL_HOST / STORYREEL_PORT move it.
run: setup studio
	$(BIN)/storyreel migrate
	$(BIN)/storyreel serve

# The tests start their own PostgreSQL and Redis servers; ensure-services installs the Debian
# packages that provide them (a no-op once installed). ensure-desktop does the same for the
# libraries the desktop app's Qt needs (its tests run on Qt's offscreen platform: no display).
# The suite runs on every core (pytest-xdist; each worker starts its own PostgreSQL and Redis),
# at most TEST_WORKERS_MAX at once. `make test TEST_WORKERS=0` runs it in one process.
TEST_WORKERS ?= auto
TEST_WORKERS_MAX ?= 4

test: test-setup lint web-lint studio
	scripts/ensure-services
	scripts/ensure-desktop
	$(BIN)/pytest -n $(TEST_WORKERS) --maxprocesses $(TEST_WORKERS_MAX) --dist worksteal
	$(MAKE) --no-print-directory web-test e2e

# The studio's unit and component tests (Vitest, jsdom).
web-test: web-setup
	cd $(WEB) && npm test --silent

# End-to-end: Playwright drives Debian's Chromium against a real `storyreel serve`.
e2e: setup studio
	scripts/ensure-browser
	cd $(WEB) && { npx playwright test; status=$$?; node e2e/print-failures.mjs; exit $$status; }

lint: setup
	$(BIN)/ruff check storyreel tests bench
	$(BIN)/ruff format --check storyreel tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# Refresh the screenshots in docs/ from the last e2e run (web/test-results/screenshots).
screenshots:
	@test -d $(WEB)/test-results/screenshots || { echo "run make e2e first" >&2; exit 1; }
	mkdir -p docs/screenshots
	cp $(WEB)/test-results/screenshots/*.png docs/screenshots/

web-lint: client-check
	cd $(WEB) && npm run --silent typecheck && npm run --silent lint

format: setup
	$(BIN)/ruff check --fix storyreel tests bench
	$(BIN)/ruff format storyreel tests bench

bench: setup
	$(BIN)/python bench/render.py
	$(BIN)/python bench/make.py
	$(BIN)/python bench/live.py
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/api.py
	$(BIN)/python bench/desktop.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache $(WEB)/node_modules $(WEB)/dist
