"""What a landing does when PeerClick's columns and the table's differ (``schema_changes``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.sql.dialects import plain
from airflow_provider_peerclick.sql.names import column_name
from airflow_provider_peerclick.storage.errors import PeerClickStorageError

SCHEMA_CHANGES = ("evolve", "freeze", "discard")


class PeerClickSchemaChangeError(PeerClickStorageError):
    """PeerClick's columns differ from the table's and ``schema_changes="freeze"`` forbids the change."""


def require_schema_changes(value: Any) -> str:
    """Check a ``schema_changes`` policy: ``evolve``, ``freeze`` or ``discard``."""
    if value not in SCHEMA_CHANGES:
        raise PeerClickInvalidArgumentError(
            f"schema_changes: got {value!r}; allowed: " + ", ".join(map(repr, SCHEMA_CHANGES))
        )
    return str(value)


@dataclass(frozen=True)
class RowPlan:
    """Which of a report's keys go into which table columns, and what the table must gain first.

    ``added``: PeerClick keys the table lacks that ``evolve`` adds; ``discarded``: keys ``discard`` drops;
    ``missing``: table columns the report does not have, which stay NULL. Each row is preceded by its
    partition's columns, ``partition``.
    """

    partition: tuple[str, ...]
    keys: tuple[str, ...]
    added: tuple[str, ...] = ()
    discarded: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    @classmethod
    def of(
        cls, policy: str, report_keys: Sequence[str], table_columns: Iterable[str], partition: Sequence[str]
    ) -> RowPlan:
        """What to write, under ``policy``, when the report's keys and the table's columns differ."""
        partition = tuple(partition)
        have = set(table_columns) - set(partition)
        new = tuple(key for key in report_keys if column_name(key) not in have)
        sent = {column_name(key) for key in report_keys}
        missing = tuple(sorted(have - sent))
        if policy == "freeze" and (new or missing):
            changes = [f"PeerClick now sends {key!r}" for key in new]
            changes += [f"PeerClick no longer sends column {name!r}" for name in missing]
            raise PeerClickSchemaChangeError(
                "; ".join(changes) + ". schema_changes='freeze' keeps the table as it is, so nothing was "
                "written. Set schema_changes='evolve' to add new columns (and leave NULLs in missing ones) "
                "or 'discard' to drop new columns."
            )
        if policy == "discard":
            kept = tuple(key for key in report_keys if key not in new)
            return cls(partition, kept, discarded=new, missing=missing)
        return cls(partition, tuple(report_keys), added=new, missing=missing)

    @property
    def columns(self) -> tuple[str, ...]:
        """The table columns a row is written to: the partition's, then the report's kept keys."""
        return (*self.partition, *map(column_name, self.keys))

    def values(self, rows: Sequence[Mapping[str, Any]], prefix: Sequence[Any]) -> list[list[Any]]:
        """Each row's values in ``columns`` order, after ``prefix`` (the partition's values); a row with
        keys the first row did not have means the report changed shape while it was read, and nothing is
        committed."""
        width = len(self.keys) + len(self.discarded)
        if not self.discarded and all(len(row) == width for row in rows):
            take = itemgetter(*self.keys) if len(self.keys) > 1 else (lambda row: (row[self.keys[0]],))
            try:
                return [[*prefix, *map(plain, take(row))] for row in rows]
            except KeyError:
                pass  # a row lacks one key and has another instead: the slow path names it
        known = {*self.keys, *self.discarded}
        shaped = []
        for row in rows:
            unknown = sorted(set(row) - known)
            if unknown:
                raise PeerClickStorageError(
                    f"A report row has keys {unknown} that the first row did not have (columns: "
                    f"{', '.join(self.keys)}); the report's shape changed mid-way, so nothing is committed."
                )
            shaped.append([*prefix, *(plain(row.get(key)) for key in self.keys)])
        return shaped
