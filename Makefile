# SME Rank — two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
DEMO_FIRMS ?= 3000
DEMO_PASSWORD ?= smerank-demo
PYTEST_ARGS ?=

.PHONY: run test install install-dev migrate seed lint format messages bench worker beat clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --no-input

## make run: install, migrate, load demo data when the database is empty, serve on :8000
run: migrate
	$(BIN)/python manage.py seed_demo --if-empty --firms $(DEMO_FIRMS) --password $(DEMO_PASSWORD)
	@echo ""
	@echo "  SME Rank is at http://$(HOST):$(PORT)/"
	@echo "  Demo logins (password: $(DEMO_PASSWORD)):"
	@echo "    demo-analyst  ministry analyst"
	@echo "    demo-manager  manager of the first industrial park"
	@echo "    demo-firm     a firm in that park"
	@echo ""
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver $(HOST):$(PORT)

## make test: install and run the whole suite (SQLite by default; DATABASE_URL/REDIS_URL switch)
test: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null
	$(BIN)/bandit -q -r smerank firms rankings clusters --severity-level high
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Regenerate and compile the translation catalogues (needs GNU gettext).
messages: install
	$(BIN)/python manage.py makemessages -l fa --ignore=.venv --ignore=static/vendor --ignore=staticfiles
	$(BIN)/python manage.py makemessages -d djangojs -l fa --ignore=.venv --ignore=static/vendor --ignore=staticfiles
	$(BIN)/python manage.py compilemessages --ignore=.venv

bench: install-dev
	$(BIN)/python bench/run_all.py

worker: install
	$(BIN)/celery -A smerank worker -l info -c 2

beat: install
	$(BIN)/celery -A smerank beat -l info

clean:
	rm -rf $(VENV) staticfiles db.sqlite3* media
