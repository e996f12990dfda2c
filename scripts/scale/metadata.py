"""Read the run's progress straight from the metadata database: an `airflow` CLI call costs ~5 s each."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg2

FINISHED = ("success", "failed")


@dataclass(frozen=True)
class Run:
    run_id: str
    logical_date: datetime
    state: str
    end_date: datetime | None


@dataclass(frozen=True)
class TaskSpan:
    task_id: str
    pool: str
    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True)
class Backfill:
    id: int
    created_at: datetime


class Metadata:
    def __init__(self, url: str) -> None:
        self.url = url

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        connection = psycopg2.connect(self.url)
        try:
            with connection, connection.cursor() as cursor:
                yield cursor
        finally:
            connection.close()

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        with self._cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def dag_parsed(self, dag_id: str) -> bool:
        return bool(self.rows("SELECT 1 FROM serialized_dag WHERE dag_id = %s LIMIT 1", dag_id))

    def latest_backfill(self, dag_id: str) -> Backfill | None:
        found = self.rows(
            "SELECT id, created_at FROM backfill WHERE dag_id = %s ORDER BY id DESC LIMIT 1", dag_id
        )
        return Backfill(*found[0]) if found else None

    def open_backfills(self, dag_id: str) -> int:
        found = self.rows("SELECT count(*) FROM backfill WHERE dag_id = %s AND completed_at IS NULL", dag_id)
        return int(found[0][0])

    def runs(self, backfill_id: int) -> list[Run]:
        found = self.rows(
            "SELECT run_id, logical_date, state, end_date FROM dag_run WHERE backfill_id = %s "
            "ORDER BY logical_date",
            backfill_id,
        )
        return [Run(*row) for row in found]

    def task_states(self, backfill_id: int) -> dict[str, int]:
        """Task instances by state, plus `retried`: how many needed more than one try."""
        found = self.rows(
            "SELECT ti.state, count(*), count(*) FILTER (WHERE ti.try_number > 1) FROM task_instance ti "
            "JOIN dag_run dr ON dr.dag_id = ti.dag_id AND dr.run_id = ti.run_id "
            "WHERE dr.backfill_id = %s GROUP BY ti.state",
            backfill_id,
        )
        states = {str(state): count for state, count, _ in found}
        states["retried"] = sum(retried for _, _, retried in found)
        return states

    def task_spans(self, backfill_id: int) -> list[TaskSpan]:
        """Start and end of every finished task instance of the backfill (a deferred sensor: first start
        to final end, its time in the triggerer included)."""
        found = self.rows(
            "SELECT ti.task_id, ti.pool, ti.start_date, ti.end_date FROM task_instance ti "
            "JOIN dag_run dr ON dr.dag_id = ti.dag_id AND dr.run_id = ti.run_id "
            "WHERE dr.backfill_id = %s AND ti.start_date IS NOT NULL AND ti.end_date IS NOT NULL",
            backfill_id,
        )
        return [TaskSpan(*row) for row in found]

    def task_tries(self, dag_id: str) -> dict[str, tuple[str, int]]:
        """Task ID -> (state, try number) for every task instance of ``dag_id`` (one run)."""
        found = self.rows("SELECT task_id, state, try_number FROM task_instance WHERE dag_id = %s", dag_id)
        return {task_id: (str(state), int(tries)) for task_id, state, tries in found}

    def dag_run_states(self, dag_id: str) -> list[str]:
        return [str(state) for (state,) in self.rows("SELECT state FROM dag_run WHERE dag_id = %s", dag_id)]

    def all_rows(self) -> dict[str, list[str]]:
        """Every row of every table, as JSON text (for the secret scan)."""
        tables = self.rows("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        return {
            table: [text for (text,) in self.rows(f'SELECT row_to_json(t)::text FROM "{table}" t')]  # noqa: S608
            for (table,) in tables
        }

    def live_rows(self) -> list[tuple[str, str]]:
        """(table, row as JSON text) of rows that exist only while tasks are deferred: triggers and the
        task instances waiting on them."""
        found = self.rows(
            "SELECT 'trigger', row_to_json(t)::text FROM trigger t UNION ALL "
            "SELECT 'task_instance', row_to_json(ti)::text FROM task_instance ti "
            "WHERE ti.next_kwargs IS NOT NULL OR ti.state = 'deferred'"
        )
        return [(str(table), str(text)) for table, text in found]

    def pools(self) -> dict[str, tuple[int, bool]]:
        return {
            name: (slots, deferred)
            for name, slots, deferred in self.rows("SELECT pool, slots, include_deferred FROM slot_pool")
        }


def wait_until(
    done: Callable[[], bool], *, timeout: float, what: str, interval: float = 1.0, check: Callable[[], None]
) -> None:
    """Poll `done` until true; `check` raises if something we depend on died meanwhile."""
    deadline = time.monotonic() + timeout
    while not done():
        check()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)
