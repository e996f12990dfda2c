"""Turn an Airflow Connection into the settings the hook works with, checking every field first."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from airflow_provider_peerclick.exceptions import PeerClickConnectionConfigError
from airflow_provider_peerclick.hooks._secrets import shown_url
from airflow_provider_peerclick.links import LINKS, template_problem

if TYPE_CHECKING:
    from airflow.sdk import Connection

DEFAULT_BASE_URL = "https://api.peerclick.com"
API_VERSIONS = ("v1", "v1_1")
# PeerClick's limits per account (the help center): all requests, and /report on its own.
ACCOUNT_LIMIT = 3
REPORT_LIMIT = 1
# Below this a request waits minutes for its turn: a typo, not a budget.
MIN_SHARED_RATE = 0.05
STORE_SCHEMES = ("redis", "rediss", "unix")
LOCAL_STORE_SCHEME = "file"
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
    rate_limit_store: str | None = None
    account_requests_per_second: float = float(ACCOUNT_LIMIT)
    account_report_requests_per_second: float = float(REPORT_LIMIT)
    # The extra links' URL templates by their extra's name (``campaign_link``...): only those set.
    link_templates: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __repr__(self) -> str:
        return f"PeerClickSettings(conn_id={self.conn_id!r}, base_url={self.base_url!r})"

    @property
    def account(self) -> tuple[str, str]:
        """What PeerClick counts its limits against: one access key ID at one API host."""
        return (urlsplit(self.base_url).netloc, self.access_id)

    @property
    def credential(self) -> tuple[str, str, str]:
        """Everything that decides which token PeerClick issues: a token is never reused across these.

        The key itself is kept out as a digest, so this can key a cache without holding the secret.
        """
        digest = hashlib.sha256(self.access_key.encode()).hexdigest()
        return (self.base_url, self.access_id, digest)

    @classmethod
    def from_connection(cls, conn: Connection) -> PeerClickSettings:
        problem = _Problems(conn.conn_id)
        if conn.conn_type and conn.conn_type != "peerclick":
            problem.add(f"conn_type is {conn.conn_type!r}; a PeerClick connection has conn_type 'peerclick'")
        extra = _extra(conn, problem)
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
            token_lifetime=problem.number(extra, "token_lifetime", None, integer=True, most=30 * 86_400),
            connect_timeout=problem.number(extra, "connect_timeout", 10.0, most=300),
            read_timeout=problem.number(extra, "read_timeout", 120.0, most=3_600),
            verify=_verify(extra, problem),
            max_attempts=problem.number(extra, "max_attempts", 6, integer=True, most=20),
            max_retry_seconds=problem.number(extra, "max_retry_seconds", 300.0, most=3_600),
            link_templates=_link_templates(extra, problem),
            **_rates(extra, problem),
        )
        problem.raise_if_any()
        return settings


# Every extra the provider reads; anything else is a typo that would silently change nothing.
KNOWN_EXTRAS = (
    "api_version",
    "token_lifetime",
    "connect_timeout",
    "read_timeout",
    "verify",
    "ca_bundle",
    "requests_per_second",
    "report_requests_per_second",
    "max_attempts",
    "max_retry_seconds",
    "rate_limit_store",
    "account_requests_per_second",
    "account_report_requests_per_second",
    *(link.setting for link in LINKS),
)
_PER_PROCESS_RATES = ("requests_per_second", "report_requests_per_second")
_SHARED_RATES = ("account_requests_per_second", "account_report_requests_per_second")
_LIMITS = (ACCOUNT_LIMIT, REPORT_LIMIT)


def _extra(conn: Connection, problem: _Problems) -> dict[str, Any]:
    raw = conn.extra
    if not raw:
        return {}
    try:
        extra = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        problem.add('extra must be a JSON object such as {"read_timeout": 60}; it is not valid JSON')
        return {}
    if not isinstance(extra, dict):
        problem.add(f"extra must be a JSON object, got a {type(extra).__name__}")
        return {}
    for key in extra:
        if key not in KNOWN_EXTRAS:
            problem.add(f"extra {key!r} is not a PeerClick setting; allowed: {', '.join(KNOWN_EXTRAS)}")
    return extra


def _link_templates(extra: dict[str, Any], problem: _Problems) -> Mapping[str, str]:
    templates = {}
    for link in LINKS:
        template = extra.get(link.setting)
        if template in (None, ""):  # a form saves empty fields too
            continue
        unusable = template_problem(link, template)
        if unusable:
            problem.add(f"extra {link.setting!r} {unusable}, got {template!r}")
        else:
            templates[link.setting] = template
    return MappingProxyType(templates)


def _rates(extra: dict[str, Any], problem: _Problems) -> dict[str, Any]:
    """The rate settings, checked against what the chosen kind of budget can enforce.

    Both kinds of rate may be set without a store: which applies is known only where the task runs
    (the host-local budget takes the account's rates, a per-process budget the per-slot ones).
    """
    store = extra.get("rate_limit_store") or None
    shared = {
        key: problem.number(extra, key, float(limit), least=MIN_SHARED_RATE, most=limit)
        for key, limit in zip(_SHARED_RATES, _LIMITS, strict=True)
    }
    if store is None:
        whole = problem.whole_rate
        per_process = {
            key: whole(extra, key, limit) for key, limit in zip(_PER_PROCESS_RATES, _LIMITS, strict=True)
        }
        return {**per_process, **shared}
    if not isinstance(store, str) or urlsplit(store).scheme not in (*STORE_SCHEMES, LOCAL_STORE_SCHEME):
        given = shown_url(store) if isinstance(store, str) else store
        problem.add(
            f"extra 'rate_limit_store' must be a Redis URL such as redis://127.0.0.1:6379/0 "
            f"(schemes {', '.join(STORE_SCHEMES)}) or a folder on this host as file:///path, "
            f"got {given!r}"
        )
    elif urlsplit(store).scheme == LOCAL_STORE_SCHEME and not urlsplit(store).path.startswith("/"):
        problem.add(f"extra 'rate_limit_store' must name an absolute folder (file:///path), got {store!r}")
    for key in _PER_PROCESS_RATES:
        if extra.get(key) not in (None, ""):  # a form saves empty fields too
            problem.add(
                f"extra {key!r} is a per-process rate, which a shared 'rate_limit_store' replaces; "
                f"set {'account_' + key!r} to lower the account's shared budget instead"
            )
    return {"rate_limit_store": store, **shared}


class _Problems:
    """Collects every wrong field so one error names them all."""

    def __init__(self, conn_id: str) -> None:
        self.conn_id = conn_id
        self.items: list[str] = []

    def add(self, message: str) -> None:
        self.items.append(message)

    def number(
        self,
        extra: dict[str, Any],
        key: str,
        default: Any,
        *,
        integer: bool = False,
        least: float = 0.0,
        most: float = math.inf,
    ) -> Any:
        value = extra.get(key)
        if value is None or value == "":
            return default
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        whole = math.isfinite(number) and number == int(number)
        if isinstance(value, bool) or not least <= number <= most or number <= 0 or (integer and not whole):
            kind = "an integer" if integer else "a number"
            bounds = f"from {least:g}" if least else "above 0"
            bounds += f" to {most:g}" if math.isfinite(most) else ""
            self.add(f"extra {key!r} must be {kind} {bounds}, got {value!r}")
            return default
        return int(number) if integer else number

    def whole_rate(self, extra: dict[str, Any], key: str, limit: int) -> float:
        """A per-process rate: only whole requests per second are held exactly by each process.

        A fractional rate bounds a process only on average, so two processes at 0.5/s can still send two
        requests inside one second; sharing a budget that finely needs the store.
        """
        value = extra.get(key)
        if value is None or value == "":
            return 1.0
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not isinstance(value, bool) and number in range(1, limit + 1):
            return number
        allowed = "1" if limit == 1 else f"a whole number from 1 to {limit}"
        self.add(
            f"extra {key!r} must be {allowed} (requests per second per task process and pool slot), got "
            f"{value!r}; for a fractional or shared budget (several deployments or processes on one "
            "account), set 'rate_limit_store' to a Redis URL instead"
        )
        return 1.0

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
            f"host (Base URL) {unusable}, got {shown_url(host)!r}; use a URL such as {DEFAULT_BASE_URL}/v1"
        )
        return shown_url(host)
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


def _verify(extra: dict[str, Any], problem: _Problems) -> bool | str:
    """``verify`` (true, false or, as in requests, a CA bundle path) and ``ca_bundle`` (a path), which is
    how the connection form, whose ``verify`` is a toggle, names a CA bundle."""
    value = extra.get("verify", True)
    bundle = extra.get("ca_bundle") or None
    if isinstance(value, str) and value.lower() in ("true", "false"):
        value = value.lower() == "true"
    if bundle is not None:
        if not isinstance(bundle, str) or not os.path.exists(bundle):
            problem.add(
                f"extra 'ca_bundle' must be the path of a CA bundle file or folder that exists, "
                f"got {bundle!r}"
            )
            return True
        if value is False:
            problem.add(
                "extra 'ca_bundle' is set but 'verify' is false, which would ignore it; set verify to true"
            )
            return False
        if value is not True:
            problem.add("extra 'ca_bundle' and a CA bundle path in 'verify' are both set; keep one of them")
            return True
        return bundle
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and os.path.exists(value):
        return value  # a CA bundle file or folder, as in requests
    if isinstance(value, str) and value:
        problem.add(
            f"extra 'verify' must be true, false or the path of a CA bundle that exists, got {value!r}"
        )
        return True
    problem.add(f"extra 'verify' must be true, false or a CA bundle path, got {value!r}")
    return True
