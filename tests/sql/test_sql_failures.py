"""What a failed, killed, concurrent or restated landing leaves in the table, and bad input refused
before any request."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.operators.sql import PeerClickReportToSqlOperator
from airflow_provider_peerclick.sql.schema_changes import PeerClickSchemaChangeError

from .conftest import day, report_totals, sums_of

pytestmark = pytest.mark.slow


def test_a_landing_killed_mid_insert_changes_nothing_and_a_rerun_heals(land_sql, database, emulator):
    land_sql(emulator, day(5))
    before = database.snapshot(), database.rows(f"SELECT * FROM {database.loads}")
    count, totals = report_totals(emulator, day(5))
    assert count > 6

    # Killed after two pages of three rows went in, past the day's DELETE: had anything committed, the
    # load table's run and time would differ.
    killed = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("land_and_die.py")),
            database.table,
            database.loads,
            day(5).isoformat(),
            "2",
            "3",
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -9, killed.stderr[-2000:]

    assert (database.snapshot(), database.rows(f"SELECT * FROM {database.loads}")) == before
    land_sql(emulator, day(5))
    assert database.day_sums()[day(5).to_date_string()] == sums_of(count, totals)
    assert emulator.stats()["refused"] == 0


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_two_landings_of_one_day_at_once_leave_one_copy(land_sql, database, emulator):
    errors: list[BaseException] = []

    def land() -> None:
        try:
            land_sql(emulator, day(6), page_size=5)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=land) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)

    assert errors == []
    count, totals = report_totals(emulator, day(6))
    assert database.day_sums() == {day(6).to_date_string(): sums_of(count, totals)}
    assert emulator.stats()["refused"] == 0


def test_a_restated_day_replaces_its_rows(land_sql, database, emulator_factory):
    late = emulator_factory("--late-conversions", "3")
    late.process.control("POST", "clock", json={"now": "2026-11-21T06:00:00+00:00"})
    land_sql(late, day(20))
    old = database.day_sums()["2026-11-20"]

    late.process.control("POST", "clock", json={"now": "2026-11-22T06:00:00+00:00"})
    result = land_sql(late, day(21), lookback_days=2)

    (restated,) = result["restated"]
    assert restated["partition"] == "2026-11-20"
    count, totals = report_totals(late, day(20))
    assert restated["totals"] == totals
    new = database.day_sums()["2026-11-20"]
    assert new == sums_of(count, totals)
    assert new[2] > old[2]  # more conversions than at first
    assert database.loads_by_day()["2026-11-20"] == (count, totals)
    assert late.stats()["refused"] == 0


def drift(database) -> None:
    """Make the table differ from the report: PeerClick's ``roi`` is new to it, ``legacy`` is gone."""
    database.execute(f"ALTER TABLE {database.table} DROP COLUMN roi")
    database.execute(f"ALTER TABLE {database.table} ADD COLUMN legacy BIGINT")


def test_evolve_adds_new_columns_and_leaves_gone_ones_null(land_sql, database, emulator):
    land_sql(emulator, day(1))
    drift(database)
    land_sql(emulator, day(2))

    rows = database.rows(f"SELECT date, roi IS NULL, legacy FROM {database.table}")
    assert {(str(date), roi_null) for date, roi_null, _ in rows} == {
        ("2026-11-01", True),
        ("2026-11-02", False),
    }
    assert {legacy for _, _, legacy in rows} == {None}


def test_freeze_fails_before_anything_is_written_naming_the_columns(land_sql, database, emulator):
    land_sql(emulator, day(1))
    drift(database)
    before = database.snapshot()

    with pytest.raises(PeerClickSchemaChangeError, match=r"'roi'.*'legacy'"):
        land_sql(emulator, day(1), schema_changes="freeze")
    assert database.snapshot() == before


def test_discard_drops_new_columns_and_says_so(land_sql, database, emulator, caplog):
    land_sql(emulator, day(1))
    drift(database)
    land_sql(emulator, day(2), schema_changes="discard")

    assert "roi" not in [name for (name,) in [(c,) for c in _columns(database)]]
    assert "dropped columns ['roi']" in caplog.text
    count, totals = report_totals(emulator, day(2))
    assert database.day_sums()["2026-11-02"] == sums_of(count, totals)


def _columns(database) -> list[str]:
    conn = database.connect()
    try:
        cursor = conn.cursor()
        cursor.execute(f"SELECT * FROM {database.table} WHERE 1 = 0")
        return [description[0] for description in cursor.description]
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("arguments", "connection", "message"),
    [
        ({"sql_conn_id": "nowhere"}, None, "no Airflow connection 'nowhere'"),
        (
            {"sql_conn_id": "not_sql"},
            {"conn_type": "peerclick", "login": "a", "password": "b"},
            "not a DbApiHook",
        ),
    ],
)
def test_bad_input_is_refused_before_any_request(
    land_sql, emulator, monkeypatch, arguments, connection, message
):
    if connection is not None:
        monkeypatch.setenv("AIRFLOW_CONN_NOT_SQL", json.dumps(connection))
    arguments = {"start": "2026-11-01T00:00:00+00:00", **arguments}
    with pytest.raises(PeerClickInvalidArgumentError, match=message):
        land_sql(emulator, day(1), **arguments)
    assert emulator.stats()["requests"] == 0


def test_a_load_table_of_an_earlier_version_is_refused_before_any_request(land_sql, database, emulator):
    database.execute(
        f"CREATE TABLE {database.loads} (table_name TEXT, account TEXT, date TEXT, row_count BIGINT)"
    )
    with pytest.raises(PeerClickInvalidArgumentError, match=r"lacks the columns \['partition', 'hour'"):
        land_sql(emulator, day(1))
    assert emulator.stats()["requests"] == 0


@pytest.mark.parametrize("table", ["bad-name", "a.b.c", "1table", "x; DROP TABLE y", ""])
def test_invalid_table_names_are_refused_when_the_dag_is_parsed(table):
    with pytest.raises(PeerClickInvalidArgumentError, match="table: got"):
        PeerClickReportToSqlOperator(
            task_id="land", sql_conn_id="warehouse", table=table, group_by="campaign"
        )


def test_an_unknown_schema_changes_policy_is_refused():
    with pytest.raises(PeerClickInvalidArgumentError, match="schema_changes: got 'merge'"):
        PeerClickReportToSqlOperator(
            task_id="land", sql_conn_id="warehouse", table="t", group_by="campaign", schema_changes="merge"
        )


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_a_landing_in_progress_blocks_neither_readers_nor_landings_of_other_days(
    land_sql, database, emulator, monkeypatch
):
    from airflow_provider_peerclick.sql.dialects import Dialect

    land_sql(emulator, day(1))
    before = database.day_sums()
    paused, release = threading.Event(), threading.Event()
    insert = Dialect.insert

    def insert_then_wait(self, cursor, table, columns, rows):
        insert(self, cursor, table, columns, rows)
        if rows and rows[0][1] == "2026-11-02" and not paused.is_set():
            paused.set()  # day 2's transaction is open: its rows deleted and some inserted
            release.wait(120)

    monkeypatch.setattr(Dialect, "insert", insert_then_wait)
    errors: list[BaseException] = []

    def land_day_two() -> None:
        try:
            land_sql(emulator, day(2), page_size=5)
        except BaseException as error:
            errors.append(error)

    landing = threading.Thread(target=land_day_two)
    landing.start()
    try:
        assert paused.wait(60)
        # A reader of day 1 (with a 5 s limit, so a lock wait fails rather than hangs) and a landing of
        # day 3 both go through while day 2's transaction stays open.
        conn = database.connect()
        try:
            cursor = conn.cursor()
            cursor.execute("SET statement_timeout = 5000")
            cursor.execute(f"SELECT COUNT(*) FROM {database.table} WHERE date = '2026-11-01'")
            assert cursor.fetchone()[0] == before["2026-11-01"][0]
        finally:
            conn.close()
        land_sql(emulator, day(3))
        assert sorted(database.day_sums()) == ["2026-11-01", "2026-11-03"]  # day 2 not yet visible
    finally:
        release.set()
        landing.join(120)
    assert errors == []
    for number in (1, 2, 3):
        count, totals = report_totals(emulator, day(number))
        assert database.day_sums()[day(number).to_date_string()] == sums_of(count, totals)
    assert emulator.stats()["refused"] == 0
