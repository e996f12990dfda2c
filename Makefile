# Two commands matter: `make demo` and `make test`. Both build .venv first, from nothing but Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# The oldest Airflow this provider supports (pyproject's lower bound), tested in its own venv.
OLDEST_AIRFLOW := 3.3.0
OLDEST_VENV := .venv-oldest

.PHONY: demo test lint typecheck unit test-oldest clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv>=0.4"
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e ".[dev,parquet]"
	touch $@

demo: $(INSTALLED)
	$(BIN)/python scripts/demo.py

test: lint typecheck unit

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	$(BIN)/mypy

unit: $(INSTALLED)
	$(BIN)/pytest

$(OLDEST_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(OLDEST_VENV)
	$(OLDEST_VENV)/bin/python -m pip install --quiet --disable-pip-version-check "uv>=0.4"
	$(OLDEST_VENV)/bin/uv pip install --quiet --python $(OLDEST_VENV)/bin/python \
		-e ".[dev]" "apache-airflow==$(OLDEST_AIRFLOW)"
	touch $@

test-oldest: $(OLDEST_VENV)/.installed
	$(OLDEST_VENV)/bin/pytest

clean:
	rm -rf $(VENV) $(OLDEST_VENV) airflow_home data .pytest_cache .mypy_cache .ruff_cache
