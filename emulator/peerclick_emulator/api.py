"""The emulated PeerClick API routes (mounted under /v1 and /v1_1)."""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from peerclick_emulator.entities import CAMPAIGN, OFFER, EntityKind, EntityStore
from peerclick_emulator.errors import ApiError
from peerclick_emulator.gate import GatedRoute, emulator_state, json_body
from peerclick_emulator.reportquery import parse_report_query

MAX_TOKEN_LIFETIME = 10 * 365 * 86400


def success(**payload: Any) -> JSONResponse:
    return JSONResponse({"description": "Success", **payload})


async def create_session(request: Request) -> JSONResponse:
    state = emulator_state(request)
    body = await json_body(request)
    if not isinstance(body, dict):
        raise ApiError(400, "Body must be a JSON object with accessId and accessKey")
    access_id, access_key = body.get("accessId"), body.get("accessKey")
    if not isinstance(access_id, str) or not isinstance(access_key, str) or not access_id or not access_key:
        raise ApiError(400, "accessId and accessKey are required strings")
    lifetime = body.get("lifetime", state.config.token_lifetime)
    if isinstance(lifetime, bool) or not isinstance(lifetime, int) or not 0 < lifetime <= MAX_TOKEN_LIFETIME:
        raise ApiError(400, f"lifetime must be an integer number of seconds, 1 to {MAX_TOKEN_LIFETIME}")
    expected = state.config.accounts.get(access_id)
    # Constant-time comparison, and one answer for both unknown ID and wrong key.
    if expected is None or not hmac.compare_digest(expected.encode(), access_key.encode()):
        raise ApiError(401, "Invalid access key ID or access key")
    issued = state.tokens.issue(access_id, lifetime, request.state.now)
    return success(token=issued.token, expirationTimestamp=issued.expiration_timestamp)


async def report(request: Request) -> JSONResponse:
    query = parse_report_query(request.query_params)
    state = emulator_state(request)
    # Big reports take seconds of CPU; off the event loop, control endpoints and other clients stay served.
    return JSONResponse(await run_in_threadpool(state.reports.page, query, state.clock.now()))


def _store(request: Request, kind: EntityKind) -> EntityStore:
    return emulator_state(request).entities[request.state.account].store(kind)


def _entity_id(raw: str, kind: EntityKind) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ApiError(400, f"{kind.label} id must be an integer, got {raw!r}") from None


def _add_entity_routes(router: APIRouter, kind: EntityKind) -> None:
    """GET list, GET one, POST and PUT for one entity kind."""

    async def list_all(request: Request) -> JSONResponse:
        return success(**{kind.plural: _store(request, kind).list()})

    async def get_one(request: Request, entity_id: str) -> JSONResponse:
        return success(**{kind.singular: _store(request, kind).get(_entity_id(entity_id, kind))})

    async def create(request: Request) -> JSONResponse:
        return success(**{kind.singular: _store(request, kind).create(await json_body(request))})

    async def update(request: Request, entity_id: str) -> JSONResponse:
        store = _store(request, kind)
        entity = store.update(_entity_id(entity_id, kind), await json_body(request))
        return success(**{kind.singular: entity})

    base = f"/{kind.singular}"
    router.add_api_route(base, list_all, methods=["GET"], name=f"list_{kind.plural}")
    router.add_api_route(base, create, methods=["POST"], name=f"create_{kind.singular}")
    router.add_api_route(base + "/{entity_id}", get_one, methods=["GET"], name=f"get_{kind.singular}")
    router.add_api_route(base + "/{entity_id}", update, methods=["PUT"], name=f"update_{kind.singular}")


def api_router() -> APIRouter:
    router = APIRouter(route_class=GatedRoute)
    router.add_api_route("/auth/access/session", create_session, methods=["POST"])
    router.add_api_route("/report", report, methods=["GET"])
    for kind in (CAMPAIGN, OFFER):
        _add_entity_routes(router, kind)
    return router
