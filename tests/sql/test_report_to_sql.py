"""PeerClickReportToSqlOperator on a real PostgreSQL and SQLite: what readers of the table see."""

from __future__ import annotations

import pytest

from .conftest import day, report_totals, sums_of

pytestmark = pytest.mark.slow


def assert_days_match_peerclick(database, emulator, days) -> None:
    """Every day's sums, as a reader computes them, equal PeerClick's totals and the load table's."""
    sums, loads = database.day_sums(), database.loads_by_day()
    for number in days:
        date = day(number).to_date_string()
        count, totals = report_totals(emulator, day(number))
        assert sums[date] == sums_of(count, totals), date
        assert loads[date] == (count, totals), date
    assert sorted(sums) == sorted(loads)


def test_a_seven_day_backfill_sums_to_peerclick_totals(land_sql, database, emulator):
    results = [land_sql(emulator, day(number)) for number in range(1, 8)]

    assert_days_match_peerclick(database, emulator, range(1, 8))
    assert [result["partitions"][0]["date"] for result in results] == [
        day(number).to_date_string() for number in range(1, 8)
    ]
    assert all(result["row_count"] > 0 for result in results)
    assert results[0]["account"] == emulator.access_id
    assert emulator.stats()["refused"] == 0


def test_a_window_of_days_is_one_transaction_per_day(land_sql, database, emulator):
    result = land_sql(emulator, day(1), day(4))

    assert [partition["date"] for partition in result["partitions"]] == [
        "2026-11-01",
        "2026-11-02",
        "2026-11-03",
    ]
    assert_days_match_peerclick(database, emulator, range(1, 4))


def test_a_rerun_replaces_and_never_duplicates(land_sql, database, emulator):
    land_sql(emulator, day(3))
    first = database.snapshot()
    land_sql(emulator, day(3))

    assert database.snapshot() == first
    assert_days_match_peerclick(database, emulator, [3])


def test_other_accounts_and_days_are_left_alone(land_sql, database, emulator):
    land_sql(emulator, day(1), account="agency_a")
    land_sql(emulator, day(1), account="agency_b")
    land_sql(emulator, day(1), account="agency_a")

    counts = database.rows(
        f"SELECT account, COUNT(*) FROM {database.table} GROUP BY account ORDER BY account"
    )
    ((count, _),) = [report_totals(emulator, day(1))]
    assert counts == [("agency_a", count), ("agency_b", count)]


def test_the_table_is_typed_and_named_for_readers(land_sql, database, emulator):
    land_sql(emulator, day(2), columns=["clicks", "conversions", "revenue"])

    (row,) = database.rows(
        "SELECT account, date, campaign_id, campaign_name, clicks, conversions, revenue "
        f"FROM {database.table} ORDER BY campaign_id LIMIT 1"
    )
    assert isinstance(row[2], int)
    assert isinstance(row[3], str)
    assert isinstance(row[4], int)
    if database.kind == "postgres":
        import datetime
        from decimal import Decimal

        assert row[1] == datetime.date(2026, 11, 2)
        assert isinstance(row[6], Decimal)
    else:
        assert row[1] == "2026-11-02"


def test_lineage_names_the_table_with_its_columns_and_rows(land_sql, database, emulator, postgres_url):
    pytest.importorskip("airflow.providers.openlineage")
    result = land_sql(emulator, day(2), columns=["clicks", "revenue"])

    lineage = land_sql.operator.get_openlineage_facets_on_complete(None)
    (output,) = lineage.outputs
    (report,) = lineage.inputs
    assert report.name == "report/campaign"
    if database.kind == "postgres":
        port = postgres_url.split(":")[-1].split("/")[0]
        assert (output.namespace, output.name) == (
            f"postgres://127.0.0.1:{port}",
            f"airflow.public.{database.table}",
        )
        types = ["TEXT", "DATE", "BIGINT", "TEXT", "BIGINT", "NUMERIC"]
    else:
        assert output.name.endswith(f"warehouse.sqlite/{database.table}")
        types = ["TEXT", "TEXT", "INTEGER", "TEXT", "INTEGER", "NUMERIC"]
    fields = [(field.name, field.type) for field in output.facets["schema"].fields]
    names = ["account", "date", "campaign_id", "campaign_name", "clicks", "revenue"]
    assert fields == list(zip(names, types, strict=True))
    assert output.outputFacets["outputStatistics"].rowCount == result["row_count"] > 0


def test_the_table_asset_is_announced_through_its_alias(land_sql, database, emulator_factory, postgres_url):
    from airflow.sdk import AssetAlias

    late = emulator_factory("--late-conversions", "3")
    late.process.control("POST", "clock", json={"now": "2026-11-21T06:00:00+00:00"})
    land_sql(late, day(20))
    late.process.control("POST", "clock", json={"now": "2026-11-22T06:00:00+00:00"})
    land_sql(late, day(21), lookback_days=1)

    alias = AssetAlias(f"peerclick_sql:warehouse/{database.table}")
    assert alias in land_sql.operator.outlets
    (event,) = land_sql.events[alias].asset_alias_events
    if database.kind == "postgres":
        port = postgres_url.split(":")[-1].split("/")[0]
        assert event.dest_asset_key.uri == f"postgres://127.0.0.1:{port}/airflow/public/{database.table}"
    else:
        assert event.dest_asset_key.uri.endswith(f"warehouse.sqlite/{database.table}")
    assert event.extra == {
        "dates": ["2026-11-21"],
        "restated": ["2026-11-20"],
        "changed": ["2026-11-20", "2026-11-21"],
    }
