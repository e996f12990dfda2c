"""Which redirects the transport follows by hand: only to the same origin, and never for a POST.

requests would follow any redirect: to another host (whose answer would pass for PeerClick's) and, on a
307 or 308, with the body again (the access key, on the auth call). Here a redirect is either a request
to the same scheme, host and port, or a provider error that names where it pointed. httpx (the
triggers' client) follows none by default either; both clients' hops go through here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

from airflow_provider_peerclick.exceptions import PeerClickRedirectError
from airflow_provider_peerclick.hooks._secrets import shown_url


class Answer(Protocol):
    """What the transport reads of an HTTP response, the same in requests and httpx."""

    @property
    def status_code(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def text(self) -> str: ...
    @property
    def url(self) -> Any: ...  # a str in requests, an ``httpx.URL`` in httpx
    @property
    def is_redirect(self) -> bool: ...
    def json(self) -> Any: ...


MAX_REDIRECTS = 3
FOLLOWED_METHODS = ("GET", "PUT")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> tuple[str, str, int] | None:
    """Scheme, host and port of ``url`` (the default port filled in); None when it has no usable host."""
    parts = urlsplit(url)
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None
    if not parts.hostname or port is None:
        return None
    return (parts.scheme.lower(), parts.hostname.lower(), port)


def next_hop(response: Answer, method: str, path: str, first_url: str) -> tuple[str, str, bool]:
    """The method and URL a followed redirect asks for, and whether the body goes again.

    Raises ``PeerClickRedirectError`` for a redirect that is not followed.
    """
    location = urljoin(str(response.url), response.headers["Location"])
    status = response.status_code

    def refuse(reason: str) -> PeerClickRedirectError:
        return PeerClickRedirectError(status, method, path, shown_url(location), reason)

    target = origin(location)
    if target is None or target != origin(first_url):
        raise refuse("another host, port or scheme than the connection's base URL, so it is not followed")
    if method not in FOLLOWED_METHODS:
        raise refuse(
            f"a {method} is never sent again on a redirect: its body may hold the access key, or create "
            "something a second time"
        )
    if status == 303:  # See Other: fetch the answer elsewhere, do not repeat the request
        return "GET", location, False
    return method, location, True


def too_many(response: Answer, method: str, path: str) -> PeerClickRedirectError:
    location = shown_url(urljoin(str(response.url), response.headers["Location"]))
    return PeerClickRedirectError(
        response.status_code, method, path, location, f"more than {MAX_REDIRECTS} redirects in a row"
    )
