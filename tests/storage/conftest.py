"""Report pages made up in memory, and a local ObjectStoragePath to land them under."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from airflow.sdk import ObjectStoragePath

from airflow_provider_peerclick.hooks.peerclick import ReportPage, ReportQuery
from airflow_provider_peerclick.storage.checksum import HashingSink
from airflow_provider_peerclick.storage.columns import column_order
from airflow_provider_peerclick.storage.row_formats import open_row_writer

from ..conftest import plain_names

COLUMNS = ("visits", "clicks", "revenue", "cost", "cr")


def make_rows(count: int) -> list[dict[str, Any]]:
    # API key order on purpose differs from the landed order, which must not depend on it.
    return [
        {
            "cr": round(5 / (n + 1), 4),
            "visits": 10 * n + 1,
            "campaignName": f'Campaign {n}, "quoted"' if n % 7 == 0 else f"Campaign {n}",
            "clicks": n,
            "revenue": round(n * 1.37, 2),
            "cost": round(n * 0.91, 2),
            "campaignId": n + 1,
        }
        for n in range(count)
    ]


def totals_of(rows: list[dict[str, Any]]) -> dict[str, Any]:
    totals: dict[str, Any] = {
        "visits": sum(row["visits"] for row in rows),
        "clicks": sum(row["clicks"] for row in rows),
        "revenue": round(sum(row["revenue"] for row in rows), 2),
        "cost": round(sum(row["cost"] for row in rows), 2),
    }
    totals["cr"] = 0.0
    return totals


def paged(rows: list[dict[str, Any]], size: int, totals: dict[str, Any] | None = None) -> list[ReportPage]:
    totals = totals_of(rows) if totals is None else totals
    offsets = range(0, len(rows), size) if rows else [0]
    return [ReportPage(offset, len(rows), totals, rows[offset : offset + size]) for offset in offsets]


def write(fmt: str, pages: list[list[dict[str, Any]]], columns: Any = None) -> bytes:
    """Rows through a row writer into memory, the way a landing writes them."""
    target = io.BytesIO()
    sink = HashingSink(target)
    first = pages[0][0] if pages and pages[0] else None
    writer = open_row_writer(fmt, sink, columns or column_order("campaign", COLUMNS, first))
    for rows in pages:
        writer.write_rows(rows)
    writer.finish()
    return target.getvalue()


@pytest.fixture
def query() -> ReportQuery:
    return ReportQuery.build(start="2026-11-24", end="2026-11-25", group_by="campaign", columns=COLUMNS)


@pytest.fixture
def base(tmp_path) -> ObjectStoragePath:
    return ObjectStoragePath(f"file://{tmp_path}/lake")


@pytest.fixture
def files_under(tmp_path) -> Callable[[], dict[str, bytes]]:
    """Every file below tmp_path, relative path (run tokens dropped) -> bytes: what a reader sees."""

    def snapshot() -> dict[str, bytes]:
        return plain_names(
            {
                str(path.relative_to(tmp_path)): path.read_bytes()
                for path in sorted(tmp_path.rglob("*"))
                if path.is_file()
            }
        )

    return snapshot


@pytest.fixture
def failing_after() -> Callable[[list[ReportPage], int], Iterator[ReportPage]]:
    def pages(source: list[ReportPage], good: int) -> Iterator[ReportPage]:
        yield from source[:good]
        raise ConnectionResetError("the connection dropped mid-report")

    return pages
