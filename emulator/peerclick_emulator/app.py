"""The FastAPI application of the emulator."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp

from peerclick_emulator.api import api_router
from peerclick_emulator.config import EmulatorConfig
from peerclick_emulator.control import PREFIX as CONTROL_PREFIX
from peerclick_emulator.control import control_router
from peerclick_emulator.errors import ApiError
from peerclick_emulator.state import EmulatorState

API_PREFIXES = ("/v1", "/v1_1")


async def _api_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return error.response()


async def _http_error(_request: Request, error: Exception) -> JSONResponse:
    # Unknown routes and wrong methods answer in the API's own shape, not FastAPI's {"detail": ...}.
    assert isinstance(error, HTTPException)
    return JSONResponse({"description": error.detail}, error.status_code, error.headers)


class _CountRequests:
    """Counts every request but the control endpoints', before routing: 404s and 405s reach no route."""

    def __init__(self, app: ASGIApp, state: EmulatorState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path != CONTROL_PREFIX and not path.startswith(CONTROL_PREFIX + "/"):
            self.state.requests += 1
        await self.app(scope, receive, send)


def create_app(config: EmulatorConfig | None = None) -> FastAPI:
    """A fresh emulator; its state lives in `app.state.emulator`."""
    app = FastAPI(title="PeerClick API emulator", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.emulator = EmulatorState(config or EmulatorConfig())
    app.add_middleware(_CountRequests, state=app.state.emulator)
    api = api_router()
    for prefix in API_PREFIXES:
        app.include_router(api, prefix=prefix)
    app.include_router(control_router())
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(HTTPException, _http_error)
    return app
