"""PeerClickHook: the one place that talks to the PeerClick API."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar, Unpack
from urllib.parse import urlsplit

import pendulum

from airflow_provider_peerclick import __version__
from airflow_provider_peerclick.assets import report_uri
from airflow_provider_peerclick.exceptions import (
    PeerClickAuthError,
    PeerClickError,
    PeerClickInvalidArgumentError,
    PeerClickTransportError,
)
from airflow_provider_peerclick.hooks import _arguments as arguments
from airflow_provider_peerclick.hooks._async_calls import AsyncCalls
from airflow_provider_peerclick.hooks._budget import REPORT_PATH, RateBudget, is_report_path
from airflow_provider_peerclick.hooks._call_parts import (
    AUTH_PATH,
    DEFAULT_TOKEN_LIFETIME,
    MAX_TOKEN_ROUNDS,
    TOKEN_REPLAYS,
    Call,
    TokenLapsed,
    TokenRounds,
    checked_request,
    expiry,
    field,
    refused,
    report_page,
)
from airflow_provider_peerclick.hooks._connection import PeerClickSettings
from airflow_provider_peerclick.hooks._deployment import local_store_url
from airflow_provider_peerclick.hooks._form import form_widgets, ui_field_behaviour
from airflow_provider_peerclick.hooks._report_answers import ReportPage, ReportSummary
from airflow_provider_peerclick.hooks._report_query import (
    PagedReportArguments,
    ReportArguments,
    ReportQuery,
    wire_time,
)
from airflow_provider_peerclick.hooks._secrets import mask_secret
from airflow_provider_peerclick.hooks._task_pools import TaskPool, running_task_pool
from airflow_provider_peerclick.hooks._tokens import SessionToken, tokens
from airflow_provider_peerclick.version_compat import BaseHook, aget_connection, get_hook_lineage_collector

if TYPE_CHECKING:
    import requests

    from airflow_provider_peerclick.hooks._shared_tokens import SharedTokens

# The report's types belong to this module's public names; they live apart so DAG files can build queries
# without importing requests, tenacity or the stores (those load when a hook first sends).
__all__ = ["PeerClickHook", "ReportPage", "ReportQuery", "ReportSummary", "wire_time"]

T = TypeVar("T")


class PeerClickHook(BaseHook, AsyncCalls):
    """
    Talk to the PeerClick API with an access key: session tokens, throttling, retries and paging.

    :param peerclick_conn_id: Airflow connection of type ``peerclick``: login = access key ID,
        password = access key, host = base URL (default ``https://api.peerclick.com/v1``).
    :param requests_per_second: override the connection's rate for all requests: this process's budget,
        or the account's with a shared ``rate_limit_store``.
    :param report_requests_per_second: the same for ``/report``.
    :param pool_slots: the pool slots the calling task holds: without a store the process budget is this
        many times the connection's per-slot rate. Default: the running task's ``pool_slots``, else 1.
    :param check_pool: inside an Airflow task, refuse to run unless the task is in one of this
        connection's PeerClick pools (the pools are what keeps a deployment under PeerClick's limits).
        Set False only when something else bounds how many such tasks run at once.
    """

    conn_name_attr = "peerclick_conn_id"
    default_conn_name = "peerclick_default"
    conn_type = "peerclick"
    hook_name = "PeerClick"

    def __init__(
        self,
        peerclick_conn_id: str = default_conn_name,
        *,
        requests_per_second: float | None = None,
        report_requests_per_second: float | None = None,
        pool_slots: int | None = None,
        check_pool: bool = True,
    ) -> None:
        super().__init__()
        self.peerclick_conn_id = peerclick_conn_id
        for name, rate in (
            ("requests_per_second", requests_per_second),
            ("report_requests_per_second", report_requests_per_second),
        ):
            if rate is not None and (
                isinstance(rate, bool) or not isinstance(rate, int | float) or not rate > 0
            ):
                raise PeerClickInvalidArgumentError(f"{name}: got {rate!r}; allowed: a positive number")
        if pool_slots is not None and (
            isinstance(pool_slots, bool) or not isinstance(pool_slots, int) or pool_slots < 1
        ):
            raise PeerClickInvalidArgumentError(
                f"pool_slots: got {pool_slots!r}; allowed: a positive integer"
            )
        if not isinstance(check_pool, bool):
            raise PeerClickInvalidArgumentError(f"check_pool: got {check_pool!r}; allowed: True or False")
        self._rates = (requests_per_second, report_requests_per_second)
        self._pool_slots = pool_slots
        self._check_pool = check_pool
        self._settings: PeerClickSettings | None = None
        self._budget: RateBudget | None = None
        self._task_pool: TaskPool | None = None
        self._session: requests.Session | None = None

    # -- connection -------------------------------------------------------------------------------

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """The connection form's standard fields, for Airflow 3.0 and 3.1 (3.2+ reads the provider info)."""
        return ui_field_behaviour()

    @classmethod
    def get_connection_form_widgets(cls) -> dict[str, Any]:
        """The connection form's extras, for Airflow 3.0 and 3.1 (3.2+ reads the provider info)."""
        return form_widgets()

    @property
    def settings(self) -> PeerClickSettings:
        """The connection's settings, read once per hook."""
        if self._settings is None:
            self.use_connection(self.get_connection(self.peerclick_conn_id))
        assert self._settings is not None
        return self._settings

    def use_connection(self, conn: Any) -> None:
        """Take settings from an already fetched Connection (triggers fetch it with ``aload_connection``)."""
        settings = PeerClickSettings.from_connection(conn)
        mask_secret(settings.access_key)
        store_password = urlsplit(settings.rate_limit_store or "").password
        if store_password:
            mask_secret(store_password)
        self._settings = settings

    @property
    def budget(self) -> RateBudget:
        """The rate budget this hook spends, computed once: from the connection (per-slot rates, or the
        store and the account's rates), the pool slots (given, else the running task's, else 1) and the
        rates given to the hook. Triggers get the same from the slots their sensor holds."""
        if self._budget is None:
            self._task_pool = running_task_pool()
            slots = self._pool_slots or (self._task_pool.slots if self._task_pool else 1)
            rate, report_rate = self._rates
            self._budget = RateBudget.for_task(
                self.settings,
                pool_slots=slots,
                requests_per_second=rate,
                report_requests_per_second=report_rate,
            )
            self.log.debug("PeerClick rate budget: %s", self._budget.describe())
        return self._budget

    def _admit(self, path: str) -> RateBudget:
        """The budget for a request to ``path``, once the running task's pool may spend it."""
        budget = self.budget
        if self._check_pool and self._task_pool is not None:
            reports = is_report_path(path)
            self._task_pool.check(self.peerclick_conn_id, shared_budget=budget.shared, reports=reports)
        return budget

    async def aload_connection(self) -> None:
        """Fetch the connection without blocking the event loop (for triggers)."""
        self.use_connection(await aget_connection(self, self.peerclick_conn_id))

    def get_conn(self) -> requests.Session:
        """A ``requests`` session for the connection's API, with its TLS settings (the token is added per
        request)."""
        if self._session is None:
            from airflow_provider_peerclick.hooks._transport import TokenSafeSession

            session = TokenSafeSession()
            session.verify = self.settings.verify
            session.headers.update(
                {"Accept": "application/json", "User-Agent": f"airflow-provider-peerclick/{__version__}"}
            )
            self._session = session
        return self._session

    def test_connection(self) -> tuple[bool, str]:
        """The connection form's *Test*: exchange the key for a token; ``(ok, message)``, never the key."""
        try:
            self._fetch_token()
        except PeerClickError as exc:
            return False, str(exc)
        return True, f"Connected to {self.settings.base_url}: PeerClick accepted the access key."

    # -- tokens -----------------------------------------------------------------------------------

    def get_token(self) -> str:
        """A session token for the connection's access key, shared by the process until near expiry."""
        return self._session_token().value

    def _session_token(self) -> SessionToken:
        return tokens.get(self.settings.credential, self._shared_or_new_token)

    def _shared_or_new_token(self) -> SessionToken:
        token = self._shared_tokens().get(self._fetch_token)
        mask_secret(token.value)  # this process may not have exchanged it, so not masked it yet
        return token

    def _shared_tokens(self) -> SharedTokens:
        """Tokens shared through the connection's store, else through this host's folder: one exchange
        per account and host (or deployment) per token lifetime, whatever the budget's mode."""
        from airflow_provider_peerclick.hooks._shared_tokens import SharedTokens

        return SharedTokens(self.settings.rate_limit_store or local_store_url(), self.settings)

    def _fetch_token(self) -> SessionToken:
        call = partial(self._send, Call("POST", AUTH_PATH, json=self._auth_body(), authenticated=False))
        try:
            answer = self._retrying(replay_safe=True, call=call)
        except PeerClickAuthError as exc:
            raise self._key_refused(exc) from None
        return self._token_from(answer)

    def _auth_body(self) -> dict[str, Any]:
        settings = self.settings
        body: dict[str, Any] = {"accessId": settings.access_id, "accessKey": settings.access_key}
        if settings.token_lifetime:
            body["lifetime"] = settings.token_lifetime
        return body

    def _key_refused(self, exc: PeerClickAuthError) -> PeerClickAuthError:
        return PeerClickAuthError(
            exc.status,
            exc.method,
            exc.path,
            f"{exc.description or 'refused'} (check the access key ID and access key of "
            f"connection {self.settings.conn_id!r}; keys deleted in PeerClick stop working)",
        )

    def _token_from(self, answer: dict[str, Any]) -> SessionToken:
        """The session token in the auth call's answer, masked before anything could log it."""
        settings = self.settings
        token = answer.get("token")
        if not isinstance(token, str) or not token:
            raise PeerClickTransportError(
                "POST", AUTH_PATH, "the answer holds no token", may_have_reached_server=True
            )
        mask_secret(token)
        lifetime = float(settings.token_lifetime or DEFAULT_TOKEN_LIFETIME)
        expires_at = expiry(answer.get("expirationTimestamp"), default=time.time() + lifetime)
        self.log.info("Got a PeerClick session token valid until %s", pendulum.from_timestamp(expires_at))
        return SessionToken(token, expires_at, lifetime=max(1.0, expires_at - time.time()))

    # -- requests ---------------------------------------------------------------------------------

    def request(
        self, method: str, path: str, params: Mapping[str, Any] | None = None, json: Any = None
    ) -> dict[str, Any]:
        """
        Send an authenticated request and return the JSON object PeerClick answered.

        Throttled to the process budget, retried on refusals, 5xx and lost connections (creates are not
        replayed once they may have reached PeerClick), and replayed once with a new token on 401.
        """
        method, query = checked_request(method, path, params, json)
        call = partial(self._send, Call(method, path, query, json))
        for _ in range(TOKEN_REPLAYS):
            try:
                return self._retrying(replay_safe=method != "POST", call=call)
            except PeerClickAuthError as exc:
                if exc.path == AUTH_PATH:
                    raise  # the key itself was refused: no new token can help
                # _send dropped the refused token, so this exchanges a new one before sending again.
                self.log.info("PeerClick refused the session token; getting a new one and trying again")
        return self._retrying(replay_safe=method != "POST", call=call)

    def _retrying(self, *, replay_safe: bool, call: Callable[[], T]) -> T:
        import tenacity

        from airflow_provider_peerclick.hooks._retries import retry_policy

        return tenacity.Retrying(**retry_policy(self.settings, replay_safe=replay_safe))(call)

    def _send(self, call: Call) -> dict[str, Any]:
        """Send within the budget, each hop with the token that is fresh when its place comes.

        A token taken before the wait could expire during it (a long queue, a short ``token_lifetime``).
        The exchange happens before queueing, taking its own place; should the token still lapse during
        the wait, the request exchanges again and queues again.
        """
        from airflow_provider_peerclick.hooks._transport import send

        settings = self.settings
        budget = self._admit(call.path)
        rounds = TokenRounds(settings.credential, authenticated=call.authenticated)
        for sent_with in rounds:
            if rounds.needs_token():
                self._session_token()
            self.log.debug("PeerClick %s %s %s", call.method, call.path, call.params or "")
            try:
                return send(
                    self.get_conn(), call, settings, pace=partial(self._pace, budget, call.path, sent_with)
                )
            except TokenLapsed:
                rounds.lapsed()
            except PeerClickAuthError:
                self._shared_tokens().forget(*refused(settings.credential, sent_with))
                raise
        raise self._lapsed_too_often(call.method, call.path)

    def _lapsed_too_often(self, method: str, path: str) -> PeerClickAuthError:
        return PeerClickAuthError(
            401,
            method,
            path,
            f"{MAX_TOKEN_ROUNDS} session tokens in a row expired before any request could be sent "
            "with them; raise the connection's token_lifetime "
            f"(now {self.settings.token_lifetime or DEFAULT_TOKEN_LIFETIME} s)",
        )

    @contextmanager
    def _pace(
        self, budget: RateBudget, path: str, sent_with: list[SessionToken] | None
    ) -> Iterator[str | None]:
        """A place in each budget the request counts against, held until its answer is back; gives the
        token to send (``sent_with`` collects it), taken only once the place is this request's."""
        with ExitStack() as places:
            # The report budget first: waiting for it must not sit on a place in the account's window.
            for pacer in budget.pacers(path):
                places.enter_context(pacer.slot())
            yield self._token_to_send(sent_with)

    def _token_to_send(self, sent_with: list[SessionToken] | None) -> str | None:
        """The token a request that has its places leaves with (None: unauthenticated), noted in
        ``sent_with``; a token that lapsed during the wait sends the request back to the queue."""
        if sent_with is None:
            return None
        token = tokens.peek(self.settings.credential)
        if token is None:
            raise TokenLapsed
        sent_with.append(token)
        tokens.count_send(self.settings.credential)
        return token.value

    # -- reports ----------------------------------------------------------------------------------

    def iter_report_pages(self, **given: Unpack[PagedReportArguments]) -> Iterator[ReportPage]:
        """
        Pages of a report, fetched lazily; arguments are checked now, before anything is sent.

        Takes ``query``, a ``ReportQuery``, or its arguments: ``start``, ``end`` (exclusive), ``group_by``,
        and optionally ``columns``, ``tz`` and ``filters`` (group-by name to ID or code); and ``page_size``.
        """
        query, size = _report_query(given, "iter_report_pages")
        self._reads(query)
        return self._pages(query.params(), size)

    def _reads(self, query: ReportQuery) -> None:
        # Hook-level lineage: a @task that reads a report with the hook gets it as its input (Airflow's
        # collector is a no-op unless a reader, such as the OpenLineage provider, is installed).
        host, access_id = self.settings.account
        get_hook_lineage_collector().add_input_asset(
            context=self, uri=report_uri(host, access_id, query.group_by)
        )

    def _pages(self, params: dict[str, str], size: int) -> Iterator[ReportPage]:
        offset, expected = 0, None
        while True:
            answer = self.request("GET", REPORT_PATH, params={**params, "limit": size, "offset": offset})
            page = report_page(answer, offset)
            if expected is not None and page.total_rows != expected:
                raise PeerClickError(
                    f"The report changed while it was being read ({expected} rows, then {page.total_rows}); "
                    "rows may have been missed, so nothing is returned as complete. Try again later."
                )
            expected = page.total_rows
            yield page
            offset += len(page.rows)
            if offset >= page.total_rows:
                return
            if not page.rows:
                raise PeerClickError(
                    f"The report ended at row {offset} of the {page.total_rows} PeerClick announced."
                )

    def iter_report(self, **given: Unpack[PagedReportArguments]) -> Iterator[dict[str, Any]]:
        """
        Rows of a report as dicts, one page in memory at a time.

        Takes ``query``, a ``ReportQuery``, or its arguments: ``start``, ``end`` (exclusive), ``group_by``,
        and optionally ``columns``, ``tz`` and ``filters`` (group-by name to ID or code); and ``page_size``.
        """
        query, size = _report_query(given, "iter_report")
        self._reads(query)
        return (row for page in self._pages(query.params(), size) for row in page.rows)

    def get_report_summary(self, **given: Unpack[ReportArguments]) -> ReportSummary:
        """Row count and totals of a report (``query`` or its arguments), from one request for a one-row
        page."""
        query, _ = _report_query(given, "get_report_summary", paged=False)
        self._reads(query)
        page = next(self._pages(query.params(), 1))
        return ReportSummary(total_rows=page.total_rows, totals=page.totals)

    def get_report_totals(self, **given: Unpack[ReportArguments]) -> dict[str, Any]:
        """The report's totals (ratio columns recomputed by PeerClick from the summed inputs)."""
        query, _ = _report_query(given, "get_report_totals", paged=False)
        return self.get_report_summary(query=query).totals

    # -- campaigns and offers ---------------------------------------------------------------------

    def list_campaigns(self) -> list[dict[str, Any]]:
        """Every campaign, as PeerClick returns them (``GET /campaign``)."""
        return self._list("campaign")

    def get_campaign(self, campaign_id: int) -> dict[str, Any]:
        """One campaign by ID (``GET /campaign/{id}``)."""
        return self._get("campaign", campaign_id)

    def create_campaign(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Create a campaign; never sent twice, so a lost answer cannot leave a duplicate."""
        return self._create("campaign", body)

    def update_campaign(self, campaign_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
        """Replace a campaign's fields with ``body`` (``PUT /campaign/{id}``); returns the campaign."""
        return self._update("campaign", campaign_id, body)

    def list_offers(self) -> list[dict[str, Any]]:
        """Every offer, as PeerClick returns them (``GET /offer``)."""
        return self._list("offer")

    def get_offer(self, offer_id: int) -> dict[str, Any]:
        """One offer by ID (``GET /offer/{id}``)."""
        return self._get("offer", offer_id)

    def create_offer(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Create an offer; never sent twice, so a lost answer cannot leave a duplicate."""
        return self._create("offer", body)

    def update_offer(self, offer_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
        """Replace an offer's fields with ``body`` (``PUT /offer/{id}``); returns the updated offer."""
        return self._update("offer", offer_id, body)

    def _list(self, kind: str) -> list[dict[str, Any]]:
        return field(self.request("GET", f"/{kind}"), f"{kind}s", list, "GET", f"/{kind}")

    def _get(self, kind: str, entity_id: Any) -> dict[str, Any]:
        path = f"/{kind}/{arguments.positive_id(entity_id, f'{kind}_id')}"
        return field(self.request("GET", path), kind, dict, "GET", path)

    def _create(self, kind: str, body: Any) -> dict[str, Any]:
        answer = self.request("POST", f"/{kind}", json=arguments.entity_body(body))
        return field(answer, kind, dict, "POST", f"/{kind}")

    def _update(self, kind: str, entity_id: Any, body: Any) -> dict[str, Any]:
        path = f"/{kind}/{arguments.positive_id(entity_id, f'{kind}_id')}"
        return field(self.request("PUT", path, json=arguments.entity_body(body)), kind, dict, "PUT", path)


def _report_query(
    arguments_given: Mapping[str, Any], caller: str, *, paged: bool = True
) -> tuple[ReportQuery, int]:
    """What a report method was given, ``query`` or the query's arguments, as a ``ReportQuery``, and the
    page size (the default one where the method does not page)."""
    given = dict(arguments_given)
    # A summary reads a one-row page, so it takes every report argument but the page size.
    allowed = arguments.PAGED_REPORT_ARGUMENTS if paged else arguments.REPORT_ARGUMENTS
    if "query" not in given:
        arguments.report_keywords(given, caller, allowed=allowed)
        size = arguments.page_size(given.pop("page_size", None))
        return ReportQuery.build(**given), size
    query = given.pop("query")
    if not isinstance(query, ReportQuery):
        raise PeerClickInvalidArgumentError(
            f"query: got {query!r}; allowed: a ReportQuery, e.g. ReportQuery.build(start=..., end=..., "
            "group_by=...)"
        )
    for name in given:
        if name != "page_size" or not paged:
            raise PeerClickInvalidArgumentError(
                f"{caller}(query=..., {name}=...): got {given[name]!r}; allowed: the query alone"
                + (", and page_size" if paged else "")
            )
    return query, arguments.page_size(given.get("page_size"))
