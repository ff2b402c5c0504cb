# Meridian: `make run` serves the app, `make test` runs the suite.
# Both create/update .venv themselves; only Python 3.11 and make are needed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test e2e lint format install axe migrate seed clean env-example

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# axe-core (accessibility checks in the browser tests), from npm into git-ignored var/npm.
# Without npm the browser tests' accessibility checks skip (or fail under `make e2e`).
AXE_VERSION := 4.14.1
AXE := var/npm/node_modules/axe-core/axe.min.js
$(AXE):
	@if command -v npm >/dev/null; then \
		npm install --silent --no-audit --no-fund --no-save --no-package-lock \
			--prefix var/npm axe-core@$(AXE_VERSION); \
	else echo "npm not found: accessibility checks need axe-core ($(AXE))."; fi

axe: $(AXE)

# Local development server on the embedded SQLite database (or DATABASE_URL), with the
# background worker (db_worker) and the minute-by-minute reminder pass beside it. One Ctrl-C
# stops all three; when the web server stops for any other reason, the trap stops the rest.
run: export DEBUG ?= true
run: $(STAMP)
	mkdir -p var
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo --if-empty
	@$(BIN)/python manage.py db_worker & worker=$$!; \
	$(BIN)/python manage.py send_reminders --every 60 & pass=$$!; \
	trap 'kill $$worker $$pass 2>/dev/null; wait' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Extra pytest arguments: make test ARGS="-k patients -x"
# The browser tests (tests/e2e) run too when Chromium is installed, and skip otherwise.
test: $(STAMP) $(AXE)
	mkdir -p var
	$(BIN)/python -m pytest $(ARGS)

# Only the browser journeys and accessibility checks; a missing Chromium or axe-core fails.
# Failure screenshots and page HTML go to var/e2e/.
e2e: export MERIDIAN_REQUIRE_E2E ?= 1
e2e: $(STAMP) $(AXE)
	mkdir -p var
	$(BIN)/python -m pytest tests/e2e $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache

# .env.example from the settings' readers (clinic/env_example.py); run after adding a setting.
env-example: $(STAMP)
	DEBUG=true $(BIN)/python manage.py env_example --write
