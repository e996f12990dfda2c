"""Only the emulator needs fastapi and uvicorn (the ``[emulator]`` extra): nothing a DAG or a worker imports
may load them, so a deployment that leaves the extra out never reaches for them. Nor may the provider load
the emulator itself (the ``peerclick_emulator`` package).

Each group of modules is imported in a fresh interpreter. Airflow itself may load fastapi on some paths, so
what counts is what the provider adds to what ``import airflow.sdk`` alone loads.
"""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import airflow_provider_peerclick
import peerclick_emulator

pytestmark = pytest.mark.slow  # a fresh interpreter importing Airflow per group: about 4 s each

WEB_STACK = ("fastapi", "uvicorn", "starlette")
PACKAGE = airflow_provider_peerclick.__name__
PACKAGE_DIR = Path(airflow_provider_peerclick.__file__).parent
EMULATOR = peerclick_emulator.__name__

# Imports `airflow.sdk`, then each module named after the first argument (the web stack's top-level names,
# comma-separated) in turn, and prints which of them were loaded before any of ours (the baseline) and which
# each of ours added.
PROBE = """
import importlib, json, sys

WEB_STACK = set(sys.argv[1].split(","))
OPTIONAL = {"pyarrow", "redis"}

def loaded():
    return {name.partition(".")[0] for name in sys.modules} & WEB_STACK

import airflow.sdk
baseline = loaded()
added = {}
for name in sys.argv[2:]:
    before = loaded()
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as missing:
        # A module of an optional extra this venv lacks (Parquet in the oldest-Airflow venv) cannot load
        # anything; any other missing module is a real failure.
        if (missing.name or "").partition(".")[0] not in OPTIONAL:
            raise
    added[name] = sorted(loaded() - before)
print(json.dumps({"baseline": sorted(baseline), "added": added}))
"""


def modules_in(subpackage: str) -> list[str]:
    """The subpackage and every module below it, found on disk so that a new module is covered too."""
    found = pkgutil.walk_packages([str(PACKAGE_DIR / subpackage)], prefix=f"{PACKAGE}.{subpackage}.")
    return [f"{PACKAGE}.{subpackage}", *sorted(info.name for info in found)]


def top_level_modules() -> list[str]:
    """The package and its own modules outside any subpackage (exceptions, pools, progress)."""
    names = [info.name for info in pkgutil.iter_modules([str(PACKAGE_DIR)]) if not info.ispkg]
    return [PACKAGE, *sorted(f"{PACKAGE}.{name}" for name in names)]


def probe(modules: list[str], tmp_path: Path, watched: tuple[str, ...] = WEB_STACK) -> dict[str, Any]:
    # A throwaway AIRFLOW_HOME: importing Airflow writes airflow.cfg there.
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    command = [sys.executable, "-c", PROBE, ",".join(watched), *modules]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


GROUPS = {
    "hooks": lambda: modules_in("hooks"),
    "operators": lambda: modules_in("operators"),
    "sensors": lambda: modules_in("sensors"),
    "triggers": lambda: modules_in("triggers"),
    "storage": lambda: modules_in("storage"),
    "utils": lambda: modules_in("utils"),
    "pools and the package's own modules": top_level_modules,
}


@pytest.mark.parametrize("group", GROUPS)
def test_importing_the_provider_loads_no_web_stack(group, tmp_path):
    result = probe(GROUPS[group](), tmp_path, watched=(*WEB_STACK, EMULATOR))
    added = {name: web for name, web in result["added"].items() if web}
    assert added == {}, f"these imports load the emulator or its web stack (baseline: {result['baseline']})"


def test_the_probe_sees_the_emulator_server_load_it(tmp_path):
    # The emulator's own server module must show up, or the test above proves nothing.
    server = f"{EMULATOR}.server"
    result = probe([server], tmp_path)
    detectable = {"fastapi", "uvicorn"} - set(result["baseline"])
    assert detectable, "airflow.sdk alone loads fastapi and uvicorn: the provider's imports cannot be checked"
    assert detectable <= set(result["added"][server])


def test_the_emulator_command_line_loads_no_web_stack_before_serving(tmp_path):
    # `peerclick-emulator --help` and the missing-extra message depend on this.
    modules = [EMULATOR, f"{EMULATOR}.__main__", f"{EMULATOR}.process"]
    added = {name: web for name, web in probe(modules, tmp_path)["added"].items() if web}
    assert added == {}
