# The two commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/rcc
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/rcc_bench
PYTEST_WORKERS ?= 2
HOST ?= 127.0.0.1
PORT ?= 8000

# The DfE's SSDA903 validator (Data to Insight's rules) in its own venv: it pins pandas < 2.
VENV_903 ?= .venv-903
VALIDATOR_903 ?= ../shared/oracles/ssda903-validator
VALIDATE_903_DB := .data/validate-903.sqlite3
# Rules of the DfE's SSDA903 validator that `make validate-903` lets the demo's files fail: each
# is about a field only the LA holds, which the platform leaves blank for the LA to fill in from
# its case system. One rule a line: CODE reason.
define ALLOWED_903
442 UPN: the child's unique pupil number is held in the LA's education records, not here
393 MOTHER: whether a looked-after girl is a mother is recorded in the LA's case system
607 MOTHER: for a girl who ceased to be looked after, as 393
504 CIN: the category of need is recorded in the LA's case system; platform placements leave it blank
endef
export ALLOWED_903
# Social Finance's demand model (cs-demand-model), the reference the demand forecast is checked
# against, in its own venv: it pins pandas < 2.
VENV_DEMAND ?= .venv-demand

.PHONY: help demo test install assets lint format migrate seed serve worker beat lock clean browser bench validate-903 validate-demand

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(PY):
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml requirements.lock | $(PY)
	$(PIP) install --quiet --upgrade "pip==24.3.1"
	$(PIP) install --quiet -c requirements.lock -e ".[dev]"
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed node_modules/.installed  ## Install pinned Python and npm dependencies

assets: node_modules/.installed  ## Build the front-end (Sass → CSS, GOV.UK Frontend, Chart.js, htmx)
	npm run --silent build

migrate: install  ## Apply database migrations
	$(MANAGE) migrate --noinput

seed: migrate  ## Load reference data and the synthetic demo dataset
	$(MANAGE) seed --scale demo

demo: install assets seed  ## Set up and serve the demo on http://$(HOST):$(PORT)
	@if [ -n "$$REDIS_URL" ]; then \
		echo "REDIS_URL is set: starting a Celery worker with beat in the background (logs in .data/celery.log)"; \
		$(VENV)/bin/celery -A config worker -B -Q celery,reports -l info --logfile .data/celery.log --detach --pidfile .data/celery.pid; \
	fi
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(MANAGE) runserver $(HOST):$(PORT)

serve: install  ## Serve without re-seeding
	$(MANAGE) runserver $(HOST):$(PORT)

worker: install  ## Run a Celery worker (needs REDIS_URL)
	$(VENV)/bin/celery -A config worker -Q celery,reports -l info

beat: install  ## Run Celery beat (needs REDIS_URL)
	$(VENV)/bin/celery -A config beat -l info

browser:  ## Install Debian's chromium for the browser tests, if missing
	@command -v chromium >/dev/null || { \
		echo "Installing chromium with apt-get"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| { echo "Could not install chromium (need root and Debian's package registry)"; exit 1; }; }

lint: install  ## ruff, ruff format --check, mypy, makemigrations --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL=$(TEST_DATABASE_URL) $(VENV)/bin/mypy apps config
	DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL=sqlite://:memory: $(MANAGE) makemigrations --check --dry-run

format: install  ## Format and fix what ruff can
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: install assets browser lint validate-903 validate-demand  ## Lint, validate-903, validate-demand, then the whole suite on PostgreSQL (pytest-xdist)
	DATABASE_URL=$(TEST_DATABASE_URL) $(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadfile -q

$(VENV_903)/.installed: $(VALIDATOR_903)/requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV_903)
	$(VENV_903)/bin/pip install -q -r $(VALIDATOR_903)/requirements.txt
	@touch $@

# A demo database of its own (never the dev database), rebuilt when the seed or the schema change.
$(VALIDATE_903_DB): $(wildcard apps/*/seeding*.py apps/*/migrations/*.py data/reference/*.csv)
	@mkdir -p .data && rm -f $@.tmp
	@echo "Seeding a demo database for validate-903 ($@)"
	@DATABASE_URL=sqlite:///$(CURDIR)/$@.tmp $(MANAGE) migrate --noinput -v 0 > $@.log 2>&1 \
		&& DATABASE_URL=sqlite:///$(CURDIR)/$@.tmp $(MANAGE) seed --scale demo -v 0 >> $@.log 2>&1 \
		|| { cat $@.log; exit 1; }
	@mv $@.tmp $@

validate-903: install $(VENV_903)/.installed $(VALIDATE_903_DB)  ## Export every demo LA's SSDA903 files (2025-26 on) and run the DfE validator on them
	@rm -rf .data/903
	DATABASE_URL=sqlite:///$(CURDIR)/$(VALIDATE_903_DB) $(PY) scripts/validate_903.py \
		--validator-python $(VENV_903)/bin/python --validator $(VALIDATOR_903)/run.py \
		--out .data/903

$(VENV_DEMAND)/.installed: requirements-demand.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV_DEMAND)
	$(VENV_DEMAND)/bin/pip install -q -r requirements-demand.txt
	@touch $@

validate-demand: install $(VENV_DEMAND)/.installed  ## Check the demand forecast against cs-demand-model on synthetic episodes (within 5% per cell at 12 months)
	$(PY) scripts/validate_demand.py --reference-python $(VENV_DEMAND)/bin/python --out .data/demand

bench: install  ## Run the benchmarks in bench/ (needs the national dataset on PostgreSQL)
	@failed=""; for b in bench/*.py; do echo "== $$b"; \
		DATABASE_URL=$${DATABASE_URL:-$(BENCH_DATABASE_URL)} $(PY) $$b || failed="$$failed $$b"; done; \
		if [ -n "$$failed" ]; then echo "Targets missed in:$$failed"; exit 1; fi

lock:  ## Re-pin every transitive dependency after editing pyproject.toml
	$(PIP) install --quiet -e ".[dev]"
	( echo "# Every transitive Python dependency, pinned. Regenerate with \`make lock\` after changing pyproject.toml."; \
	  $(PIP) freeze --exclude-editable | grep -iv '^rcc-platform' ) > requirements.lock

clean:  ## Remove the virtualenv, node_modules, built assets and the demo database
	rm -rf $(VENV) node_modules static/build staticfiles .data
