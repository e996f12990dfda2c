"""The wheels as users get them: what each holds, and that they work installed alone in a clean venv.

The provider's wheel and the emulator's (its own distribution, `emulator/`) are built as `make dist` builds
them (sdist first, the wheel from the sdist), then installed with Apache Airflow 3.3.2 and the provider's
`[emulator]` extra, under our constraints, in a venv that cannot see this checkout. There Airflow must list
the provider, and a DAG must run against the installed emulator.
"""

from __future__ import annotations

import email.parser
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

import airflow_provider_peerclick
import peerclick_emulator
from airflow_provider_peerclick import __version__

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
PACKAGE = airflow_provider_peerclick.__name__
PACKAGE_DIR = REPO / PACKAGE
EMULATOR = peerclick_emulator.__name__  # its own distribution, the [emulator] extra's
EMULATOR_DIR = REPO / "emulator"
AIRFLOW_VERSION = "3.3.2"
CONSTRAINTS = REPO / "constraints" / f"airflow-{AIRFLOW_VERSION}.txt"
UV = Path(sys.executable).parent / "uv"  # installed in every venv of this project by the Makefile
DIST_INFO = f"{PACKAGE}-{__version__}.dist-info"
EMULATOR_DIST_INFO = f"{EMULATOR}-{peerclick_emulator.__version__}.dist-info"
ACCESS_ID, ACCESS_KEY = "wheel-check-id", "wheel-check-key"


def run(args: list[str | Path], *, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(arg) for arg in args], capture_output=True, text=True, timeout=timeout, check=False, **kwargs
    )
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{(done.stdout + done.stderr)[-4000:]}"
    return done


def build_wheel(project: Path, out: Path) -> Path:
    # `build` and `twine` are the `release` group, installed in .venv (where `make test` runs this), not in
    # the oldest-Airflow venv, whose run would only repeat this module with the same Airflow 3.3.2.
    pytest.importorskip("build", reason="the release group (build) is not installed in this venv")
    run([sys.executable, "-m", "build", "--installer", "uv", "--outdir", out, project])
    (built,) = out.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(REPO, tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def emulator_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(EMULATOR_DIR, tmp_path_factory.mktemp("emulator-dist"))


def _sources(root: Path, package: str) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for path in (root / package).rglob("*.py")
        if "__pycache__" not in path.parts
    }


def test_wheel_holds_the_package_its_data_and_nothing_else(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = email.parser.HeaderParser().parsestr(archive.read(f"{DIST_INFO}/METADATA").decode())
        entry_points = archive.read(f"{DIST_INFO}/entry_points.txt").decode()
        pools = archive.read(f"{PACKAGE}/pools.json")

    # No emulator, tests, scripts, benchmarks or example DAGs: only the provider and its metadata.
    assert {name.split("/")[0] for name in names} == {PACKAGE, DIST_INFO}
    # Every module, subpackages too.
    assert {name for name in names if name.endswith(".py")} == _sources(REPO, PACKAGE)
    assert f"{PACKAGE}/py.typed" in names
    assert pools == (PACKAGE_DIR / "pools.json").read_bytes()
    assert f"{DIST_INFO}/licenses/LICENSE" in names

    assert metadata["Version"] == __version__
    assert metadata["License-Expression"] == "Apache-2.0"
    extras = set(metadata.get_all("Provides-Extra"))
    assert "emulator" in extras
    assert extras.isdisjoint({"dev", "docs", "release", "scale"})  # development groups are not published
    assert "PeerClick API, https://help.peerclick.com/" in metadata.get_all("Project-URL")
    requires = metadata.get_all("Requires-Dist")
    assert [r for r in requires if 'extra == "emulator"' in r] == [
        'peerclick-emulator<0.2,>=0.1.0; extra == "emulator"'
    ]
    # Airflow brings fastapi and uvicorn today, but the provider does not rely on it: only the emulator does.
    assert not [r for r in requires if r.startswith(("fastapi", "uvicorn"))]
    assert f"provider_info = {PACKAGE}:get_provider_info" in entry_points
    assert f"peerclick-pools = {PACKAGE}.pools:main" in entry_points
    assert "peerclick-emulator" not in entry_points


def test_emulator_wheel_holds_the_emulator_and_needs_no_provider(emulator_wheel):
    with zipfile.ZipFile(emulator_wheel) as archive:
        names = set(archive.namelist())
        metadata = email.parser.HeaderParser().parsestr(
            archive.read(f"{EMULATOR_DIST_INFO}/METADATA").decode()
        )
        entry_points = archive.read(f"{EMULATOR_DIST_INFO}/entry_points.txt").decode()

    assert {name.split("/")[0] for name in names} == {EMULATOR, EMULATOR_DIST_INFO}
    assert {name for name in names if name.endswith(".py")} == _sources(EMULATOR_DIR, EMULATOR)
    assert f"{EMULATOR_DIST_INFO}/licenses/LICENSE" in names
    assert metadata["Name"] == "peerclick-emulator"
    assert metadata["Version"] == peerclick_emulator.__version__
    assert metadata["License-Expression"] == "Apache-2.0"
    requires = {r.partition(">")[0].partition("<")[0] for r in metadata.get_all("Requires-Dist")}
    assert requires == {"fastapi", "uvicorn", "requests"}  # neither Airflow nor the provider
    assert metadata.get_all("Provides-Extra") is None
    assert f"peerclick-emulator = {EMULATOR}.__main__:main" in entry_points


@pytest.fixture(scope="module")
def clean_venv(wheel: Path, emulator_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv with only the wheel, its [emulator] extra (the emulator's wheel) and Airflow, from uv's
    shared cache."""
    venv = tmp_path_factory.mktemp("venv") / "venv"
    env = {key: value for key, value in os.environ.items() if key not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    run([UV, "venv", "--quiet", "--python", sys.executable, venv], env=env)
    requirements = [
        f"airflow-provider-peerclick[emulator] @ {wheel.as_uri()}",
        f"peerclick-emulator @ {emulator_wheel.as_uri()}",
        f"apache-airflow=={AIRFLOW_VERSION}",
    ]
    install = [UV, "pip", "install", "--quiet", "--python", venv / "bin" / "python", "-c", CONSTRAINTS]
    run([*install, *requirements], env=env, timeout=600)
    return venv


class InstalledAirflow:
    """Commands of the clean venv, with an AIRFLOW_HOME of its own and nothing of this checkout in reach."""

    def __init__(self, venv: Path, home: Path) -> None:
        self.bin = venv / "bin"
        self.home = home
        self.dags = home / "dags"
        self.dags.mkdir(parents=True)
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("AIRFLOW")}
        self.env.pop("PYTHONPATH", None)
        self.env.pop("VIRTUAL_ENV", None)
        self.env |= {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags),
        }

    def __call__(self, command: str, *args: str, timeout: float = 300) -> str:
        # Run from AIRFLOW_HOME, so the checkout is not the current directory either.
        return run([self.bin / command, *args], env=self.env, cwd=self.home, timeout=timeout).stdout

    def json_table(self, *args: str) -> list[dict[str, str]]:
        output = self("airflow", *args, "-o", "json")
        return json.loads(next(line for line in reversed(output.splitlines()) if line.startswith("[")))


@pytest.fixture
def installed(clean_venv: Path, tmp_path: Path) -> InstalledAirflow:
    return InstalledAirflow(clean_venv, tmp_path / "airflow_home")


class InstalledEmulator:
    """`peerclick-emulator` of the clean venv on a free port, found through its --port-file."""

    def __init__(self, installed: InstalledAirflow) -> None:
        port_file = installed.home / "emulator.port"
        self.log = (installed.home / "emulator.log").open("wb")
        command = [str(installed.bin / "peerclick-emulator"), "--port", "0", "--port-file", str(port_file)]
        command += ["--access-id", ACCESS_ID, "--access-key", ACCESS_KEY]
        self.process = subprocess.Popen(
            command, env=installed.env, cwd=installed.home, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 30
        while not port_file.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"the installed emulator did not start: {self.log.name}")
            time.sleep(0.1)
        self.root_url = f"http://127.0.0.1:{port_file.read_text().strip()}"

    def connection_json(self) -> str:
        connection = {"conn_type": "peerclick", "login": ACCESS_ID, "password": ACCESS_KEY}
        return json.dumps({**connection, "host": f"{self.root_url}/v1"})

    def stats(self) -> dict[str, object]:
        response = requests.get(f"{self.root_url}/__emulator__/stats", timeout=10)
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=15)
        self.log.close()


@pytest.fixture
def installed_emulator(installed: InstalledAirflow) -> Iterator[InstalledEmulator]:
    emulator = InstalledEmulator(installed)
    yield emulator
    emulator.stop()


DAG_FILE = """
import pendulum
from airflow.sdk import DAG

from airflow_provider_peerclick.operators.entities import PeerClickListCampaignsOperator
from airflow_provider_peerclick.operators.report import PeerClickReportToStorageOperator

with DAG("peerclick_wheel_check", schedule=None, start_date=pendulum.datetime(2026, 11, 1, tz="UTC")):
    PeerClickListCampaignsOperator(task_id="campaigns")
    PeerClickReportToStorageOperator(
        task_id="land", destination={landing!r}, group_by="campaign", start="2026-11-20", end="2026-11-21"
    )
"""


def test_installed_wheel_registers_with_airflow_and_runs_a_dag(installed, installed_emulator):
    # The provider comes from the venv's site-packages, not from this checkout.
    where = installed("python", "-c", f"import {PACKAGE}; print({PACKAGE}.__file__)").strip()
    assert Path(where).is_relative_to(installed.bin.parent), where
    providers = {row["package_name"]: row["version"] for row in installed.json_table("providers", "list")}
    assert providers.get("airflow-provider-peerclick") == __version__

    installed("airflow", "db", "migrate")
    installed("peerclick-pools", "create")  # the installed console script; the tasks run in these pools
    landing = installed.home / "lake"
    (installed.dags / "peerclick_wheel_check.py").write_text(DAG_FILE.format(landing=landing.as_uri()))
    installed.env["AIRFLOW_CONN_PEERCLICK_DEFAULT"] = installed_emulator.connection_json()
    installed.env["NO_PROXY"] = installed.env["no_proxy"] = "127.0.0.1,localhost"

    installed("airflow", "dags", "test", "peerclick_wheel_check", "2026-11-21T00:00:00+00:00")

    (dag_run,) = installed.json_table("dags", "list-runs", "peerclick_wheel_check")
    assert dag_run["state"] == "success"
    manifest = json.loads((landing / "campaign" / "date=2026-11-20" / "_manifest.json").read_text())
    assert manifest["row_count"] > 0
    assert manifest["provider_version"] == __version__
    stats = installed_emulator.stats()
    assert stats["refused"] == 0
    assert stats["requests"] >= 3  # a token, the campaign list and the report
