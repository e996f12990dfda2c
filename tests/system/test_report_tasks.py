"""PeerClickReportOperator and PeerClickReportSensor inside real Airflow (dag.test) against the emulator."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


REPORT_LINK = "https://panel.example/reports/{group_by}?from={start_date}&to={end_date}&tz={tz}&at={start}"


def test_report_tasks_in_airflow(run_dag, emulator):
    env = emulator.process.connection_env(report_link=REPORT_LINK)
    result = run_dag("reports_dag", emulator, env=env)
    tasks, xcom, log = result["tasks"], result["xcom"], result["log"]

    assert tasks["summary"] == "success", log[-5000:]
    summary = xcom["summary"]
    assert summary["total_rows"] > 0
    assert "rows" not in summary
    # The daily UTC interval, seen in the account's time zone.
    assert summary["start"] == "2026-11-19T01:00:00+01:00"
    assert summary["end"] == "2026-11-20T01:00:00+01:00"
    assert summary["tz"] == "Europe/Berlin"

    assert tasks["rows"] == "success"
    rows = xcom["rows"]
    assert len(rows["rows"]) == rows["total_rows"] > 0
    assert sum(row["visits"] for row in rows["rows"]) == rows["totals"]["visits"]

    assert tasks["too_many"] == "failed"
    assert "more than max_rows=2" in log
    assert "PeerClickReportToStorageOperator" in log

    # Deferred: the first poke in the worker, the second from the trigger, run inline by dag.test().
    assert tasks["settled"] == "success"
    assert "running trigger in line" in log
    assert xcom["settled"]["total_rows"] > 0
    assert xcom["settled"]["peerclick_conn_id"] == "peerclick_default"
    assert xcom["settled"]["group_by"] == "day"
    # Downstream of the sensor: its own report is taken from the sensor, another one is asked for.
    assert xcom["same_as_settled"]["totals"] == xcom["settled"]["totals"]
    assert xcom["same_as_settled"]["total_rows"] == xcom["settled"]["total_rows"]
    assert "as settled returned them in this run; no request sent" in log
    # The same totals but another row count than the sensor's: this one was asked of PeerClick.
    assert xcom["other_than_settled"]["totals"] == xcom["settled"]["totals"]
    assert xcom["other_than_settled"]["total_rows"] != xcom["settled"]["total_rows"]
    assert tasks["poked"] == "success"
    assert xcom["poked"]["totals"]["visits"] > 0

    # Each task's link, as Airflow's API server answers it: the window the task read, in its time zone,
    # its last day the one of its last hour (the Berlin day ends at 01:00 UTC). Kept by failed tasks too.
    links = result["links"]
    assert links["summary"] == {
        "PeerClick report": "https://panel.example/reports/campaign?from=2026-11-19&to=2026-11-20"
        "&tz=Europe%2FBerlin&at=2026-11-19T01%3A00%3A00%2B01%3A00"
    }
    assert links["too_many"]["PeerClick report"].startswith("https://panel.example/reports/campaign?")
    utc_day = "from=2026-11-19&to=2026-11-19&tz=UTC&at=2026-11-19T00%3A00%3A00%2B00%3A00"
    for task_id, group_by in [("rows", "country"), ("settled", "day"), ("poked", "day")]:
        assert links[task_id] == {"PeerClick report": f"https://panel.example/reports/{group_by}?{utc_day}"}
    assert set(links) == {
        "summary",
        "rows",
        "too_many",
        "settled",
        "same_as_settled",
        "other_than_settled",
        "poked",
    }

    stats = emulator.stats()
    print(f"report DAG: {result['seconds']:.1f} s, emulator stats {stats}")
    assert stats["refused"] == 0
    assert stats["peak_per_second"]["reports"] <= 1
