# Two commands matter: `make demo` and `make test`. Both build .venv first, from nothing but Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
AIRFLOW := 3.3.2
# The oldest Airflow this provider supports (pyproject's lower bound), tested in its own venv.
OLDEST_AIRFLOW := 3.3.0
OLDEST_VENV := .venv-oldest
# Pinned versions of everything, as Airflow does with its constraints files: a fresh machine installs
# what CI tested. `make constraints` refreshes them from a resolution made today.
CONSTRAINTS := constraints/airflow-$(AIRFLOW).txt
OLDEST_CONSTRAINTS := constraints/airflow-$(OLDEST_AIRFLOW).txt
DIST_DIR := dist

.PHONY: demo scale test lint typecheck unit test-oldest dist constraints clean

comma := ,
DEV_EXTRAS := -e ".[dev$(comma)emulator$(comma)parquet$(comma)redis$(comma)release$(comma)scale]"
OLDEST_EXTRAS := -e ".[dev$(comma)emulator]"

# venv_install(venv, constraints, requirements...)
define venv_install
	$(PYTHON) -m venv $(1)
	$(1)/bin/python -m pip install --quiet --disable-pip-version-check "uv>=0.4"
	$(1)/bin/uv pip install --quiet --python $(1)/bin/python $(if $(2),-c $(2)) $(3)
	touch $(1)/.installed
endef

$(VENV)/.installed: pyproject.toml $(CONSTRAINTS)
	$(call venv_install,$(VENV),$(CONSTRAINTS),$(DEV_EXTRAS) "apache-airflow==$(AIRFLOW)")

$(OLDEST_VENV)/.installed: pyproject.toml $(OLDEST_CONSTRAINTS)
	$(call venv_install,$(OLDEST_VENV),$(OLDEST_CONSTRAINTS),$(OLDEST_EXTRAS) "apache-airflow==$(OLDEST_AIRFLOW)")

demo: $(VENV)/.installed
	$(BIN)/python scripts/demo.py

# A 7-day backfill over two accounts on a real distributed Airflow (PostgreSQL, Redis, CeleryExecutor,
# 3 workers), all in ./scale_home; fails on any refused request or missing partition.
scale: $(VENV)/.installed
	$(BIN)/python -m scripts.scale --second-deployment

test: lint typecheck unit

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed
	$(BIN)/mypy

unit: $(VENV)/.installed
	$(BIN)/pytest

test-oldest: $(OLDEST_VENV)/.installed
	$(OLDEST_VENV)/bin/pytest

# The sdist, and the wheel built from it (so a file the sdist lacks fails here, not on a user's machine), in
# dist/, then twine's check of their metadata and README. The build backend (setuptools) comes into an
# isolated environment, as in any PEP 517 build, installed by uv from its cache.
dist: $(VENV)/.installed
	rm -rf $(DIST_DIR)
	$(BIN)/python -m build --installer uv --outdir $(DIST_DIR) .
	$(BIN)/twine check --strict $(DIST_DIR)/*

constraints:
	rm -rf .venv-resolve
	$(call venv_install,.venv-resolve,,$(DEV_EXTRAS) "apache-airflow==$(AIRFLOW)")
	.venv-resolve/bin/uv pip freeze --python .venv-resolve/bin/python --exclude-editable > $(CONSTRAINTS)
	rm -rf .venv-resolve
	$(call venv_install,.venv-resolve,,$(OLDEST_EXTRAS) "apache-airflow==$(OLDEST_AIRFLOW)")
	.venv-resolve/bin/uv pip freeze --python .venv-resolve/bin/python --exclude-editable > $(OLDEST_CONSTRAINTS)
	rm -rf .venv-resolve

clean:
	rm -rf $(VENV) $(OLDEST_VENV) airflow_home scale_home data dist build *.egg-info .pytest_cache .mypy_cache .ruff_cache
