# Treatment Talk: `make run` serves the demo, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := portal

.PHONY: run test lint format install db demo clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

db: install
	$(BIN)/flask db upgrade

demo: db
	@$(BIN)/python -m portal.demo_cli

run: demo
	@echo "Serving Treatment Talk on http://127.0.0.1:5000 (Ctrl+C to stop)"
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# SQLite by default. With PORTAL_TEST_DATABASE_URL (PostgreSQL) and PORTAL_RATELIMIT_STORAGE_URL
# (Redis) set, the same suite runs against them, plus the tests marked multiprocess (which
# tests/conftest.py deselects otherwise).
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

# Seeds a fresh database, loads it under gunicorn, checks the budgets in docs/PERFORMANCE.md.
# wrk is installed when we may (root); otherwise the Python load client stands in.
bench: install
	@command -v wrk >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
		apt-get install -y -qq wrk >/dev/null 2>&1 || \
		{ apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1; } || \
		echo "wrk could not be installed: using the Python load client"
	$(BIN)/python -m bench.run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) *.egg-info
