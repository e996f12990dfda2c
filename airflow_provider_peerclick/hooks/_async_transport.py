"""The triggers' HTTP layer: the same calls as ``_transport``, sent with httpx on the event loop.

Airflow 3 ships httpx. The redirect rules and the answer's checks are ``_transport``'s own
(``redirect_hops``), so a trigger's request fails, retries and follows redirects exactly as a task's does;
only the client and its exceptions differ.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, cast

import httpx

from airflow_provider_peerclick.hooks._call_parts import Call
from airflow_provider_peerclick.hooks._transport import (
    caused_by,
    redirect_hops,
    token_header,
    transport_error,
)


def async_client(*, verify: bool | str, timeout: tuple[float, float], user_agent: str) -> httpx.AsyncClient:
    """A client that follows no redirect (``send`` does, by the provider's rules) and verifies TLS as the
    connection says: a CA bundle path, the system's default store with certifi's roots, as requests
    has them, or not at all."""
    connect, read = timeout
    return httpx.AsyncClient(
        verify=_tls(verify),
        timeout=httpx.Timeout(connect=connect, read=read, write=read, pool=connect),
        follow_redirects=False,
        headers={"Accept": "application/json", "User-Agent": user_agent},
    )


async def send(
    client: httpx.AsyncClient,
    call: Call,
    base_url: str,
    *,
    pace: Callable[[], AbstractAsyncContextManager[str | None]],
) -> dict[str, Any]:
    """``_transport.send`` for an ``httpx.AsyncClient`` (made by ``async_client``, which holds the
    connection's TLS and timeouts): each hop inside its own ``pace()``."""
    hops = redirect_hops(call, base_url)
    hop = next(hops)
    while True:
        async with pace() as token:
            try:
                response = await client.request(
                    hop.method, hop.url, headers=token_header(token), params=hop.params, json=hop.json
                )
            except httpx.TransportError as exc:
                never_connected = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                raise transport_error(
                    exc, call, hop.url, never_connected=never_connected, reason=_reason(exc)
                ) from None
        try:
            hop = hops.send(response)
        except StopIteration as answered:
            return cast(dict[str, Any], answered.value)


def _tls(verify: bool | str) -> ssl.SSLContext | bool:
    if verify is False:
        return False
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    import certifi  # requests' own roots, so a trigger trusts what its task trusts

    return ssl.create_default_context(cafile=certifi.where())


def _reason(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "timed out connecting"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out waiting for the answer"
    if caused_by(exc, ssl.SSLError):
        return "the TLS connection failed"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    return "the connection broke before an answer came"
