"""What a hook call is made of, the same for a task (requests) and a trigger (httpx): the checks of its
arguments, the token rounds of a send, and the reading of PeerClick's answers."""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import pendulum

from airflow_provider_peerclick.exceptions import (
    PeerClickInvalidArgumentError,
    PeerClickTransportError,
)
from airflow_provider_peerclick.hooks import _arguments as arguments
from airflow_provider_peerclick.hooks._budget import REPORT_PATH
from airflow_provider_peerclick.hooks._report_answers import ReportPage
from airflow_provider_peerclick.hooks._throttle import Unsent
from airflow_provider_peerclick.hooks._tokens import SessionToken, tokens

AUTH_PATH = "/auth/access/session"
DEFAULT_TOKEN_LIFETIME = 86_400
# Tokens that may lapse in a row, none of them used by any request, before the lifetime is judged too short.
MAX_TOKEN_ROUNDS = 3
# Sends of a request whose session token PeerClick refused, each with a new token. One is not enough when
# PeerClick drops every session at once: the replay may take another process's replacement from the shared
# store, minted before the drop and refused too; the last replay's token is then this process's own.
TOKEN_REPLAYS = 2

T = TypeVar("T")


@dataclass(frozen=True)
class Call:
    """One API call as the hook sends it: its redirects' hops, token rounds and retries included."""

    method: str
    path: str
    params: dict[str, Any] | None = None
    json: Any = None
    authenticated: bool = True


class TokenLapsed(Unsent):
    """The token expired while its request waited for a place: give the place back, exchange anew and
    queue again."""


def checked_request(
    method: str, path: str, params: Mapping[str, Any] | None, json: Any
) -> tuple[str, dict[str, Any] | None]:
    """``request``'s arguments checked before anything is sent: the method and the query parameters."""
    method = arguments.request_method(method)
    if not isinstance(path, str) or not path.startswith("/") or "://" in path:
        raise PeerClickInvalidArgumentError(f"path: got {path!r}; allowed: a path such as '/campaign'")
    query = arguments.request_params(params)
    arguments.request_json(json)
    return method, query


class TokenRounds:
    """The rounds of one send: a request whose token lapsed while it queued for its places goes round
    again, with a new token, until ``MAX_TOKEN_ROUNDS`` rounds lapsed in which no request at all left
    with the token (which says the lifetime is too short, where one that served others says only that
    the queue is long). Each round yields the list the request's tokens are noted in (None when the call
    is not authenticated)."""

    def __init__(self, credential: Hashable, *, authenticated: bool) -> None:
        self.credential = credential
        self.authenticated = authenticated
        self._unused = 0
        self._sends_before = 0

    def __iter__(self) -> Iterator[list[SessionToken] | None]:
        while self._unused < MAX_TOKEN_ROUNDS:
            self._sends_before = tokens.sends(self.credential)
            yield [] if self.authenticated else None

    def needs_token(self) -> bool:
        """Whether to exchange before queueing, so the exchange never waits behind this request."""
        return self.authenticated and tokens.peek(self.credential) is None

    def lapsed(self) -> None:
        self._unused += int(tokens.sends(self.credential) == self._sends_before)


def refused(credential: Hashable, sent_with: list[SessionToken] | None) -> list[SessionToken]:
    """The tokens PeerClick refused, dropped from this process's cache; the caller drops them from the
    shared store."""
    for token in sent_with or ():
        tokens.discard(credential, token)
    return list(sent_with or ())


def field(answer: dict[str, Any], key: str, kind: type[T], method: str, path: str) -> T:
    value = answer.get(key)
    if not isinstance(value, kind):
        raise PeerClickTransportError(
            method, path, f"the answer has no {key!r} {kind.__name__}", may_have_reached_server=True
        )
    return value


def report_page(answer: dict[str, Any], offset: int) -> ReportPage:
    rows, total_rows, totals = answer.get("rows"), answer.get("totalRows"), answer.get("totals") or {}
    if not isinstance(rows, list) or not isinstance(total_rows, int) or not isinstance(totals, dict):
        raise PeerClickTransportError(
            "GET",
            REPORT_PATH,
            "the answer lacks 'rows', 'totalRows' or 'totals'",
            may_have_reached_server=True,
        )
    return ReportPage(offset=offset, total_rows=total_rows, totals=totals, rows=rows)


def expiry(timestamp: Any, *, default: float) -> float:
    if not isinstance(timestamp, str):
        return default
    try:
        return pendulum.parse(timestamp).timestamp()  # type: ignore[union-attr]
    except (ValueError, AttributeError, pendulum.parsing.exceptions.ParserError):
        return default
