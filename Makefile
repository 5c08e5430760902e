# mcn-portal: every command a newcomer or operator needs. Run `make help`.
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: help demo test journeys hostile lint format bench load faults worker beat clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(VENV)/.runtime: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -e . 2>&1 | grep -v "^WARNING: Location" || true
	$(PY) -c "import django, celery, lxml" && touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(PIP) install -q --disable-pip-version-check -e '.[dev]' 2>&1 | grep -v "^WARNING: Location" || true
	$(PY) -c "import pytest, responses, playwright" && touch $@

demo: $(VENV)/.runtime ## run the app on 127.0.0.1:$(PORT) with the Dailymotion sandbox (SQLite, in-process tasks)
	$(PY) manage.py demo_setup
	$(PY) manage.py runserver --noreload 127.0.0.1:$(PORT)

test: $(VENV)/.dev ## run the whole test suite
	$(VENV)/bin/pytest -q

journeys: $(VENV)/.dev ## the browser journeys only (Debian's chromium); screenshots in screenshots/
	$(VENV)/bin/pytest -q -m browser

hostile: $(VENV)/.dev ## the hostile-input suite only (hypothesis, CSRF, redirects, secrets)
	$(VENV)/bin/pytest -q tests/hostile

lint: $(VENV)/.dev ## ruff check + format check + migrations check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: $(VENV)/.dev ## apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(VENV)/.dev ## run the benchmarks in benchmarks/ and print figures (BENCH_SCALE=small|full)
	$(PY) benchmarks/run.py

load: $(VENV)/.dev ## load test against gunicorn + PostgreSQL + Redis on 127.0.0.1 (bounded in time)
	$(PY) benchmarks/load.py

worker: $(VENV)/.runtime ## a Celery worker (needs REDIS_URL)
	$(VENV)/bin/celery -A mcn_portal worker --loglevel=INFO --concurrency=2

beat: $(VENV)/.runtime ## Celery beat, the scheduler of periodic polls (needs REDIS_URL)
	$(VENV)/bin/celery -A mcn_portal beat --loglevel=INFO --schedule=var/celerybeat-schedule

clean: ## remove the virtualenv and local state
	rm -rf $(VENV) var

faults: $(VENV)/.dev ## fault scenarios outside the test suite: restarts PostgreSQL (never run it in CI)
	$(PY) scripts/faults/postgres_restart.py
