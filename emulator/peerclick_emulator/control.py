"""Test-control endpoints under /__emulator__: no auth, no rate limit, not counted in stats."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse

from peerclick_emulator.faults import parse_fault
from peerclick_emulator.gate import emulator_state, json_body

PREFIX = "/__emulator__"


async def stats(request: Request) -> JSONResponse:
    return JSONResponse(emulator_state(request).stats())


async def reset(request: Request) -> JSONResponse:
    emulator_state(request).reset()
    return JSONResponse({"description": "Success"})


async def expire_tokens(request: Request) -> JSONResponse:
    emulator_state(request).tokens.expire_all()
    return JSONResponse({"description": "Success"})


async def issued_tokens(request: Request) -> JSONResponse:
    # A test that searches logs, databases and files for leaked tokens needs the list of what to look for.
    return JSONResponse({"tokens": emulator_state(request).tokens.values()})


async def set_clock(request: Request) -> JSONResponse:
    clock = emulator_state(request).clock
    clock.set(await json_body(request))
    return JSONResponse({"description": "Success", **clock.describe()})


async def add_fault(request: Request) -> JSONResponse:
    faults = emulator_state(request).faults
    faults.add(parse_fault(await json_body(request) or {}))
    return JSONResponse({"description": "Success", "pending": faults.pending()})


async def list_faults(request: Request) -> JSONResponse:
    return JSONResponse({"description": "Success", "pending": emulator_state(request).faults.pending()})


async def clear_faults(request: Request) -> JSONResponse:
    emulator_state(request).faults.clear()
    return JSONResponse({"description": "Success", "pending": []})


def control_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX)
    router.add_api_route("/stats", stats, methods=["GET"])
    router.add_api_route("/reset", reset, methods=["POST"])
    router.add_api_route("/expire-tokens", expire_tokens, methods=["POST"])
    router.add_api_route("/issued-tokens", issued_tokens, methods=["GET"])
    router.add_api_route("/clock", set_clock, methods=["POST"])
    router.add_api_route("/faults", add_fault, methods=["POST"])
    router.add_api_route("/faults", list_faults, methods=["GET"])
    router.add_api_route("/faults", clear_faults, methods=["DELETE"])
    return router
