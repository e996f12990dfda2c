"""Which columns a landed report has, and in what order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from airflow_provider_peerclick.storage.errors import PeerClickStorageError

# The keys PeerClick puts in each row to name what the row is about, per ``groupBy``.
DIMENSION_KEYS: Mapping[str, tuple[str, ...]] = {
    "campaign": ("campaignId", "campaignName"),
    "offer": ("offerId", "offerName"),
    "traffic-source": ("trafficSourceId", "trafficSourceName"),
    "country": ("countryCode", "countryName"),
    "day": ("day",),
    "hour-of-day": ("hourOfDay",),
}

# Types fixed per column rather than read from values, so every partition of a dataset (Parquet files,
# lineage schemas) has the same types whatever a day holds: a column all null on one day keeps its type.
_INTEGER = frozenset(
    {"campaignId", "offerId", "trafficSourceId", "hourOfDay", "visits", "clicks", "conversions"}
)
_FLOAT = frozenset({"revenue", "cost", "profit", "cr", "epc", "cpv", "cpc", "ctr", "roi"})


def column_type(column: str) -> str:
    """``integer``, ``double`` or ``string``: the type a landed column has."""
    if column in _INTEGER:
        return "integer"
    if column in _FLOAT:
        return "double"
    return "string"


def column_order(
    group_by: str, metrics: Iterable[str], first_row: Mapping[str, Any] | None
) -> tuple[str, ...]:
    """
    Dimension keys, then the metrics in the order asked for, then anything else the API sent, sorted.

    The order comes from the query rather than from the API's key order, so a rerun writes the same bytes
    even if the API shuffles keys. Without a first row (an empty report) the expected keys are used, so an
    empty partition still has a header and a schema.
    """
    expected = (*DIMENSION_KEYS.get(group_by, ()), *metrics)
    if first_row is None:
        return expected
    extra = sorted(key for key in first_row if key not in expected)
    return tuple(key for key in expected if key in first_row) + tuple(extra)


class RowShape:
    """Turns row dicts into value lists in a fixed column order, refusing keys the header lacks."""

    def __init__(self, columns: Iterable[str]) -> None:
        self.columns = tuple(columns)
        self._known = frozenset(self.columns)
        self._keys = list(self.columns)

    def matches(self, rows: Sequence[Mapping[str, Any]]) -> bool:
        """Whether every row has exactly the header's keys, in its order: then a row's values are already
        its shaped values, and writers take them as they are (the same bytes, with no reshaping)."""
        return all(map(self._keys.__eq__, map(list, rows)))

    def values(self, row: Mapping[str, Any]) -> list[Any]:
        """A row's values in the header's order (an unknown key is an error; a missing one gives None)."""
        if not self._known.issuperset(row):
            unknown = sorted(set(row) - self._known)
            raise PeerClickStorageError(
                f"A report row has keys {unknown} that the first row did not have (columns: "
                f"{', '.join(self.columns)}); the report's shape changed mid-way, so nothing is committed."
            )
        return [row.get(column) for column in self.columns]
