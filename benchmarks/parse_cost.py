"""DAG parse CPU: the example daily-report DAG against its EmptyOperator twin, side by side, two ways.

- **processor**: what Airflow's DAG processor spends per parse of the file, all of it. Each file gets a
  home of its own (SQLite metadata database, a dags folder holding only that file), and ``airflow
  dag-processor -n N`` runs twice, for a few and for many parses; the difference, over the difference in
  parses, is the CPU of one parse: the forked parse process (its start, the parse, the serialized DAG sent
  back) and the manager's handling of the result (the metadata database written), each shown apart. The
  manager's own start-up falls out of the difference.
- **in the parse process**: only the part that differs most between the two files. Airflow's DAG processor
  pre-imports the ``airflow.*`` modules a DAG file names, then parses the file in a forked process, so every
  other module the file pulls in (the provider's, and what those import) is paid for on each parse, along
  with building and serializing the DAG. Each sample here is one fresh interpreter doing just that:
  pre-import, then time (CPU) filling a DagBag from the file and serializing its DAG. Samples alternate
  between the two files; the medians are compared. This leaves out what every parse costs whatever the
  file (the parse process's start, sending the result, the database), so its ratio is the harshest view
  of the provider's own share.

    .venv/bin/python -m benchmarks.parse_cost [--samples 15] [--rounds 3]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
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


# `airflow dag-processor -n N`, run in this interpreter so it can print, as it exits, its own CPU (the
# manager) and that of the parse processes it forked and reaped.
PROCESSOR = """
import atexit, json, resource, sys
def report():
    manager = resource.getrusage(resource.RUSAGE_SELF)
    parses = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps([manager.ru_utime + manager.ru_stime, parses.ru_utime + parses.ru_stime]), flush=True)
atexit.register(report)
sys.argv = ["airflow", "dag-processor", "-n", sys.argv[1]]
from airflow.__main__ import main
main()
"""
FEW_PARSES, MANY_PARSES = 3, 23


def processor_env(home: Path) -> dict[str, str]:
    """A home of its own: nothing from a developer's AIRFLOW_* settings, the file parsed back to back."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    return {
        **{name: os.environ[name] for name in keep if name in os.environ},
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "0",
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
    }


def processor_home(dag_file: Path, base: Path) -> dict[str, str]:
    """A migrated home whose dags folder holds only ``dag_file``; its environment."""
    home = base / dag_file.stem
    (home / "dags").mkdir(parents=True)
    shutil.copy(dag_file, home / "dags" / dag_file.name)
    env = processor_env(home)
    airflow = str(Path(sys.executable).with_name("airflow"))
    subprocess.run([airflow, "db", "migrate"], env=env, capture_output=True, check=True)  # noqa: S603
    return env


def processor_cpu(env: dict[str, str], parses: int) -> tuple[float, float]:
    """(manager, parse processes) CPU seconds of one `airflow dag-processor -n parses`."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", PROCESSOR, str(parses)], env=env, capture_output=True, text=True, check=True
    )
    manager, children = json.loads(done.stdout.strip().splitlines()[-1])
    return float(manager), float(children)


def per_parse(env: dict[str, str]) -> tuple[float, float]:
    """(manager, parse process) CPU milliseconds of one parse: many parses less a few, over the difference."""
    few, many = processor_cpu(env, FEW_PARSES), processor_cpu(env, MANY_PARSES)
    scale = 1000 / (MANY_PARSES - FEW_PARSES)
    return (many[0] - few[0]) * scale, (many[1] - few[1]) * scale


def processor_line(rounds: int) -> str:
    with tempfile.TemporaryDirectory() as folder:
        envs = {name: processor_home(path, Path(folder)) for name, path in (("dag", DAG), ("twin", TWIN))}
        samples: dict[str, list[tuple[float, float]]] = {"dag": [], "twin": []}
        for _ in range(rounds):
            for name, env in envs.items():
                samples[name].append(per_parse(env))
    medians = {
        name: (statistics.median(m for m, _ in got), statistics.median(c for _, c in got))
        for name, got in samples.items()
    }
    (dag_manager, dag_child), (twin_manager, twin_child) = medians["dag"], medians["twin"]
    dag_ms, twin_ms = dag_manager + dag_child, twin_manager + twin_child
    return (
        f"parse (DAG processor): dag_ms={dag_ms:.1f} twin_ms={twin_ms:.1f} ratio={dag_ms / twin_ms:.2f} "
        f"parse_process_ms={dag_child:.1f}/{twin_child:.1f} ({dag_child / twin_child:.2f}x) "
        f"manager_ms={dag_manager:.1f}/{twin_manager:.1f} rounds={rounds}"
    )


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
    parser.add_argument("--samples", type=int, default=15, help="in-process samples per file")
    parser.add_argument("--rounds", type=int, default=3, help="DAG processor measurements per file")
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
        f"parse (in the parse process): dag_ms={ours_ms:.1f} twin_ms={twin_ms:.1f} "
        f"ratio={ours_ms / twin_ms:.2f} modules_added={added} samples={options.samples}",
        flush=True,
    )
    print(processor_line(options.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
