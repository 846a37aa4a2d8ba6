# kapclinic: `make run` serves the demo clinic; `make test` runs every gate.
SHELL := /bin/bash
PORT ?= 8000

# uv: the one on PATH if there is one, else a private copy under var/uv, installed
# with pip --target so the system Python (externally managed on Debian 12) is left
# untouched. Python packages are synced once per target (with their bytecode
# compiled, since this machine writes none at import); commands then run with
# --no-sync, so no command starts by re-checking or re-compiling the environment.
LOCAL_UV := $(CURDIR)/var/uv/bin/uv
UV := $(or $(shell command -v uv 2>/dev/null),$(LOCAL_UV))
SYNC := $(UV) sync --frozen --compile-bytecode --quiet
RUN := $(UV) run --frozen --no-sync
PY := $(RUN) python
# DEBUG stays off even for the demo, so no debug page can show a patient's details.
RUN_ENV := DEBUG=false KAPCLINIC_DEMO_MODE=true KAPCLINIC_LOCAL_SERVER=true
step = @echo "==> $(1)"

.PHONY: run install install-dev uv migrate demo serve serve-prod test lint typecheck checks pytest pytest-postgres e2e bench clean

$(LOCAL_UV):
	$(call step,Installing uv into var/uv (the system Python is left alone))
	@mkdir -p var
	@python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
		--target var/uv uv >var/uv-install.log 2>&1 \
		|| { cat var/uv-install.log; echo "Could not install uv: install it (https://docs.astral.sh/uv/) and run make again."; exit 1; }

uv: $(UV)

# Runtime only: what serving the clinic needs. --inexact keeps the test tools of a
# developer's environment instead of removing them on every `make run`.
install: uv
	$(call step,Python packages for running the clinic (uv sync --no-dev))
	@$(SYNC) --no-dev --inexact
	$(call step,Front-end packages (npm ci --omit=dev))
	@npm ci --omit=dev --no-audit --no-fund --silent
	@mkdir -p var/static

# Everything, test and lint tools included.
install-dev: uv
	$(call step,Python packages with the test and lint tools (uv sync))
	@$(SYNC)
	$(call step,Front-end packages with the test tools (npm ci))
	@npm ci --no-audit --no-fund --silent
	@mkdir -p var/static

migrate: install
	$(call step,Database migrations (SQLite under var/))
	@$(RUN_ENV) $(PY) manage.py migrate --noinput --verbosity 0

demo: migrate
	$(call step,Demo clinic (safe to repeat))
	@$(RUN_ENV) $(PY) manage.py seed_demo --quiet

run: demo
	$(call step,Serving on http://127.0.0.1:$(PORT)/ with the task worker (Ctrl-C stops both))
	@$(RUN_ENV) PORT=$(PORT) UV="$(UV)" scripts/serve

# Production: gunicorn workers and the task worker, configured by the environment
# (.env.example, docs/deploy.md). Migrate first: `$(PY) manage.py migrate`.
serve-prod: install
	$(PY) manage.py collectstatic --noinput
	UV="$(UV)" scripts/serve-prod

lint: install-dev
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck: install-dev
	$(RUN) mypy .

checks: install-dev
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

# pytest-xdist: one worker per core (2 in CI); each worker gets its own test database.
PYTEST := $(RUN) pytest -q -n auto

pytest: install-dev
	$(PYTEST)

pytest-postgres: install-dev
	UV="$(UV)" scripts/with-postgres $(PYTEST)

test: lint typecheck checks pytest pytest-postgres

bench: install-dev
	$(RUN) python bench/run.py

clean:
	rm -rf var .venv node_modules
