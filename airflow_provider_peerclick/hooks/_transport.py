"""The HTTP layer under the hook: one request in, one checked JSON object or provider error out."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Generator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import NewConnectionError

from airflow_provider_peerclick.exceptions import (
    PeerClickAPIError,
    PeerClickAuthError,
    PeerClickRateLimitError,
    PeerClickServerError,
    PeerClickTLSError,
    PeerClickTransportError,
)
from airflow_provider_peerclick.hooks._call_parts import Call
from airflow_provider_peerclick.hooks._connection import PeerClickSettings
from airflow_provider_peerclick.hooks._redirects import MAX_REDIRECTS, Answer, next_hop, too_many
from airflow_provider_peerclick.hooks._retries import parse_retry_after
from airflow_provider_peerclick.hooks._secrets import shown_url

TOKEN_HEADER = "api-token"  # noqa: S105 (a header name, not a secret)
RATE_LIMIT_CODE = "NUMBER_OF_REQUEST_FOR_IP_EXCEEDED"
_MAX_DESCRIPTION = 500


class TokenSafeSession(requests.Session):
    """A Session that drops the ``api-token`` header when a redirect leaves the host.

    requests strips ``Authorization`` on such redirects but keeps custom headers, which would hand the
    token to whatever host a redirect names. ``send`` never lets requests follow a redirect; this still
    guards code that uses the hook's session (``get_conn()``) with requests' defaults.
    """

    def rebuild_auth(self, prepared_request: requests.PreparedRequest, response: requests.Response) -> None:
        super().rebuild_auth(prepared_request, response)
        if self.should_strip_auth(response.request.url or "", prepared_request.url or ""):
            prepared_request.headers.pop(TOKEN_HEADER, None)


def send(
    session: requests.Session,
    call: Call,
    settings: PeerClickSettings,
    *,
    pace: Callable[[], AbstractContextManager[str | None]] = nullcontext,
) -> dict[str, Any]:
    """Send one request; turn every failure into a provider exception that names ``method path``.

    Same-origin redirects of a GET or PUT are followed here, each hop inside its own ``pace()`` (a place
    in the caller's throttle, which gives the session token to send, if any, once the place is taken);
    any other redirect fails (see ``_redirects``). The connection's ``verify`` goes with every request:
    requests lets REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE override ``Session.verify``, not this.
    """
    hops = redirect_hops(call, settings.base_url)
    hop = next(hops)
    while True:
        with pace() as token:
            try:
                response = session.request(
                    hop.method,
                    hop.url,
                    allow_redirects=False,
                    headers=token_header(token),
                    params=hop.params,
                    json=hop.json,
                    timeout=(settings.connect_timeout, settings.read_timeout),
                    verify=settings.verify,
                )
            except requests.exceptions.RequestException as exc:
                raise transport_error(
                    exc, call, hop.url, never_connected=_never_connected(exc), reason=_reason(exc)
                ) from None
        try:
            hop = hops.send(response)
        except StopIteration as answered:
            return cast(dict[str, Any], answered.value)


@dataclass(frozen=True)
class Hop:
    """One request of a call: the first, or one a followed redirect asks for."""

    method: str
    url: str
    params: dict[str, Any] | None
    json: Any


def redirect_hops(call: Call, base_url: str) -> Generator[Hop, Answer, dict[str, Any]]:
    """The hops of ``call`` to the API at ``base_url``, whatever client sends them: yields each request
    to send and is sent its answer; returns the checked JSON object of the first answer that is not a
    redirect."""
    url = base_url + call.path
    method, path = call.method, call.path
    hop = Hop(method, url, call.params, call.json)
    for _hop in range(MAX_REDIRECTS + 1):
        response = yield hop
        if not response.is_redirect:
            return checked(response, method, path)
        hop_method, hop_url, resend = next_hop(response, method, path, url)
        hop = Hop(hop_method, hop_url, None, hop.json if resend else None)  # the Location holds the query
    raise too_many(response, method, path)


def token_header(token: str | None) -> dict[str, str]:
    return {TOKEN_HEADER: token} if token else {}


def transport_error(
    exc: BaseException, call: Call, url: str, *, never_connected: bool, reason: str
) -> PeerClickTransportError:
    """What a client's failure to get an answer becomes; an untrusted certificate is never retried."""
    if caused_by(exc, ssl.SSLCertVerificationError):
        return PeerClickTLSError(
            call.method,
            call.path,
            f"TLS verification failed for {urlsplit(url).netloc}: its certificate is not trusted (the "
            "connection's 'verify' extra takes a CA bundle path, or false); not retried",
            may_have_reached_server=False,
        )
    return PeerClickTransportError(
        call.method, call.path, reason, may_have_reached_server=not never_connected
    )


def caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether ``kind`` is anywhere in the chain requests and urllib3 wrap around a socket error."""
    seen: list[BaseException] = []
    stack: list[Any] = [exc]
    while stack:
        current = stack.pop()
        if not isinstance(current, BaseException) or any(current is s for s in seen):
            continue
        if isinstance(current, kind):
            return True
        seen.append(current)
        stack += [*current.args, getattr(current, "reason", None), current.__cause__, current.__context__]
    return False


def _never_connected(exc: requests.exceptions.RequestException) -> bool:
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(exc, requests.exceptions.ConnectionError) and isinstance(reason, NewConnectionError)


def _reason(exc: requests.exceptions.RequestException) -> str:
    kinds = {
        requests.exceptions.ConnectTimeout: "timed out connecting",
        requests.exceptions.ReadTimeout: "timed out waiting for the answer",
        requests.exceptions.SSLError: "the TLS connection failed",
    }
    for kind, text in kinds.items():
        if isinstance(exc, kind):
            return text
    if _never_connected(exc):
        return "could not connect"
    return "the connection broke before an answer came"


def checked(response: Answer, method: str, path: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    status = response.status_code
    description = _description(body)
    # A success status may carry the refusal code too; there only an error-code field counts, since rows
    # and names may hold any text.
    refused = _names_rate_limit(body) if status < 300 else RATE_LIMIT_CODE in response.text
    if status == 429 or refused:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise PeerClickRateLimitError(status, method, path, description, retry_after)
    if status < 300:
        if not isinstance(body, dict):
            raise PeerClickTransportError(
                method,
                path,
                f"HTTP {status} with a body that is not a JSON object",
                may_have_reached_server=True,
            )
        return body
    if status == 401:
        raise PeerClickAuthError(status, method, path, description)
    if status >= 500:
        raise PeerClickServerError(status, method, path, description)
    if status == 404 and description is None:
        # A bare 404 on a path every PeerClick API has means the base URL is wrong, not the request.
        where = shown_url(str(response.url))
        description = f"nothing at {where}; check the connection's Base URL (host) and api_version"
    raise PeerClickAPIError(status, method, path, description)


def _names_rate_limit(body: Any) -> bool:
    if not isinstance(body, dict):
        return False
    error = body.get("error")
    codes = (body.get("code"), error.get("code") if isinstance(error, dict) else None)
    return RATE_LIMIT_CODE in codes


def _description(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    text = body.get("description") or (error.get("description") if isinstance(error, dict) else None)
    return str(text)[:_MAX_DESCRIPTION] if text else None
