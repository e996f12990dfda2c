"""
After the run: search everything the deployment wrote for the access keys and every token PeerClick issued.

Where a secret could land: task and component logs (exceptions included), landed files, every row of
every table of the metadata database (XCom, rendered fields, task instances, triggers, Celery results),
trigger rows while they were live (a finished trigger's row is deleted), and every key in Redis (the
Celery broker and the rate-limit store, whose shared token must be encrypted). A Celery message carries
its body base64-encoded, so bodies are decoded before they are searched.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit


@dataclass(frozen=True)
class Finding:
    secret: str  # what it is ("access key of peerclick_a", "session token"), never the value
    where: str


@dataclass
class Scan:
    """Secrets by name -> value; ``search`` each text, then read ``findings`` and the counts."""

    secrets: Mapping[str, str]
    findings: list[Finding] = field(default_factory=list)
    searched: dict[str, int] = field(default_factory=dict)

    def search(self, kind: str, where: str, data: bytes | str) -> None:
        blob = data.encode() if isinstance(data, str) else data
        self.searched[kind] = self.searched.get(kind, 0) + 1
        for name, value in self.secrets.items():
            needle = value.encode()
            # A bytea column shows as hex in a row's JSON.
            if needle in blob or needle.hex().encode() in blob:
                self.findings.append(Finding(name, where))

    def summary(self) -> str:
        counts = ", ".join(f"{count} {kind}" for kind, count in self.searched.items())
        return f"{len(self.findings)} occurrences of {len(self.secrets)} secrets in {counts}"


def secrets_to_find(keys: Mapping[str, str], tokens: Iterable[str]) -> dict[str, str]:
    """Names for the secrets, so a finding can be reported without printing the secret itself."""
    found = {f"access key of {conn_id}": key for conn_id, key in keys.items()}
    found |= {f"session token #{number}": token for number, token in enumerate(tokens, start=1)}
    return found


def scan_files(scan: Scan, root: Path, skip: Iterable[Path] = ()) -> None:
    """Every file under ``root`` but those under ``skip`` (server data, searched through the server)."""
    skipped = [path.resolve() for path in skip]
    for path in sorted(root.rglob("*")):
        resolved = path.resolve()
        if path.is_file() and not any(resolved.is_relative_to(folder) for folder in skipped):
            scan.search("files", str(path.relative_to(root)), path.read_bytes())


def scan_rows(scan: Scan, tables: Mapping[str, Iterable[str]]) -> None:
    """Rows as text, by table name (``Metadata.all_rows``)."""
    for table, rows in tables.items():
        for number, row in enumerate(rows):
            scan.search("database rows", f"table {table}, row {number}", row)


def scan_redis(scan: Scan, client: Any) -> None:
    """Every key's value, whatever its type, with Celery message bodies decoded."""
    for key in client.scan_iter(count=500):
        for value in _redis_values(client, key):
            scan.search("redis values", f"redis key {key!r}", value)
            for body in _celery_bodies(value):
                scan.search("redis values", f"redis key {key!r} (decoded message body)", body)


def _redis_values(client: Any, key: bytes) -> Iterator[bytes]:
    kind = client.type(key).decode()
    if kind == "string":
        yield client.get(key) or b""
    elif kind == "list":
        yield from client.lrange(key, 0, -1)
    elif kind == "hash":
        for name, value in client.hgetall(key).items():
            yield name + b"=" + value
    elif kind == "set":
        yield from client.smembers(key)
    elif kind == "zset":
        yield from client.zrange(key, 0, -1)
    elif kind != "none":  # gone since the scan listed it
        yield key  # a stream or module type: at least its name


def _celery_bodies(value: bytes) -> Iterator[bytes]:
    try:
        message = json.loads(value)
    except (ValueError, UnicodeDecodeError):
        return
    body = message.get("body") if isinstance(message, dict) else None
    if isinstance(body, str):
        try:
            yield base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            return


def scan_redis_server(scan: Scan, url: str) -> None:
    """Every database of the Redis server at ``url`` that holds keys (broker and store use different ones)."""
    import redis  # the `scale` extra

    server = redis.Redis.from_url(url)
    keyspace: dict[str, Any] = server.info("keyspace")  # type: ignore[assignment]  # sync client
    for database in keyspace:  # {"db0": {...}, "db1": {...}}
        # By URL: redis 8's connection_kwargs hold more than Redis() takes back.
        number = int(database.removeprefix("db"))
        scan_redis(scan, redis.Redis.from_url(urlunsplit(urlsplit(url)._replace(path=f"/{number}"))))
