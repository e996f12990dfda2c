"""DAG parse CPU: the example daily-report DAG against its EmptyOperator twin, side by side.

Airflow's DAG processor pre-imports the ``airflow.*`` modules a DAG file names, then parses the file in a
forked process, so every other module the file pulls in (the provider's, and what those import) is paid
for on each parse, every ~30 s, along with building and serializing the DAG. Each sample here is one fresh
interpreter doing just that: pre-import, then time (CPU) filling a DagBag from the file and serializing
its DAG. Samples alternate between the two files; the medians are compared.

    .venv/bin/python -m benchmarks.parse_cost [--samples 15]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DAG = ROOT / "example_dags" / "peerclick_daily_report.py"
TWIN = Path(__file__).resolve().parent / "dags" / "daily_report_twin.py"

# One parse, as the DAG processor does it. Its manager is long-lived: Airflow's own parsing and
# serialization are loaded (a warm-up parse of a one-task DAG stands in for its earlier parses), and it
# pre-imports the file's airflow.* modules before forking the child that fills a DagBag from the file and
# serializes each DAG. Prints the child's CPU seconds and the modules the file added.
PARSE = """
import importlib, json, sys, tempfile, time
from pathlib import Path
from airflow.dag_processing import processor
from airflow.utils.file import iter_airflow_imports

def parse(path):
    bag = processor.BundleDagBag(
        dag_folder=str(path), bundle_path=Path(path).parent, bundle_name="bench", load_op_links=False
    )
    assert bag.dags and not bag.import_errors, bag.import_errors
    for dag in bag.dags.values():
        processor.DagSerialization.to_dict(dag)

with tempfile.TemporaryDirectory() as folder:
    warm_up = Path(folder) / "warm_up.py"
    warm_up.write_text(sys.argv[2])
    parse(warm_up)
for name in iter_airflow_imports(sys.argv[1]):
    try:
        importlib.import_module(name)
    except ImportError:
        pass
before = set(sys.modules)
started = time.process_time()
parse(sys.argv[1])
cpu = time.process_time() - started
print(json.dumps({"cpu": cpu, "modules": sorted(set(sys.modules) - before)}))
"""
WARM_UP_DAG = """
import pendulum
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG
with DAG(dag_id="warm_up", schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC")):
    EmptyOperator(task_id="nothing")
"""


def parse_once(path: Path) -> dict[str, object]:
    env = {**os.environ, "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", PARSE, str(path), WARM_UP_DAG],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=15)
    options = parser.parse_args(argv)
    # As pip does on install: a deployment reads the provider's bytecode, never compiles its source per
    # parse (this checkout may run with PYTHONDONTWRITEBYTECODE set). Likewise each DAG file's: the first
    # parse of an unchanged file leaves its bytecode in __pycache__ for the next ones.
    compileall.compile_dir(ROOT / "airflow_provider_peerclick", quiet=1)
    for dag_file in (DAG, TWIN):
        compileall.compile_file(dag_file, quiet=1)
    ours, twin = [], []
    for _ in range(options.samples):
        ours.append(parse_once(DAG))
        twin.append(parse_once(TWIN))
    ours_ms = statistics.median(float(sample["cpu"]) for sample in ours) * 1000  # type: ignore[arg-type]
    twin_ms = statistics.median(float(sample["cpu"]) for sample in twin) * 1000  # type: ignore[arg-type]
    added = len(ours[0]["modules"]) - len(twin[0]["modules"])  # type: ignore[arg-type]
    print(
        f"parse: dag_ms={ours_ms:.1f} twin_ms={twin_ms:.1f} ratio={ours_ms / twin_ms:.2f} "
        f"modules_added={added} samples={options.samples}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
