"""What a DAG file's parse imports: the DAG processor pays for every module it pulls in, on every parse.

Each example DAG is imported as Airflow's DAG processor does it, in a fresh interpreter that has first
imported the file's ``airflow.*`` modules (its pre-import), and the modules the file adds are compared
with what declaring tasks needs. The hook's machinery (requests, tenacity, the stores, storage's writers,
lineage) loads when a task runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "example_dags"

ADDED_BY_FILE = """
import importlib, json, runpy, sys
from airflow.utils.file import iter_airflow_imports
for name in iter_airflow_imports(sys.argv[1]):
    importlib.import_module(name)
before = set(sys.modules)
runpy.run_path(sys.argv[1])
print(json.dumps(sorted(set(sys.modules) - before)))
"""

# What declaring the daily report's sensor, report operator and landings needs, and nothing more.
DAILY_REPORT_MODULES = {
    f"airflow_provider_peerclick.{name}"
    for name in (
        "exceptions",
        "hooks",
        "hooks._arguments",
        "links",
        "operators",
        "operators.report",
        "pools",
        "progress",
        "sensors",
        "sensors.base",
        "sensors.report",
        "storage",
        "storage.destination",
        "storage.partitions",
        "storage.row_formats",
        "utils",
        "utils.landing_mixin",
        "utils.lineage_mixin",
        "utils.report_window",
        "utils.tasks",
        "version_compat",
    )
}
# Loaded only once a task runs: none of them may come in through a DAG file's imports.
RUN_TIME_ONLY = ("requests", "urllib3", "charset_normalizer", "tenacity", "redis", "pyarrow", "openlineage")


def added_by(dag_file: Path, airflow_home: Path) -> list[str]:
    env = {"AIRFLOW_HOME": str(airflow_home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-c", ADDED_BY_FILE, str(dag_file)], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr[-3000:]
    modules: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return modules


def test_the_daily_report_dag_imports_only_what_declaring_its_tasks_needs(tmp_path):
    added = added_by(EXAMPLES / "peerclick_daily_report.py", tmp_path)
    # The package itself may already be loaded by Airflow's provider discovery (3.2+), or come in here.
    assert {name for name in added if name.startswith("airflow_provider_peerclick.")} == DAILY_REPORT_MODULES
    assert "airflow_provider_peerclick.hooks.peerclick" not in added


@pytest.mark.parametrize("dag_file", sorted(EXAMPLES.glob("*.py")), ids=lambda path: path.stem)
def test_no_example_dag_imports_what_only_a_running_task_needs(dag_file, tmp_path):
    added = added_by(dag_file, tmp_path)
    assert not [name for name in added if name.split(".")[0] in RUN_TIME_ONLY]


def test_storage_loads_each_name_from_its_module():
    import importlib

    from airflow_provider_peerclick import storage

    for name in storage.__all__:
        home = importlib.import_module(f"airflow_provider_peerclick.storage.{storage._HOMES[name]}")
        assert getattr(storage, name) is getattr(home, name)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        storage.nothing  # noqa: B018
