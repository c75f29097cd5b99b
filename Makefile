# Treatment Talk: `make run` serves the demo, `make test` runs every test.
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
# Installs come from the lock files, hashes checked: requirements/run.txt has what serving
# needs, requirements/test.txt adds the test, lint and benchmark tools. `make lock` writes both.
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
UV := uv==0.13.9
LOCK_FLAGS ?=
export FLASK_APP := portal

.PHONY: run test lint format install install-test db demo lock clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The lock has every dependency, so the project itself goes in without any (--no-deps);
# -qq hides setuptools' warning about editable installs, which a first run need not read.
$(RUN_STAMP): requirements/run.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/run.txt
	$(BIN)/pip install -qq --no-deps -e .
	touch $@

$(TEST_STAMP): requirements/test.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/test.txt
	$(BIN)/pip install -qq --no-deps -e .
	touch $@

install: $(RUN_STAMP)

install-test: $(TEST_STAMP)

db: install
	$(BIN)/flask --app portal db upgrade

demo: db
	@$(BIN)/flask --app portal seed-demo --if-empty --print-logins

# The demo's admins and clinicians log in with a password alone: two-step login, which a
# deployment requires of them, is turned off here (the logins printed say so). Set
# PORTAL_STAFF_TWO_FACTOR=1 to try it. `demo` runs first and sees the same setting.
run: export PORTAL_STAFF_TWO_FACTOR ?= 0

# The port is checked last, just before serving, so that a busy one gets a plain answer.
# The worker (email, notifications) runs beside the server and stops with it on Ctrl+C.
run: demo
	@$(BIN)/python portal/port_check.py $(HOST) $(PORT)
	@echo "Serving Treatment Talk on http://$(HOST):$(PORT) (Ctrl+C to stop)"
	@echo "Email is written to instance/mail/, one .eml file per message"
	$(BIN)/python portal/with_worker.py $(BIN)/flask --app portal run --host $(HOST) --port $(PORT)

# SQLite by default. With PORTAL_TEST_DATABASE_URL (PostgreSQL) and PORTAL_RATELIMIT_STORAGE_URL
# (Redis) set, the same suite runs against them, plus the tests marked multiprocess (which
# tests/conftest.py deselects otherwise).
test: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

# Seeds a fresh database, loads it under gunicorn, checks the budgets in docs/PERFORMANCE.md.
# wrk is installed when we may (root); otherwise the Python load client stands in.
bench: install-test
	@command -v wrk >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
		apt-get install -y -qq wrk >/dev/null 2>&1 || \
		{ apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1; } || \
		echo "wrk could not be installed: using the Python load client"
	$(BIN)/python -m bench.run

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Pins for every platform and Python >= 3.11, with hashes; kept where pyproject.toml allows,
# so `make lock` after a change to pyproject.toml moves only what it must.
# `make lock LOCK_FLAGS=--upgrade` moves every pin to the newest release allowed.
LOCK := $(BIN)/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock" $(LOCK_FLAGS)
lock: | $(BIN)/python
	$(BIN)/pip install --quiet "$(UV)"
	@mkdir -p requirements
	$(LOCK) --output-file requirements/run.txt
	$(LOCK) --extra test --extra bench --constraint requirements/run.txt \
		--output-file requirements/test.txt

clean:
	rm -rf $(VENV) *.egg-info
