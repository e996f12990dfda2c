"""Iceberg tables landed from the emulator, read back by pyiceberg and DuckDB as any reader would."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.operators.iceberg import PeerClickReportToIcebergOperator
from airflow_provider_peerclick.sql.schema_changes import PeerClickSchemaChangeError

from ..sql.conftest import day, report_totals, sums_of

pytestmark = pytest.mark.slow


def expected_sums(emulator, *numbers: int, **query) -> dict[str, tuple[int, int, int, float]]:
    return {
        day(number).to_date_string(): sums_of(*report_totals(emulator, day(number), **query))
        for number in numbers
    }


def land_at_once(land_iceberg, emulator, *numbers: int) -> list[BaseException]:
    """Land the days ``numbers`` in threads of their own, all at once; what each raised."""
    errors: list[BaseException] = []

    def land(number: int) -> None:
        try:
            land_iceberg(emulator, day(number))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=land, args=(number,)) for number in numbers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    return errors


def test_a_seven_day_backfill_reads_back_as_peerclick_totals_in_every_reader(
    land_iceberg, warehouse, emulator
):
    result = land_iceberg(emulator, day(1), day(8))

    expected = expected_sums(emulator, *range(1, 8))
    assert warehouse.day_sums() == expected
    assert warehouse.duckdb_day_sums() == expected
    assert [entry["date"] for entry in result["partitions"]] == list(expected)
    facts = warehouse.snapshot_facts()
    assert [fact["peerclick.date"] for fact in facts] == list(expected)
    assert [int(fact["peerclick.row_count"]) for fact in facts] == [sums[0] for sums in expected.values()]
    assert emulator.stats()["refused"] == 0


def test_a_rerun_replaces_the_day_in_one_commit(land_iceberg, warehouse, emulator):
    land_iceberg(emulator, day(3))
    before = len(warehouse.table().snapshots())
    land_iceberg(emulator, day(3))
    land_iceberg(emulator, day(4))

    assert warehouse.day_sums() == expected_sums(emulator, 3, 4)
    assert warehouse.duckdb_day_sums() == warehouse.day_sums()
    # The rerun's delete and add commit together: no snapshot in between lacks the day.
    table = warehouse.table()
    for snapshot in table.snapshots()[before:]:
        days = {
            row.as_py()
            for row in table.scan(snapshot_id=snapshot.snapshot_id, selected_fields=("date",)).to_arrow()[
                "date"
            ]
        }
        assert {value.isoformat() for value in days} >= {"2026-11-03"}, snapshot.summary


def test_a_restated_day_replaces_its_rows(land_iceberg, warehouse, emulator_factory):
    late = emulator_factory("--late-conversions", "3")
    late.process.control("POST", "clock", json={"now": "2026-11-21T06:00:00+00:00"})
    land_iceberg(late, day(20))
    old = warehouse.day_sums()["2026-11-20"]

    late.process.control("POST", "clock", json={"now": "2026-11-22T06:00:00+00:00"})
    result = land_iceberg(late, day(21), lookback_days=2)

    (restated,) = result["restated"]
    assert restated["partition"] == "2026-11-20"
    new = warehouse.day_sums()["2026-11-20"]
    assert new == sums_of(*report_totals(late, day(20)))
    assert new[2] > old[2]
    assert warehouse.duckdb_day_sums()["2026-11-20"] == new
    assert late.stats()["refused"] == 0


@pytest.mark.parametrize("kill_at", ["write", "commit"])
def test_a_killed_landing_leaves_the_last_snapshot_and_a_rerun_heals(
    land_iceberg, warehouse, emulator, kill_at
):
    land_iceberg(emulator, day(5))
    before = (warehouse.table().metadata_location, warehouse.day_sums())

    killed = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("land_and_die.py")),
            warehouse.uri,
            day(5).isoformat(),
            kill_at,
            "3",
            *([warehouse.catalog_conn_id] if warehouse.catalog_conn_id else []),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -9, killed.stderr[-2000:]

    assert (warehouse.table().metadata_location, warehouse.day_sums()) == before
    land_iceberg(emulator, day(5))
    assert warehouse.day_sums() == expected_sums(emulator, 5)
    assert warehouse.duckdb_day_sums() == warehouse.day_sums()
    assert emulator.stats()["refused"] == 0


def test_landings_of_other_days_at_once_retry_their_commits_and_lose_no_day(
    land_iceberg, warehouse, emulator
):
    errors = land_at_once(land_iceberg, emulator, 10, 11, 12)

    assert errors == []
    assert warehouse.day_sums() == expected_sums(emulator, 10, 11, 12)
    assert emulator.stats()["refused"] == 0


def test_commits_that_collide_retry_against_the_new_metadata(land_iceberg, warehouse, emulator, monkeypatch):
    from pyiceberg.catalog.sql import SqlCatalog
    from pyiceberg.exceptions import CommitFailedException
    from pyiceberg.table import Transaction

    land_iceberg(emulator, day(9))  # the table exists, so both landings below only commit data
    # Both landings reach their commit holding the same metadata: one of them must lose and retry.
    barrier = threading.Barrier(2, timeout=60)
    commit, conflicts = Transaction.commit_transaction, []

    def commit_together(self):
        if any(update.action == "add-snapshot" for update in self._updates) and not barrier.broken:
            with contextlib.suppress(threading.BrokenBarrierError):  # the retry after the collision
                barrier.wait()
        return commit(self)

    commit_table = SqlCatalog.commit_table

    def counted(self, *args, **kwargs):
        try:
            return commit_table(self, *args, **kwargs)
        except CommitFailedException:
            conflicts.append(1)
            barrier.abort()
            raise

    monkeypatch.setattr(Transaction, "commit_transaction", commit_together)
    monkeypatch.setattr(SqlCatalog, "commit_table", counted)
    errors = land_at_once(land_iceberg, emulator, 10, 11)

    assert errors == []
    assert conflicts, "the two commits did not collide"
    assert warehouse.day_sums() == expected_sums(emulator, 9, 10, 11)
    assert warehouse.duckdb_day_sums() == warehouse.day_sums()


def test_evolve_adds_new_columns_and_older_days_read_them_as_null(land_iceberg, warehouse, emulator):
    land_iceberg(emulator, day(1), columns=["visits", "clicks", "conversions", "revenue"])
    land_iceberg(emulator, day(2), columns=["visits", "clicks", "conversions", "revenue", "cost"])

    rows = warehouse.table().scan(selected_fields=("date", "cost")).to_arrow().to_pylist()
    assert {row["date"].isoformat() for row in rows if row["cost"] is None} == {"2026-11-01"}
    assert {row["date"].isoformat() for row in rows if row["cost"] is not None} == {"2026-11-02"}
    assert warehouse.day_sums() == expected_sums(
        emulator, 1, 2, columns=["visits", "clicks", "conversions", "revenue"]
    )


def test_freeze_fails_before_anything_is_committed_and_discard_drops_the_column(
    land_iceberg, warehouse, emulator, caplog
):
    narrow = ["visits", "clicks", "conversions", "revenue"]
    land_iceberg(emulator, day(1), columns=narrow)
    before = warehouse.table().metadata_location

    with pytest.raises(PeerClickSchemaChangeError, match="PeerClick now sends 'cost'"):
        land_iceberg(emulator, day(2), columns=[*narrow, "cost"], schema_changes="freeze")
    assert warehouse.table().metadata_location == before

    land_iceberg(emulator, day(2), columns=[*narrow, "cost"], schema_changes="discard")
    assert "cost" not in [field.name for field in warehouse.table().schema().fields]
    assert "dropped columns ['cost']" in caplog.text
    assert warehouse.day_sums() == expected_sums(emulator, 1, 2, columns=narrow)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"end": "2026-11-02T12:00:00+00:00"}, "covers part of 2026-11-02 only"),
        ({"warehouse": "s3://lake/warehouse", "catalog_conn_id": None}, "catalog_conn_id: needed"),
        ({"catalog_conn_id": "nowhere"}, "no Airflow connection 'nowhere'"),
    ],
)
def test_bad_input_is_refused_before_any_request(land_iceberg, emulator, arguments, message):
    with pytest.raises(PeerClickInvalidArgumentError, match=message):
        land_iceberg(emulator, day(1), start="2026-11-01T00:00:00+00:00", **arguments)
    assert emulator.stats()["requests"] == 0


@pytest.mark.parametrize("table", ["bad-name", "a.b.c", "1table", ""])
def test_invalid_table_names_are_refused_when_the_dag_is_parsed(table, tmp_path):
    with pytest.raises(PeerClickInvalidArgumentError, match="table: got"):
        PeerClickReportToIcebergOperator(
            task_id="land", warehouse=str(tmp_path), table=table, group_by="campaign"
        )


def test_lineage_names_the_table_by_its_location_with_iceberg_types(land_iceberg, warehouse, emulator):
    pytest.importorskip("airflow.providers.openlineage")
    result = land_iceberg(emulator, day(2), columns=["clicks", "revenue"])

    lineage = land_iceberg.operator.get_openlineage_facets_on_complete(None)
    (output,) = lineage.outputs
    location = warehouse.table().location()  # file:///.../peerclick/campaign, s3://bucket/...
    assert location.endswith("/peerclick/campaign")
    assert (output.namespace, output.name) in [
        ("file", location.removeprefix("file://")),
        ("s3://peerclick-lake", location.removeprefix("s3://peerclick-lake/")),
    ]
    fields = [(field.name, field.type) for field in output.facets["schema"].fields]
    assert fields == [
        ("account", "string"),
        ("date", "date"),
        ("campaign_id", "long"),
        ("campaign_name", "string"),
        ("clicks", "long"),
        ("revenue", "double"),
    ]
    assert output.outputFacets["outputStatistics"].rowCount == result["row_count"] > 0
