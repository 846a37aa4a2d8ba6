# kapclinic: `make run` serves the demo clinic; `make test` runs every gate.
SHELL := /bin/bash
PORT ?= 8000
export UV_COMPILE_BYTECODE := 1
UV := python3 -m uv
PY := $(UV) run --frozen python
# DEBUG stays off even for the demo, so no debug page can show a patient's details.
RUN_ENV := DEBUG=false KAPCLINIC_DEMO_MODE=true KAPCLINIC_LOCAL_SERVER=true

.PHONY: run install uv migrate demo serve serve-prod test lint typecheck checks pytest pytest-postgres e2e bench clean

uv:
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

install: uv
	$(UV) sync --frozen
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p var/static

migrate: install
	$(RUN_ENV) $(PY) manage.py migrate --noinput

demo: migrate
	$(RUN_ENV) $(PY) manage.py seed_demo

run: demo
	$(RUN_ENV) PORT=$(PORT) scripts/serve

# Production: gunicorn workers and the task worker, configured by the environment
# (.env.example, docs/deploy.md). Migrate first: `$(PY) manage.py migrate`.
serve-prod: install
	$(PY) manage.py collectstatic --noinput
	scripts/serve-prod

lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

typecheck: install
	$(UV) run --frozen mypy .

checks: install
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

# pytest-xdist: one worker per core (2 in CI); each worker gets its own test database.
PYTEST := $(UV) run --frozen pytest -q -n auto

pytest: install
	$(PYTEST)

pytest-postgres: install
	scripts/with-postgres $(PYTEST)

test: lint typecheck checks pytest pytest-postgres

bench: install
	$(UV) run --frozen python bench/run.py

clean:
	rm -rf var .venv node_modules
