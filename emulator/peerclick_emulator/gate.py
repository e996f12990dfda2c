"""What every API request passes before its route runs: rate limits, then faults, then the token check."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Coroutine
from typing import Any, cast

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.responses import JSONResponse

from peerclick_emulator.connection import CONNECTION_EXTENSION, ConnectionControl
from peerclick_emulator.errors import ApiError
from peerclick_emulator.faults import AUTH_PREFIX, Fault
from peerclick_emulator.ratelimit import ALL, REPORTS
from peerclick_emulator.state import EmulatorState

TOKEN_HEADER = "api-token"  # noqa: S105 - a header name, not a secret
TOO_MANY_CODE = "NUMBER_OF_REQUEST_FOR_IP_EXCEEDED"
_VERSION_PREFIX = re.compile(r"^/v1(?:_1)?(?=/|$)")
# Cut mid-object, and labelled JSON, so clients find out only when they parse it.
_MALFORMED_BODY = b'{"description": "Success", "rows": [{"campaignId": 1, "visits": '


def emulator_state(request: Request) -> EmulatorState:
    return cast(EmulatorState, request.app.state.emulator)


def api_path(request: Request) -> str:
    """The request path without its API version prefix, e.g. '/report'."""
    return _VERSION_PREFIX.sub("", request.url.path)


async def json_body(request: Request) -> Any:
    """The parsed JSON body, or an ApiError 400."""
    try:
        return json.loads(await request.body() or b"null")
    except ValueError:
        raise ApiError(400, "Request body must be JSON") from None


class GatedRoute(APIRoute):
    """An API route whose handler runs only once the request is admitted."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def gated(request: Request) -> Response:
            now = time.monotonic()
            state = emulator_state(request)
            request.state.now = now
            path = api_path(request)
            account = await _account(request, state, path)
            refusal = _rate_limit(state, request, account, path, now)
            if refusal is not None:
                return refusal
            fault = state.faults.take(request.method, path)
            if fault is not None and fault.replaces_response:
                await asyncio.sleep(fault.latency)
                return fault_response(request, fault)
            response = await _answer(handler, request, state, account, path, now)
            if fault is not None:
                # Processed first, answered late: a client that times out still changed the state.
                await asyncio.sleep(fault.latency)
            return response

        return gated


async def _account(request: Request, state: EmulatorState, path: str) -> str | None:
    if path.startswith(AUTH_PREFIX):
        try:
            body = await json_body(request)
        except ApiError:
            return None
        access_id = body.get("accessId") if isinstance(body, dict) else None
        return access_id if isinstance(access_id, str) and access_id in state.config.accounts else None
    token = request.headers.get(TOKEN_HEADER)
    return state.tokens.owner(token) if token else None


def _rate_limit(
    state: EmulatorState, request: Request, account: str | None, path: str, now: float
) -> Response | None:
    # Requests no account can be tied to are limited per client address, like the real gateway's per-IP code.
    key = account or f"client:{request.client.host if request.client else '?'}"
    buckets = (ALL, REPORTS) if path.startswith("/report") else (ALL,)
    decision = state.limiter.admit(key, buckets, now)
    agent = request.headers.get("user-agent", "")
    state.log_request(key, request.method, path, decision.accepted, agent, request.url.query)
    if decision.accepted:
        return None
    state.refused += 1
    return JSONResponse(
        {"description": "Too many requests", "error": {"code": TOO_MANY_CODE}},
        429,
        {"Retry-After": str(decision.retry_after)},
    )


async def _answer(
    handler: Callable[[Request], Coroutine[Any, Any, Response]],
    request: Request,
    state: EmulatorState,
    account: str | None,
    path: str,
    now: float,
) -> Response:
    if not path.startswith(AUTH_PREFIX):
        token = request.headers.get(TOKEN_HEADER)
        if account is None or token is None or not state.tokens.is_valid(token, now):
            return ApiError(401, "Unauthorized: token is invalid or expired").response()
        request.state.account = account
    try:
        return await handler(request)
    except ApiError as error:
        return error.response()


def fault_response(request: Request, fault: Fault) -> Response:
    if fault.drop:
        return _drop_connection(request)
    if fault.malformed:
        return Response(_MALFORMED_BODY, 200, media_type="application/json")
    if fault.redirect is not None:
        return Response(status_code=fault.redirect_status or 302, headers={"Location": fault.redirect})
    headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else None
    body = fault.body if fault.body is not None else {"description": "Emulated failure"}
    return JSONResponse(body, fault.status or 500, headers)


def _drop_connection(request: Request) -> Response:
    control = request.scope.get("extensions", {}).get(CONNECTION_EXTENSION)
    if not isinstance(control, ConnectionControl):
        return ApiError(500, "Emulated connection drop needs the emulator's own server").response()
    control.drop()
    # Never reaches the client: the protocol discards everything sent after a drop.
    return Response(status_code=500)
