"""Every bad input gets a clear error naming what was wrong and what is allowed, before any request.

One table: each row is a way to get an argument, a connection field or an extra wrong, the fragment its
error must contain, and the proof that nothing was sent (the emulator counts every request it receives).
A crash (TypeError, AttributeError...) or a silently accepted value fails its row.
"""

from __future__ import annotations

import json
import math
import traceback
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from airflow.exceptions import AirflowNotFoundException
from airflow.sdk import BaseOperator

from airflow_provider_peerclick import get_provider_info
from airflow_provider_peerclick.exceptions import PeerClickError
from airflow_provider_peerclick.hooks._arguments import REPORT_ARGUMENTS
from airflow_provider_peerclick.hooks._tokens import tokens
from airflow_provider_peerclick.hooks.peerclick import PeerClickHook
from airflow_provider_peerclick.operators import entities as operators_entities
from airflow_provider_peerclick.operators import report as operators_report
from airflow_provider_peerclick.operators.entities import (
    PeerClickCreateCampaignOperator,
    PeerClickCreateOfferOperator,
    PeerClickGetCampaignOperator,
    PeerClickGetOfferOperator,
    PeerClickListCampaignsOperator,
    PeerClickListOffersOperator,
    PeerClickUpdateCampaignOperator,
    PeerClickUpdateOfferOperator,
)
from airflow_provider_peerclick.operators.report import (
    PeerClickReportOperator,
    PeerClickReportToStorageOperator,
)
from airflow_provider_peerclick.sensors import entities as sensors_entities
from airflow_provider_peerclick.sensors import report as sensors_report
from airflow_provider_peerclick.sensors.entities import PeerClickCampaignSensor, PeerClickOfferSensor
from airflow_provider_peerclick.sensors.report import PeerClickReportSensor

from ..compat import HOOKS_SEE_ANY_EXTRA

DAY = {"start": "2026-11-19", "end": "2026-11-20", "group_by": "campaign"}
Call = Callable[[PeerClickHook], Any]
Row = tuple[str, dict[str, Any], Call, str]  # id, connection changes, what to call, error fragment
rows: list[Row] = []


def row(case_id: str, call: Call, fragment: str, **connection: Any) -> None:
    rows.append((case_id, connection, call, fragment))


def report(**changes: Any) -> Call:
    return lambda hook: hook.get_report_summary(**{**DAY, **changes})


def rows_of(**changes: Any) -> Call:
    return lambda hook: next(iter(hook.iter_report(**{**DAY, **changes})))


def task(make: Callable[[], Any]) -> Call:
    call = lambda hook: make()  # noqa: E731 - tagged below
    call.builds_task = True  # type: ignore[attr-defined]
    return call


def _tasks_refused() -> list[Any]:
    """The task each task row was building when it was refused, from the frames of its error."""
    built = []
    for _, _, call, _ in rows:
        if not getattr(call, "builds_task", False):
            continue
        try:
            call(None)
        except PeerClickError as error:
            frames = traceback.walk_tb(error.__traceback__)
            selves = [frame.f_locals.get("self") for frame, _ in frames]
            built += [task for task in selves if isinstance(task, BaseOperator)][:1]
    return built


# -- report arguments, through the hook's three report methods -----------------------------------
BAD_REPORT = [
    ("group_by", "campain", "allowed: campaign, offer, traffic-source"),
    ("group_by", "week", "allowed: campaign"),
    ("group_by", None, "group_by: got None"),
    ("group_by", 123, "group_by: got 123"),
    ("group_by", "", "group_by: got ''"),
    ("group_by", "Campaign", "group_by: got 'Campaign'"),
    ("group_by", ["campaign"], "group_by: got ['campaign']"),
    ("start", "yesterday", "start: got 'yesterday'"),
    ("start", "2026-11-19T05:30:00", "on a whole hour"),
    ("start", "2026-13-01", "start: got '2026-13-01'"),
    ("start", "2026-02-30", "start: got '2026-02-30'"),
    ("start", None, "start: got None"),
    ("start", 20261119, "start: got 20261119"),
    ("start", 1.5, "start: got 1.5"),
    ("start", "", "start: got ''"),
    ("start", "2026-11-19T05:00:00.5", "on a whole hour"),
    ("end", "2026-11-19", "a time after start"),
    ("end", "2026-11-18", "a time after start"),
    ("end", "tomorrow", "end: got 'tomorrow'"),
    ("end", "2026-11-20T00:15:00", "on a whole hour"),
    ("end", [], "end: got []"),
    ("tz", "Mars/Olympus", "tz: got 'Mars/Olympus'"),
    ("tz", 5, "tz: got 5"),
    ("tz", "", "tz: got ''"),
    ("tz", ["UTC"], "tz: got ['UTC']"),
    ("tz", "+05:00", "tz: got '+05:00'"),
    ("columns", 123, "columns: got 123"),
    ("columns", {"visits": 1}, "columns: got {'visits': 1}"),
    ("columns", ["visits", "views"], "columns: got 'views'"),
    ("columns", [], "a non-empty subset"),
    ("columns", "", "columns: got ''"),
    ("columns", "visits,,cost", "columns: got ''"),
    ("columns", [1, 2], "columns: got 1"),
    ("columns", "VISITS", "columns: got 'VISITS'"),
    ("columns", {"visits"}, "columns: got {'visits'}"),
    ("filters", {"campaign": -5}, "a positive integer ID"),
    ("filters", {"campaign": 0}, "a positive integer ID"),
    ("filters", {"campaign": "abc"}, "a positive integer ID"),
    ("filters", {"campaign": 1.5}, "a positive integer ID"),
    ("filters", {"campaign": True}, "a positive integer ID"),
    ("filters", {"offer": None}, "a positive integer ID"),
    ("filters", {"traffic-source": ""}, "a positive integer ID"),
    ("filters", {"country": "ZZZ"}, "ISO 3166-1 alpha-2"),
    ("filters", {"country": "ZZ"}, "ISO 3166-1 alpha-2"),
    ("filters", {"country": 840}, "ISO 3166-1 alpha-2"),
    ("filters", {"country": "USA"}, "ISO 3166-1 alpha-2"),
    ("filters", {"day": "monday"}, "a date such as"),
    ("filters", {"hour-of-day": 24}, "from 0 to 23"),
    ("filters", {"hour-of-day": -1}, "from 0 to 23"),
    ("filters", {"hour-of-day": "noon"}, "from 0 to 23"),
    ("filters", {"week": 1}, "filters: got 'week'"),
    ("filters", [("campaign", 1)], "a mapping of group-by name"),
    ("filters", "campaign=1", "a mapping of group-by name"),
]
for name, value, fragment in BAD_REPORT:
    row(f"summary-{name}={value!r}", report(**{name: value}), fragment)
for name, value, fragment in BAD_REPORT[::3]:
    row(f"rows-{name}={value!r}", rows_of(**{name: value}), fragment)
    row(
        f"totals-{name}={value!r}",
        lambda hook, n=name, v=value: hook.get_report_totals(**{**DAY, n: v}),
        fragment,
    )

for size in (0, -1, 10_001, 2.5, "100", True, "ten"):
    row(f"page_size={size!r}", rows_of(page_size=size), "page_size: got")
row("iter_report-unknown-argument", rows_of(bogus=1), "iter_report(bogus=...)")
row("iter_report-typo", rows_of(group=1), "iter_report(group=...)")
row(
    "iter_report-missing-end",
    lambda hook: hook.iter_report(start="2026-11-19", group_by="day"),
    "missing end",
)
row("summary-page_size", report(page_size=5), "get_report_summary(page_size=...)")
row(
    "totals-page_size", lambda hook: hook.get_report_totals(**DAY, page_size=5), "get_report_totals(page_size"
)
row("summary-missing-all", lambda hook: hook.get_report_summary(), "missing start, end, group_by")
row("pages-unknown", lambda hook: next(hook.iter_report_pages(**DAY, colums=["visits"])), "colums")

# -- entities ----------------------------------------------------------------------------------------
for value in (0, -3, "abc", "", None, 1.5, True, [1], "1.0", " ", "-7"):
    row(f"get_campaign({value!r})", lambda hook, v=value: hook.get_campaign(v), "campaign_id: got")
    row(
        f"update_offer({value!r})", lambda hook, v=value: hook.update_offer(v, {"name": "x"}), "offer_id: got"
    )
for body in (None, {}, [], "name=x", 5, [("name", "x")]):
    row(f"create_campaign({body!r})", lambda hook, b=body: hook.create_campaign(b), "body: got")
    row(f"update_campaign(1, {body!r})", lambda hook, b=body: hook.update_campaign(1, b), "body: got")

# -- request() --------------------------------------------------------------------------------------
row("request-params-text", lambda hook: hook.request("GET", "/offer", params="x=1"), "params: got 'x=1'")
row("request-params-list", lambda hook: hook.request("GET", "/offer", params=[("x", 1)]), "params: got")
row(
    "request-params-nested", lambda hook: hook.request("GET", "/offer", params={"x": {"y": 1}}), "params: got"
)
row("request-json-object", lambda hook: hook.request("POST", "/offer", json=object()), "json: got")
row("request-json-nan", lambda hook: hook.request("POST", "/offer", json={"v": math.nan}), "json: got")
row("request-json-set", lambda hook: hook.request("POST", "/offer", json={1, 2}), "json: got")
row("request-method", lambda hook: hook.request("FETCH", "/offer"), "method: got 'FETCH'")
row("request-method-none", lambda hook: hook.request(None, "/offer"), "method: got None")
row("request-path-url", lambda hook: hook.request("GET", "http://evil/offer"), "path: got")
row("request-path-relative", lambda hook: hook.request("GET", "offer"), "path: got 'offer'")
row("request-path-none", lambda hook: hook.request("GET", None), "path: got None")

# -- the hook's own arguments -------------------------------------------------------------------------
for value in (math.nan, math.inf, -1, 0, "fast", True):
    row(
        f"hook-rate={value!r}",
        lambda hook, v=value: PeerClickHook(requests_per_second=v).list_offers(),
        "requests_per_second: got",
    )
for value in (0, -2, 1.5, "2", True):
    row(
        f"hook-pool_slots={value!r}",
        lambda hook, v=value: PeerClickHook(pool_slots=v).list_offers(),
        "pool_slots: got",
    )
row("hook-check_pool-text", lambda hook: PeerClickHook(check_pool="no").list_offers(), "check_pool: got 'no'")
row(
    "hook-report-rate-inf",
    lambda hook: PeerClickHook(report_requests_per_second=math.inf).list_offers(),
    "report_requests_per_second: got inf",
)

# -- connection fields and extras ---------------------------------------------------------------------
FIELDS = [
    ({"login": ""}, "login (Access key ID) is empty"),
    ({"login": "   "}, "login (Access key ID) is empty"),
    ({"password": ""}, "password (Access key) is empty"),
    ({"conn_type": "http"}, "conn_type is 'http'"),
    ({"host": "not a url"}, "host (Base URL)"),
    ({"host": "http://127.0.0.1:99999/v1"}, "host (Base URL)"),
    ({"host": "ftp://127.0.0.1/v1"}, "host (Base URL)"),
    ({"host": "http://u:pw@127.0.0.1:1/v1"}, "host (Base URL)"),
    ({"host": "http:///v1"}, "host (Base URL)"),
    ({"host": "https://exa mple.com/v1"}, "host (Base URL)"),
]
for changes, fragment in FIELDS:
    row(f"connection-{changes!r}", lambda hook: hook.list_offers(), fragment, **changes)

EXTRAS: list[tuple[Any, str]] = [
    ("not json", "not valid JSON"),
    ([1, 2], "extra must be a JSON object, got a list"),
    ("42", "extra must be a JSON object, got a int"),
    ({"request_per_second": 1}, "'request_per_second' is not a PeerClick setting"),
    ({"timeout": 5}, "'timeout' is not a PeerClick setting"),
    ({"api_version": "v2"}, "'api_version' must be one of v1, v1_1"),
    ({"token_lifetime": 1.5}, "'token_lifetime' must be an integer"),
    ({"token_lifetime": 0}, "'token_lifetime' must be an integer"),
    ({"token_lifetime": 10**9}, "'token_lifetime' must be an integer"),
    ({"token_lifetime": "day"}, "'token_lifetime' must be an integer"),
    ({"connect_timeout": -1}, "'connect_timeout' must be a number"),
    ({"connect_timeout": "nan"}, "'connect_timeout' must be a number"),
    ({"connect_timeout": 1e9}, "'connect_timeout' must be a number"),
    ({"read_timeout": 0}, "'read_timeout' must be a number"),
    ({"read_timeout": True}, "'read_timeout' must be a number"),
    ({"read_timeout": "inf"}, "'read_timeout' must be a number"),
    ({"verify": "maybe"}, "path of a CA bundle that exists"),
    ({"verify": 1}, "extra 'verify' must be true, false"),
    ({"verify": ""}, "extra 'verify' must be true, false"),
    ({"verify": None}, "extra 'verify' must be true, false"),
    ({"ca_bundle": "/no/such/bundle.pem"}, "extra 'ca_bundle' must be the path of a CA bundle"),
    ({"ca_bundle": "/", "verify": False}, "'verify' is false, which would ignore it"),
    ({"ca_bundle": "/", "verify": "/"}, "keep one of them"),
    ({"max_attempts": 1.5}, "'max_attempts' must be an integer"),
    ({"max_attempts": 0}, "'max_attempts' must be an integer"),
    ({"max_attempts": 1000}, "'max_attempts' must be an integer"),
    ({"max_attempts": "six"}, "'max_attempts' must be an integer"),
    ({"max_retry_seconds": 1e12}, "'max_retry_seconds' must be a number"),
    ({"max_retry_seconds": -5}, "'max_retry_seconds' must be a number"),
    ({"requests_per_second": 0.5}, "'rate_limit_store' to a Redis URL"),
    ({"requests_per_second": 1e-6}, "a whole number from 1 to 3"),
    ({"requests_per_second": 4}, "a whole number from 1 to 3"),
    ({"requests_per_second": "nan"}, "a whole number from 1 to 3"),
    ({"requests_per_second": True}, "a whole number from 1 to 3"),
    ({"report_requests_per_second": 1.5}, "must be 1"),
    ({"report_requests_per_second": 0.5}, "must be 1"),
    ({"report_requests_per_second": 2}, "must be 1"),
    ({"rate_limit_store": "http://127.0.0.1:6379"}, "must be a Redis URL"),
    ({"rate_limit_store": 6379}, "must be a Redis URL"),
    ({"rate_limit_store": "redis://127.0.0.1:1", "requests_per_second": 1}, "account_requests_per_second"),
    ({"rate_limit_store": "redis://127.0.0.1:1", "account_requests_per_second": 4}, "to 3"),
    ({"rate_limit_store": "redis://127.0.0.1:1", "account_report_requests_per_second": 2}, "to 1"),
    ({"rate_limit_store": "redis://127.0.0.1:1", "account_requests_per_second": 0.001}, "from 0.05"),
    ({"campaign_link": "panel.example/c/{id}"}, "extra 'campaign_link' must be an http(s) URL template"),
    ({"campaign_link": 7}, "extra 'campaign_link' must be an http(s) URL template"),
    ({"offer_link": "https://panel.example/o/{offer_id}"}, "uses {offer_id}; allowed: {id}"),
    ({"offer_link": "https://panel.example/o/{id"}, "is not a URL template"),
    (
        {"report_link": "https://panel.example/r?from={from}&g={group_by}"},
        "uses {from}; allowed: {group_by}, {start}, {end}, {start_date}, {end_date}, {tz}",
    ),
    ({"report_link": "https://panel.example/r/{0}"}, "uses {0}; allowed"),
]
for extra, fragment in EXTRAS:
    row(f"extra-{extra!r}", lambda hook: hook.list_offers(), fragment, extra=extra)
row(
    "store-down",
    lambda hook: hook.list_offers(),
    "rate-limit store did not answer",
    extra={"rate_limit_store": "redis://127.0.0.1:1/0", "max_retry_seconds": 0.5},
)

# -- tasks, when the DAG is parsed ---------------------------------------------------------------------
REPORT_TASKS = (PeerClickReportOperator, PeerClickReportSensor)
for kind in REPORT_TASKS:
    for name, value, fragment in BAD_REPORT[1::2]:
        if (name == "end" and value in ("2026-11-19", "2026-11-18")) or value is None:
            continue  # an end needs its start (below); None means the run's data interval
        args = {"group_by": "campaign", name: value}
        row(f"{kind.__name__}-{name}={value!r}", task(lambda k=kind, a=args: k(task_id="t", **a)), fragment)
    row(
        f"{kind.__name__}-end-before-start",
        task(lambda k=kind: k(task_id="t", **{**DAY, "end": "2026-11-18"})),
        "a time after start",
    )
row(
    "report-include_rows",
    task(lambda: PeerClickReportOperator(task_id="t", group_by="day", include_rows="yes")),
    "include_rows: got 'yes'",
)
row(
    "report-max_rows",
    task(lambda: PeerClickReportOperator(task_id="t", group_by="day", max_rows=0)),
    "max_rows: got 0",
)
row(
    "report-conn-none",
    task(lambda: PeerClickReportOperator(task_id="t", group_by="day", peerclick_conn_id=None)),
    "peerclick_conn_id: got None",
)
row("sensor-poke", task(lambda: PeerClickReportSensor(task_id="t", poke_interval=1)), "poke_interval: got 1")
row(
    "sensor-deferrable",
    task(lambda: PeerClickReportSensor(task_id="t", deferrable="yes")),
    "deferrable: got 'yes'; allowed: True or False",
)
row(
    "report-conn-template",
    task(lambda: PeerClickReportOperator(task_id="t", group_by="day", peerclick_conn_id="{{ var.value.c }}")),
    "not a template: the connection chooses the task's pool",
)
row("sensor-condition", task(lambda: PeerClickReportSensor(task_id="t", condition="yes")), "condition: got")
row("sensor-reschedule", task(lambda: PeerClickReportSensor(task_id="t", mode="reschedule")), "mode: got")
for final_after in (3, "3 days", timedelta(days=-1)):
    row(
        f"sensor-final_after={final_after!r}",
        task(lambda f=final_after: PeerClickReportSensor(task_id="t", final_after=f)),
        "final_after: got",
    )

STORAGE_BAD = [
    ({"destination": "relative/dir"}, "absolute path"),
    ({"destination": None}, "destination: got 'None'"),
    ({"destination": 42}, "destination: got '42'"),
    ({"destination": ""}, "destination: got ''"),
    ({"destination": "file://relative"}, "absolute path"),
    ({"group_by": None}, "group_by: got None"),
    ({"group_by": 123}, "group_by: got 123"),
    ({"group_by": "week"}, "group_by: got 'week'"),
    ({"format": "xlsx"}, "format: got 'xlsx'"),
    ({"format": None}, "format: got None"),
    ({"page_size": 0}, "page_size: got 0"),
    ({"page_size": 10**6}, "page_size: got 1000000"),
    ({"tz": "Nowhere/City"}, "tz: got"),
    ({"columns": "views"}, "columns: got 'views'"),
    ({"filters": {"country": "XX"}}, "ISO 3166-1 alpha-2"),
    ({"peerclick_conn_id": ""}, "peerclick_conn_id: got ''"),
]
for changes, fragment in STORAGE_BAD:
    args = {"destination": "/tmp/peerclick-bad-inputs", "group_by": "campaign", **changes}
    row(
        f"storage-{changes!r}",
        task(lambda a=args: PeerClickReportToStorageOperator(task_id="t", **a)),
        fragment,
    )

ENTITY_BAD = [
    (PeerClickListCampaignsOperator, {"statuses": 5}, "statuses: got 5"),
    (PeerClickListOffersOperator, {"statuses": "ACTIVE"}, "statuses: got 'ACTIVE'"),
    (PeerClickListOffersOperator, {"statuses": ["LIVE"]}, "statuses: got 'LIVE'"),
    (PeerClickListOffersOperator, {"statuses": []}, "statuses: got []"),
    (PeerClickGetCampaignOperator, {"campaign_id": None}, "campaign_id: got None"),
    (PeerClickGetCampaignOperator, {"campaign_id": -1}, "campaign_id: got -1"),
    (PeerClickGetOfferOperator, {"offer_id": "x"}, "offer_id: got 'x'"),
    (PeerClickGetOfferOperator, {"offer_id": 0}, "offer_id: got 0"),
    (PeerClickCreateCampaignOperator, {"body": None}, "body: got None"),
    (PeerClickCreateCampaignOperator, {"body": {}}, "body: got {}"),
    (
        PeerClickCreateOfferOperator,
        {"body": {"name": "x"}, "reuse_existing_by_name": "yes"},
        "reuse_existing_by_name: got 'yes'",
    ),
    (PeerClickCreateOfferOperator, {"body": {"url": "x"}, "reuse_existing_by_name": True}, "with a 'name'"),
    (PeerClickUpdateCampaignOperator, {"campaign_id": 1, "body": None}, "body: got None"),
    (PeerClickUpdateCampaignOperator, {"campaign_id": 1, "body": {"status": "LIVE"}}, "body['status']"),
    (PeerClickUpdateOfferOperator, {"offer_id": None, "body": {"name": "x"}}, "offer_id: got None"),
    (PeerClickUpdateOfferOperator, {"offer_id": 1.5, "body": {"name": "x"}}, "offer_id: got 1.5"),
    (PeerClickCampaignSensor, {}, "exactly one of them"),
    (PeerClickCampaignSensor, {"campaign_id": 1, "name": "x"}, "exactly one of them"),
    (PeerClickOfferSensor, {"offer_id": -4}, "offer_id: got -4"),
    (PeerClickOfferSensor, {"offer_id": 1, "status": "LIVE"}, "status: got 'LIVE'"),
    (PeerClickListCampaignsOperator, {"peerclick_conn_id": None}, "peerclick_conn_id: got None"),
    (PeerClickCampaignSensor, {"campaign_id": 1, "peerclick_conn_id": 5}, "peerclick_conn_id: got 5"),
]
for kind, args, fragment in ENTITY_BAD:
    row(f"{kind.__name__}-{args!r}", task(lambda k=kind, a=args: k(task_id="t", **a)), fragment)


def test_the_table_covers_every_field_extra_and_task_the_provider_offers():
    assert len({case_id for case_id, *_ in rows}) == len(rows)  # every row its own case
    # Every extra the connection form offers, every connection field the hook reads, every task class:
    # a new one without a bad-input row fails here.
    (connection,) = get_provider_info()["connection-types"]
    extras = {key for extra, _ in EXTRAS if isinstance(extra, dict) for key in extra}
    assert set(connection["conn-fields"]) - extras == set()
    assert {key for changes, _ in FIELDS for key in changes} >= {"login", "password", "host", "conn_type"}
    offered = {
        cls
        for module in (operators_entities, operators_report, sensors_entities, sensors_report)
        for cls in vars(module).values()
        if isinstance(cls, type) and issubclass(cls, BaseOperator) and cls.__module__ == module.__name__
    }
    leaves = {
        cls for cls in offered if not any(other is not cls and issubclass(other, cls) for other in offered)
    }
    assert leaves - {type(task) for task in _tasks_refused()} == set()
    # Each report argument goes wrong through the hook and through both report tasks.
    assert {name for name, _, _ in BAD_REPORT} >= set(REPORT_ARGUMENTS)


@pytest.mark.parametrize(("case_id", "connection", "call", "fragment"), rows, ids=[r[0] for r in rows])
def test_bad_input_fails_clearly_before_any_request(
    emulator, monkeypatch, case_id, connection, call, fragment
):
    fields = {
        "conn_type": "peerclick",
        "login": emulator.access_id,
        "password": emulator.access_key,
        "host": emulator.base_url,
        **connection,
    }
    if "extra" in fields and not isinstance(fields["extra"], str):
        fields["extra"] = json.dumps(fields["extra"])
    monkeypatch.setenv("AIRFLOW_CONN_PEERCLICK_DEFAULT", json.dumps(fields))
    tokens.clear()
    if not HOOKS_SEE_ANY_EXTRA and "extra" in fields and not _is_json_object(fields["extra"]):
        # Airflow 3.0 and 3.1 drop such a connection before the hook can see it (see tests/compat.py):
        # their own, vaguer error, but still before any request.
        with pytest.raises(AirflowNotFoundException, match="isn't defined"):
            call(PeerClickHook())
        assert emulator.stats()["requests"] == 0
        return
    with pytest.raises(PeerClickError) as raised:
        call(PeerClickHook())
    assert fragment in str(raised.value), str(raised.value)
    assert emulator.access_key not in str(raised.value)
    assert emulator.stats()["requests"] == 0


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False
