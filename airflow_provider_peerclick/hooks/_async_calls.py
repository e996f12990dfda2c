"""The hook's calls for triggers: a task's requests, awaited on the event loop with httpx.

A triggerer runs every provider's triggers on one event loop and lends them one small thread pool, so a
trigger that blocks the loop or sits on a thread while it waits for its place in PeerClick's budget
starves the others. Here nothing does: places are awaited (``aslot``), the shared token and the places
kept in a store are read through the loop's own store client, and requests go out with httpx. Checks,
token rounds, answers and the retry policy are the task path's own (``_call_parts``, ``_retries``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_peerclick import __version__
from airflow_provider_peerclick.exceptions import PeerClickAuthError
from airflow_provider_peerclick.hooks import _arguments as arguments
from airflow_provider_peerclick.hooks._budget import REPORT_PATH, RateBudget
from airflow_provider_peerclick.hooks._call_parts import (
    AUTH_PATH,
    TOKEN_REPLAYS,
    Call,
    TokenLapsed,
    TokenRounds,
    checked_request,
    field,
    refused,
    report_page,
)
from airflow_provider_peerclick.hooks._report_answers import ReportSummary
from airflow_provider_peerclick.hooks._report_query import ReportQuery
from airflow_provider_peerclick.hooks._secrets import mask_secret
from airflow_provider_peerclick.hooks._tokens import SessionToken, tokens

if TYPE_CHECKING:
    import httpx

    from airflow_provider_peerclick.hooks._connection import PeerClickSettings
    from airflow_provider_peerclick.hooks._shared_tokens import SharedTokens

T = TypeVar("T")


class AsyncCalls:
    """``PeerClickHook``'s coroutines: ``arequest``, the report summary and the entity reads a trigger
    polls. Close the hook's client with ``aclose`` when done."""

    if TYPE_CHECKING:  # the sync hook's parts, which these share

        @property
        def log(self) -> Any: ...  # BaseHook's logger
        @property
        def settings(self) -> PeerClickSettings: ...
        def _admit(self, path: str) -> RateBudget: ...
        def _shared_tokens(self) -> SharedTokens: ...
        def _auth_body(self) -> dict[str, Any]: ...
        def _key_refused(self, exc: PeerClickAuthError) -> PeerClickAuthError: ...
        def _token_from(self, answer: dict[str, Any]) -> SessionToken: ...
        def _token_to_send(self, sent_with: list[SessionToken] | None) -> str | None: ...
        def _lapsed_too_often(self, method: str, path: str) -> PeerClickAuthError: ...

    _async_client: httpx.AsyncClient | None = None

    async def arequest(
        self, method: str, path: str, params: Mapping[str, Any] | None = None, json: Any = None
    ) -> dict[str, Any]:
        """``request`` for a coroutine: the same checks, budget, retries and token renewal."""
        method, query = checked_request(method, path, params, json)
        call = partial(self._asend, Call(method, path, query, json))
        for _ in range(TOKEN_REPLAYS):
            try:
                return await self._aretrying(replay_safe=method != "POST", call=call)
            except PeerClickAuthError as exc:
                if exc.path == AUTH_PATH:
                    raise  # the key itself was refused: no new token can help
                self.log.info("PeerClick refused the session token; getting a new one and trying again")
        return await self._aretrying(replay_safe=method != "POST", call=call)

    async def aget_report_summary(self, query: ReportQuery) -> ReportSummary:
        """``get_report_summary(query=query)`` for a coroutine."""
        params = {**query.params(), "limit": 1, "offset": 0}
        page = report_page(await self.arequest("GET", REPORT_PATH, params=params), 0)
        return ReportSummary(total_rows=page.total_rows, totals=page.totals)

    async def aget_entity(self, kind: str, entity_id: int) -> dict[str, Any]:
        """``get_campaign`` or ``get_offer`` (``kind``: "campaign" or "offer") for a coroutine."""
        path = f"/{kind}/{arguments.positive_id(entity_id, f'{kind}_id')}"
        return field(await self.arequest("GET", path), kind, dict, "GET", path)

    async def alist_entities(self, kind: str) -> list[dict[str, Any]]:
        """``list_campaigns`` or ``list_offers`` for a coroutine."""
        return field(await self.arequest("GET", f"/{kind}"), f"{kind}s", list, "GET", f"/{kind}")

    async def aclose(self) -> None:
        """Close the httpx client, if a request opened one."""
        if self._async_client is not None:
            await self._async_client.aclose()
            self._async_client = None

    # -- the task path's steps, awaited -----------------------------------------------------------

    async def _aretrying(self, *, replay_safe: bool, call: Callable[[], Awaitable[T]]) -> T:
        import tenacity

        from airflow_provider_peerclick.hooks._retries import retry_policy

        result: T = await tenacity.AsyncRetrying(**retry_policy(self.settings, replay_safe=replay_safe))(call)
        return result

    async def _asend(self, call: Call) -> dict[str, Any]:
        """``_send`` for a coroutine: the token is renewed before queueing, and again if it lapses in the
        queue."""
        from airflow_provider_peerclick.hooks._async_transport import send

        settings = self.settings
        budget = self._admit(call.path)
        rounds = TokenRounds(settings.credential, authenticated=call.authenticated)
        for sent_with in rounds:
            if rounds.needs_token():
                await self._asession_token()
            pace = partial(self._apace, budget, call.path, sent_with)
            try:
                return await send(self._aclient(), call, settings.base_url, pace=pace)
            except TokenLapsed:
                rounds.lapsed()
            except PeerClickAuthError:
                await self._shared_tokens().aforget(*refused(settings.credential, sent_with))
                raise
        raise self._lapsed_too_often(call.method, call.path)

    @asynccontextmanager
    async def _apace(
        self, budget: RateBudget, path: str, sent_with: list[SessionToken] | None
    ) -> AsyncIterator[str | None]:
        async with AsyncExitStack() as places:
            for pacer in budget.pacers(path):  # the report budget first, as in ``_pace``
                await places.enter_async_context(pacer.aslot())
            yield self._token_to_send(sent_with)

    async def _asession_token(self) -> SessionToken:
        return await tokens.aget(self.settings.credential, self._ashared_or_new_token)

    async def _ashared_or_new_token(self) -> SessionToken:
        token = await self._shared_tokens().aget(self._afetch_token)
        mask_secret(token.value)
        return token

    async def _afetch_token(self) -> SessionToken:
        call = partial(self._asend, Call("POST", AUTH_PATH, json=self._auth_body(), authenticated=False))
        try:
            answer = await self._aretrying(replay_safe=True, call=call)
        except PeerClickAuthError as exc:
            raise self._key_refused(exc) from None
        return self._token_from(answer)

    def _aclient(self) -> httpx.AsyncClient:
        if self._async_client is None:
            from airflow_provider_peerclick.hooks._async_transport import async_client

            settings = self.settings
            self._async_client = async_client(
                verify=settings.verify,
                timeout=(settings.connect_timeout, settings.read_timeout),
                user_agent=f"airflow-provider-peerclick/{__version__}",
            )
        return self._async_client
