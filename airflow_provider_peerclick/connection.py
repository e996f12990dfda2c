"""Turn an Airflow Connection into the settings the hook works with, checking every field first."""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from airflow_provider_peerclick.exceptions import PeerClickConnectionConfigError

if TYPE_CHECKING:
    from airflow.sdk import Connection

DEFAULT_BASE_URL = "https://api.peerclick.com"
API_VERSIONS = ("v1", "v1_1")
# Dot-separated labels of letters, digits, '-' and '_' (container names), an optional final dot.
_HOSTNAME = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?")


@dataclass(frozen=True, repr=False)
class PeerClickSettings:
    """Everything the hook needs from a connection. ``repr`` leaves the access key out."""

    conn_id: str
    base_url: str
    access_id: str
    access_key: str
    token_lifetime: int | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    verify: bool | str = True
    requests_per_second: float = 1.0
    report_requests_per_second: float = 1.0
    max_attempts: int = 6
    max_retry_seconds: float = 300.0

    def __repr__(self) -> str:
        return f"PeerClickSettings(conn_id={self.conn_id!r}, base_url={self.base_url!r})"

    @property
    def account(self) -> tuple[str, str]:
        """What PeerClick counts its limits against: one access key ID at one API host."""
        return (urlsplit(self.base_url).netloc, self.access_id)

    @classmethod
    def from_connection(cls, conn: Connection) -> PeerClickSettings:
        extra = conn.extra_dejson or {}
        problem = _Problems(conn.conn_id)
        access_id = (conn.login or "").strip()
        access_key = conn.password or ""
        if not access_id:
            problem.add("login (Access key ID) is empty; set it to the ID of a PeerClick access key")
        if not access_key:
            problem.add("password (Access key) is empty; set it to the PeerClick access key")
        settings = cls(
            conn_id=conn.conn_id,
            base_url=_base_url(conn, extra, problem),
            access_id=access_id,
            access_key=access_key,
            token_lifetime=problem.number(extra, "token_lifetime", None, integer=True),
            connect_timeout=problem.number(extra, "connect_timeout", 10.0),
            read_timeout=problem.number(extra, "read_timeout", 120.0),
            verify=_verify(extra, problem),
            requests_per_second=problem.number(extra, "requests_per_second", 1.0),
            report_requests_per_second=problem.number(extra, "report_requests_per_second", 1.0),
            max_attempts=problem.number(extra, "max_attempts", 6, integer=True),
            max_retry_seconds=problem.number(extra, "max_retry_seconds", 300.0),
        )
        problem.raise_if_any()
        return settings


class _Problems:
    """Collects every wrong field so one error names them all."""

    def __init__(self, conn_id: str) -> None:
        self.conn_id = conn_id
        self.items: list[str] = []

    def add(self, message: str) -> None:
        self.items.append(message)

    def number(self, extra: dict[str, Any], key: str, default: Any, *, integer: bool = False) -> Any:
        value = extra.get(key)
        if value is None or value == "":
            return default
        try:
            number = int(value) if integer else float(value)
        except (TypeError, ValueError):
            number = math.nan
        if isinstance(value, bool) or not number > 0 or not math.isfinite(number):
            kind = "a positive integer" if integer else "a positive number"
            self.add(f"extra {key!r} must be {kind}, got {value!r}")
            return default
        return number

    def raise_if_any(self) -> None:
        if self.items:
            raise PeerClickConnectionConfigError(
                f"PeerClick connection {self.conn_id!r} cannot be used: " + "; ".join(self.items)
            )


def _base_url(conn: Connection, extra: dict[str, Any], problem: _Problems) -> str:
    version = extra.get("api_version") or "v1"
    if version not in API_VERSIONS:
        problem.add(f"extra 'api_version' must be one of {', '.join(API_VERSIONS)}, got {version!r}")
    host = (conn.host or "").strip()
    if not host:
        return f"{DEFAULT_BASE_URL}/{version}"
    if "://" not in host:
        # The URI form (peerclick://id:key@host:port/v1) splits the URL into host, port and schema.
        port = f":{conn.port}" if conn.port else ""
        host = f"https://{host}{port}/{conn.schema or version}"
    unusable = _unusable(host)
    if unusable:
        problem.add(
            f"host (Base URL) {unusable}, got {_without_userinfo(host)!r}; "
            f"use a URL such as {DEFAULT_BASE_URL}/v1"
        )
        return _without_userinfo(host)
    parts = urlsplit(host)
    path = parts.path.rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path or '/' + version}"


def _unusable(url: str) -> str | None:
    """What makes ``url`` unusable as a base URL, or None."""
    if "@" in url.partition("://")[2]:
        return "must not hold a user name or password (the access key ID goes in login, the key in password)"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "cannot be read as a URL"
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "must be an http(s) URL"
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port is not None and not 1 <= port <= 65535:
        return "must have a port from 1 to 65535, or none"
    if not _valid_hostname(parts.hostname or ""):
        return "has no valid host name"
    return None


def _valid_hostname(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return bool(_HOSTNAME.fullmatch(name))
    return True


def _without_userinfo(url: str) -> str:
    # Everything up to the last '@' may be a password, even one with a '/' urlsplit would cut it at.
    scheme, separator, rest = url.partition("://")
    return f"{scheme}{separator}***@{rest.rpartition('@')[2]}" if "@" in rest else url


def _verify(extra: dict[str, Any], problem: _Problems) -> bool | str:
    value = extra.get("verify", True)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if isinstance(value, bool) or (isinstance(value, str) and value):
        return value  # a string is a CA bundle path, as in requests
    problem.add(f"extra 'verify' must be true, false or a CA bundle path, got {value!r}")
    return True
