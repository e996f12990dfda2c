"""The `make scale` verdict: partitions checked against their manifests, the table's sums, the exit rules."""

from __future__ import annotations

import json
from datetime import date

import pytest
from airflow.sdk import ObjectStoragePath

from airflow_provider_peerclick.hooks.peerclick import ReportPage, ReportQuery
from airflow_provider_peerclick.storage import land_report

# The harness needs the `scale` extra, which only .venv has (not the oldest-Airflow venv).
pytest.importorskip("psycopg2")
pytest.importorskip("redis")

from scripts.scale import results, scenario
from scripts.scale.deployment import WORKERS, airflow_env
from scripts.scale.pools import expected_pools, pool_commands
from scripts.scale.servers import Servers, _libpq_url, _store_url

DAY = date(2026, 11, 24)
ROWS = [{"campaignId": 1, "visits": 10, "clicks": 2}, {"campaignId": 2, "visits": 5, "clicks": 1}]


def land(tmp_path, group_by="campaign"):
    query = ReportQuery.build(
        start="2026-11-24", end="2026-11-25", group_by=group_by, columns=("visits", "clicks")
    )
    page = ReportPage(0, len(ROWS), {"visits": 15, "clicks": 3}, ROWS)
    land_report([page], base=ObjectStoragePath(f"file://{tmp_path}"), query=query, row_format="jsonl")
    return tmp_path / group_by / "date=2026-11-24"


def test_a_landed_partition_is_counted_landed_and_reconciled(tmp_path):
    land(tmp_path)
    assert results.check_partitions(tmp_path, ["campaign"], [DAY]) == results.Partitions(1, 1, 1, [])


def test_missing_partitions_and_tampered_files_are_problems(tmp_path):
    folder = land(tmp_path)
    (part,) = folder.glob("part-*.jsonl")
    part.write_text(part.read_text().replace('"visits":10', '"visits":11'))
    checked = results.check_partitions(tmp_path, ["campaign", "offer"], [DAY])
    assert (checked.expected, checked.landed, checked.reconciled) == (2, 1, 0)
    assert "does not match its sha256" in checked.problems[0]
    assert checked.problems[1].endswith("offer/date=2026-11-24: no _manifest.json")


def test_a_partition_whose_rows_do_not_add_up_is_not_reconciled(tmp_path):
    folder = land(tmp_path)
    manifest = json.loads((folder / "_manifest.json").read_text())
    manifest["totals"]["visits"] = 16
    (folder / "_manifest.json").write_text(json.dumps(manifest))
    checked = results.check_partitions(tmp_path, ["campaign"], [DAY])
    assert (checked.landed, checked.reconciled) == (1, 0)
    assert "does not reconcile" in checked.problems[0]


def account(conn_id, reports, requests=0, refused=0, peak_all=3, peak_reports=1, tokens=1):
    stats = {
        "requests": requests,
        "refused": refused,
        "tokens_issued": tokens,
        "peak_per_second": {"all": peak_all, "reports": peak_reports},
        "buckets": {"all": {"requests": requests}, "reports": {"requests": reports}},
    }
    return results.account_result(conn_id, stats, results.Partitions(3, 3, 3, []))


def test_the_scale_line_sums_accounts_and_takes_the_busiest_as_the_minimum():
    rows = [account("a", 35, requests=90, tokens=40), account("b", 30, requests=80, refused=2, tokens=41)]
    assert results.scale_line(rows, 128.4) == (
        "scale: accounts=2 report_requests=65 wall_s=128 min_s=35 ratio=3.67 refused=2 "
        "peak_all=3 peak_reports=1 tokens=81 worst_ratio=inf tokens_max=41"
    )


def test_each_accounts_pace_is_its_own_span_over_the_report_requests_its_budget_served(tmp_path):
    log = tmp_path / "requests.jsonl"

    def line(time: float, account: str, path: str = "/report", agent: str = "p/1", accepted: bool = True):
        return {
            "time": time,
            "account": account,
            "method": "GET",
            "path": path,
            "accepted": accepted,
            "agent": agent,
        }

    lines = [
        line(100.0, "a-id"),
        line(100.5, "a-id", agent="p/1 second-deployment"),  # shares a's budget meanwhile
        line(101.0, "a-id", accepted=False),  # refused: not served by the budget
        line(102.0, "a-id"),
        line(103.0, "a-id", path="/campaign"),
        line(110.0, "b-id"),
        line(119.0, "b-id"),
        line(130.0, "a-id", agent="p/1 second-deployment"),  # after a's backfill: not counted
    ]
    log.write_text("".join(json.dumps(entry) + "\n" for entry in lines))
    paces = results.paces(log, {"a": "a-id", "b": "b-id", "c": "c-id"}, "second-deployment")
    assert paces["a"] == results.Pace(dag_reports=2, other_reports=1, span_s=3.0)
    assert paces["a"].ratio == 1.0
    assert paces["b"] == results.Pace(dag_reports=2, other_reports=0, span_s=10.0)
    assert paces["b"].ratio == 5.0
    assert paces["c"].dag_reports == 0
    rows = [
        results.account_result("a", {}, results.Partitions(0, 0, 0, []), pace=paces["a"]),
        results.account_result("b", {"tokens_issued": 2}, results.Partitions(0, 0, 0, []), pace=paces["b"]),
    ]
    assert results.scale_line(rows, 20).endswith(" worst_ratio=5.00 tokens_max=2")


def test_refusals_and_peaks_over_the_limits_fail_the_run():
    assert results.failures([account("a", 35)]) == []
    found = results.failures([account("a", 35, refused=1, peak_all=4, peak_reports=2)])
    assert found == [
        "a: PeerClick refused 1 requests",
        "a: 4 requests in one second (limit 3)",
        "a: 2 report requests in one second (limit 1)",
    ]


def test_an_account_that_sent_nothing_counts_zero():
    row = results.account_result("b", {}, results.Partitions(3, 0, 0, ["missing"]))
    assert (row.report_requests, row.requests, row.refused, row.tokens) == (0, 0, 0, 0)


def test_refusals_are_explained_by_the_second_before(tmp_path):
    log = tmp_path / "requests.jsonl"
    lines = [
        {"time": 100.0, "account": "a-id", "method": "GET", "path": "/offer", "accepted": True},
        {"time": 100.3, "account": "b-id", "method": "GET", "path": "/offer", "accepted": True},
        {
            "time": 100.5,
            "account": "a-id",
            "method": "POST",
            "path": "/auth/access/session",
            "accepted": False,
        },
    ]
    log.write_text("".join(json.dumps(line) + "\n" for line in lines))
    (explained,) = results.refusals(log, {"a-id": "peerclick_a"})
    assert "peerclick_a POST /auth/access/session; the second before: GET /offer -0.50s" in explained


def test_pools_are_two_per_account_with_deferred_tasks_counted_without_a_shared_budget():
    assert expected_pools(["peerclick_a"]) == {
        "peerclick_reports__peerclick_a": (1, True),
        "peerclick_api__peerclick_a": (2, True),
    }
    assert expected_pools(["peerclick_a", "peerclick_b"], shared=("peerclick_a",)) == {
        "peerclick_reports__peerclick_a": (4, False),
        "peerclick_api__peerclick_a": (4, False),
        "peerclick_reports__peerclick_b": (1, True),
        "peerclick_api__peerclick_b": (2, True),
    }
    commands = pool_commands(["peerclick_a", "peerclick_b"], shared=("peerclick_a",))
    assert commands["pools"][-2:] == ["create", "--conn-id=peerclick_b"]
    assert commands["pools-shared-peerclick_a"][-3:] == [
        "create",
        "--shared-store=4",
        "--conn-id=peerclick_a",
    ]
    # Tasks mapped over both accounts all land in the default connection's pools: room for both.
    mapped = pool_commands(["peerclick_default"], shared=("peerclick_default",))
    assert mapped == {
        "pools-shared-peerclick_default": [
            mapped["pools-shared-peerclick_default"][0],
            "create",
            "--shared-store=8",
            "--conn-id=peerclick_default",
        ]
    }
    assert expected_pools(["peerclick_default"], shared=("peerclick_default",)) == {
        "peerclick_reports": (8, False),
        "peerclick_api": (8, False),
    }


def test_celery_workers_have_a_process_for_every_pool_slot(tmp_path):
    # Account A's shared pools (4 + 4) and B's per-process ones (1 + 2): 11 slots over 3 workers.
    slots = scenario.task_slots(scenario.PER_ACCOUNT, shared=("peerclick_a",))
    assert slots == 11
    servers = Servers(
        database_url="postgresql://u@h/db",
        broker_url="redis://h:1/0",
        rate_limit_store_url="redis://h:1/1",
    )
    env = airflow_env(servers, tmp_path, tmp_path, tmp_path, {}, task_slots=slots)
    assert int(env["AIRFLOW__CELERY__WORKER_CONCURRENCY"]) * WORKERS >= slots
    assert scenario.task_slots(scenario.MAPPED_ACCOUNTS, shared=("peerclick_default",)) == 16


def test_server_urls_from_the_environment_are_normalised():
    assert _libpq_url("postgresql+psycopg2://u:p@db:5432/airflow") == "postgresql://u:p@db:5432/airflow"
    assert _store_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/1"
    assert _store_url("amqp://broker//") is None
