# Two commands matter: `make demo` and `make test`. Both build .venv first, from nothing but Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
AIRFLOW := 3.3.2
# Every Airflow 3 release line this provider supports, by the release `make test-matrix` tests, oldest
# first. The first is pyproject's lower bound and `make test-oldest`. Each gets its own venv named by
# its line (.venv-3.0, ...); 3.3.0, the first 3.3 release, is in .venv-3.3 and the newest, $(AIRFLOW),
# in .venv.
MATRIX := 3.0.6 3.1.8 3.2.2 3.3.0
OLDEST_AIRFLOW := $(firstword $(MATRIX))
# Pinned versions of everything, as Airflow does with its constraints files: a fresh machine installs
# what CI tested. `make constraints` refreshes them all from a resolution made today, and
# `make constraints-3.1.8` one of them.
CONSTRAINTS := constraints/airflow-$(AIRFLOW).txt
DIST_DIR := dist

# A resolution made today picks releases newer than an older Airflow was built against; these are what
# each one needs on top of its own metadata (found by running the suite).
#  3.0.6: FastAPI 0.118+ and Starlette 0.49+ break its API server app; cadwyn must match FastAPI.
#         universal-pathlib 0.3 makes ObjectStoragePath refuse every URL ("incompatible protocol");
#         3.0.6 allows it, 3.1 caps it below 0.3.
#  3.2.2: FastAPI 0.156.1+ makes its execution API fail to build ("TITerminalStatePayload needs a
#         discriminator"; 0.156.0 was the last that built), svcs 26 loses `State.svcs_registry`. Pinned
#         to the FastAPI and cadwyn that 3.3's constraints have (cadwyn must match FastAPI).
#  3.1.8: none (its metadata caps FastAPI below 0.118).
RESOLVE_PINS_3.0.6 := "fastapi==0.117.1" "cadwyn==5.4.6" "starlette==0.48.0" "universal-pathlib<0.3"
RESOLVE_PINS_3.2.2 := "fastapi==0.136.3" "cadwyn==7.0.0" "svcs<26"

.PHONY: demo scale scale-local chaos bench docs test lint typecheck pytest unit test-oldest test-matrix dist constraints clean

comma := ,
# The provider's extras whose tests every venv runs; each venv adds the development groups (pyproject's
# [dependency-groups], which the wheel does not publish). Iceberg's tests run on the newest only: its SQL
# catalog needs SQLAlchemy 2, which 3.0 lacks.
TESTED_EXTRAS := emulator$(comma)openlineage$(comma)postgres$(comma)sqlite
# The emulator (the `emulator` extra's distribution) is installed from its folder here, editable.
EMULATOR := -e ./emulator
DEV_EXTRAS := -e ".[$(TESTED_EXTRAS)$(comma)parquet$(comma)redis$(comma)iceberg$(comma)duckdb]" $(EMULATOR) \
	--group dev --group docs --group release --group scale
# The older releases get every extra the provider's own features need (not `scale`: `make scale` runs on
# the newest only), so no test of a feature is skipped there for want of a package; all but 3.3.0, which
# goes without `parquet`: the one venv without pyarrow, where the test of what happens without it runs.
MATRIX_EXTRAS := -e ".[$(TESTED_EXTRAS)$(comma)parquet]" $(EMULATOR) --group dev
EXTRAS_3.3.0 := -e ".[$(TESTED_EXTRAS)]" $(EMULATOR) --group dev
extras_of = $(or $(EXTRAS_$(1)),$(MATRIX_EXTRAS))
# line(3.1.8) = 3.1
line = $(word 1,$(subst ., ,$(1))).$(word 2,$(subst ., ,$(1)))
venv_of = .venv-$(call line,$(1))

# venv_install(venv, constraints, requirements...)
define venv_install
	$(PYTHON) -m venv $(1)
	$(1)/bin/python -m pip install --quiet --disable-pip-version-check "uv>=0.4"
	$(1)/bin/uv pip install --quiet --python $(1)/bin/python $(if $(2),-c $(2)) $(3)
	touch $(1)/.installed
endef

# resolve(version, requirements...): a fresh resolution, frozen into constraints/airflow-VERSION.txt.
# python-dateutil comes out below 3 because botocore (dev extras) says so, though Airflow 3.3's own
# constraints pin 4.0.0; Airflow itself needs only >=2.7.
define resolve
	rm -rf .venv-resolve-$(1)
	$(call venv_install,.venv-resolve-$(1),,$(2) "apache-airflow==$(1)" $(RESOLVE_PINS_$(1)))
	.venv-resolve-$(1)/bin/uv pip freeze --python .venv-resolve-$(1)/bin/python --exclude-editable \
		> constraints/airflow-$(1).txt
	rm -rf .venv-resolve-$(1)
endef

$(VENV)/.installed: pyproject.toml emulator/pyproject.toml $(CONSTRAINTS)
	$(call venv_install,$(VENV),$(CONSTRAINTS),$(DEV_EXTRAS) "apache-airflow==$(AIRFLOW)")

# One venv per line in MATRIX, its `make test-VERSION` and `make constraints-VERSION`.
define matrix_rules
$(call venv_of,$(1))/.installed: pyproject.toml emulator/pyproject.toml constraints/airflow-$(1).txt
	$$(call venv_install,$(call venv_of,$(1)),constraints/airflow-$(1).txt,$$(call extras_of,$(1)) "apache-airflow==$(1)")

.PHONY: test-$(1) constraints-$(1)
test-$(1): $(call venv_of,$(1))/.installed
	$(call venv_of,$(1))/bin/pytest

constraints-$(1):
	$$(call resolve,$(1),$$(call extras_of,$(1)))
endef
$(foreach version,$(MATRIX),$(eval $(call matrix_rules,$(version))))

.PHONY: constraints-$(AIRFLOW)
constraints-$(AIRFLOW):
	$(call resolve,$(AIRFLOW),$(DEV_EXTRAS))

# Side-by-side measurements, each printing a ratio (see benchmarks/).
bench: $(VENV)/.installed
	$(BIN)/python -m benchmarks.parse_cost
	$(BIN)/python -m benchmarks.trigger_threads
	$(BIN)/python -m benchmarks.landing_cpu
	$(BIN)/python -m benchmarks.requests_per_partition
	$(BIN)/python -m benchmarks.sql_landing

demo: $(VENV)/.installed
	$(BIN)/python -m scripts.demo

# A 7-day backfill over two accounts on a real distributed Airflow (PostgreSQL, Redis, CeleryExecutor,
# 3 workers), all in ./scale_home; fails on any refused request or missing partition.
scale: $(VENV)/.installed
	$(BIN)/python -m scripts.scale --second-deployment

# The same backfill as most installs run it: one host, the LocalExecutor, no Redis (the provider's
# default host-local budget), every task mapped over both accounts.
scale-local: $(VENV)/.installed
	$(BIN)/python -m scripts.scale --executor local

# `make scale`'s deployment brought up once, then the backfill again under each failure production brings
# (killed worker, killed triggerer, a store outage, API faults); fails on any change in what landed.
chaos: $(VENV)/.installed
	$(BIN)/python -m scripts.chaos

# The whole suite; `make unit` is the fast loop (the tests not marked slow, a few minutes).
test: lint typecheck pytest

# The docs site (docs/, Sphinx) into docs/_build/html; any warning fails the build. Importing the
# provider's modules for the API pages imports Airflow, which gets a home of its own here.
docs: $(VENV)/.installed
	rm -rf docs/_build
	AIRFLOW_HOME=$(CURDIR)/docs/_build/airflow_home $(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed
	$(BIN)/mypy

pytest: $(VENV)/.installed
	$(BIN)/pytest

unit: $(VENV)/.installed
	$(BIN)/pytest -m "not slow"

test-oldest: test-$(OLDEST_AIRFLOW)

# The provider's and the emulator's sdists, and each wheel built from its sdist (so a file the sdist lacks
# fails here, not on a user's machine), in dist/, then twine's check of their metadata and READMEs. The build
# backend (setuptools) comes into an isolated environment, as in any PEP 517 build, installed by uv.
dist: $(VENV)/.installed
	rm -rf $(DIST_DIR)
	$(BIN)/python -m build --installer uv --outdir $(DIST_DIR) .
	$(BIN)/python -m build --installer uv --outdir $(DIST_DIR) emulator
	$(BIN)/twine check --strict $(DIST_DIR)/*

# pytest on every supported release, one after another (each takes minutes on 2 cores), going on past a
# failing one; the last lines give each release's summary, and it fails if any failed.
test-matrix: $(foreach version,$(MATRIX),$(call venv_of,$(version))/.installed) $(VENV)/.installed
	@failed=""; summary=""; \
	for pair in $(foreach version,$(MATRIX),$(version):$(call venv_of,$(version))) $(AIRFLOW):$(VENV); do \
		version=$${pair%%:*}; venv=$${pair#*:}; \
		echo "=== Airflow $$version ($$venv)"; \
		( $$venv/bin/pytest; echo $$? > .matrix-$$version.rc ) 2>&1 | tee .matrix-$$version.log; \
		[ "$$(cat .matrix-$$version.rc)" = 0 ] || failed="$$failed $$version"; \
		summary="$$summary\nAirflow $$version: $$(tail -n 1 .matrix-$$version.log | tr -d '=')"; \
		rm -f .matrix-$$version.log .matrix-$$version.rc; \
	done; \
	printf "=== test-matrix%b\n" "$$summary"; \
	if [ -n "$$failed" ]; then echo "failed on:$$failed"; exit 1; fi

constraints: $(foreach version,$(MATRIX),constraints-$(version)) constraints-$(AIRFLOW)

clean:
	rm -rf $(VENV) .venv-* airflow_home scale_home data $(DIST_DIR) build *.egg-info emulator/build emulator/*.egg-info .pytest_cache .mypy_cache .ruff_cache docs/_build
