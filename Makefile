# Электронный журнал — two commands:
#   make run    build everything, load the demo school, serve it at http://127.0.0.1:8000
#   make test   ruff, then the whole test suite on SQLite and on PostgreSQL (127.0.0.1:5432)
# Needs only python3 >= 3.11 (and, for the browser tests, Debian's chromium).

PYTHON   ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.requirements-installed
MANAGE   := $(BIN)/python manage.py
HOST     ?= 127.0.0.1
PORT     ?= 8000
# The demo database; set DATABASE_URL to use another one.
export DATABASE_URL ?= sqlite:///$(CURDIR)/var/journal.sqlite3
PG_URL   ?= postgres://postgres@127.0.0.1:5432/journal
PYTEST   := $(BIN)/pytest -n 2
TEST_SQLITE_URL := sqlite:///$(CURDIR)/var/test.sqlite3

.PHONY: help run demo test lint fmt env bench

help:
	@echo "make run   — подготовить всё, загрузить демонстрационную школу и запустить журнал на http://$(HOST):$(PORT)"
	@echo "make demo  — пересоздать демонстрационную школу"
	@echo "make test  — ruff и все тесты (SQLite, затем PostgreSQL на 127.0.0.1:5432)"
	@echo "make lint  — проверить стиль;  make fmt — отформатировать код"
	@echo "make bench — нагрузочный замер на PostgreSQL (SIZES=school — только малый размер), docs/performance.md"

# The virtualenv, and the locked requirements reinstalled only when requirements.lock changes.
env: $(STAMP)

$(BIN)/python:
	@scripts/venv.sh "$(PYTHON)" "$(VENV)"

$(STAMP): requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -r requirements.lock
	@touch $@

run: env
	$(MANAGE) migrate --noinput --verbosity 0
	$(MANAGE) load_demo --if-empty
	@echo "Журнал: http://$(HOST):$(PORT)/   (остановить — Ctrl+C)"
	DJANGO_DEBUG=1 $(MANAGE) runserver $(HOST):$(PORT)

demo: env
	$(MANAGE) migrate --noinput --verbosity 0
	$(MANAGE) load_demo --reset

test: env
	@scripts/ensure-chromium.sh
	$(BIN)/ruff check .
	@echo "== Тесты на SQLite =="
	DATABASE_URL=$(TEST_SQLITE_URL) $(PYTEST)
	@VENV_PYTHON=$(BIN)/python scripts/with-postgres.sh "$(PG_URL)" $(PYTEST)

lint: env
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: env
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The benchmark of issue 5 (docs/performance.md): PostgreSQL at 127.0.0.1:5432, datasets generated
# once per size; locust lives in its own virtualenv (.venv-bench, requirements-bench.lock).
bench: env
	@cmp -s requirements-bench.lock .venv-bench/.requirements-installed 2>/dev/null || { \
	    scripts/venv.sh "$(PYTHON)" .venv-bench && \
	    .venv-bench/bin/python -m pip install --disable-pip-version-check --quiet -r requirements-bench.lock && \
	    cp requirements-bench.lock .venv-bench/.requirements-installed; }
	$(BIN)/python bench/run.py $(if $(SIZES),--sizes $(SIZES))
