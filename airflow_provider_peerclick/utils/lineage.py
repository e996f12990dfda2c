"""OpenLineage for the report tasks: the PeerClick report they read, and what they landed in storage.

Each task records a ``ReportLineage`` while it runs, from what it already knows (the connection's API host
and access key ID, the query, the partitions it committed), so the OpenLineage listener's call after the
task sends no request and reads no connection. The access key never enters it. The OpenLineage provider
(the ``openlineage`` extra) is imported only when its listener asks, so the tasks run without it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from airflow_provider_peerclick.storage.columns import DIMENSION_KEYS, column_type

if TYPE_CHECKING:
    from airflow.providers.common.compat.openlineage.facet import Dataset, SchemaDatasetFacet
    from airflow.providers.openlineage.extractors import OperatorLineage

    from airflow_provider_peerclick.hooks._connection import PeerClickSettings
    from airflow_provider_peerclick.hooks._report_query import ReportQuery
    from airflow_provider_peerclick.storage.landing import LandedPartition


@dataclass(frozen=True)
class Landed:
    """What a landing wrote: the dataset (its Asset URI, ``{destination}/{group_by}``, or a table's) and
    this run's partitions' columns, rows, bytes and files. ``types``, when given, are the columns' types
    (a table's SQL types); otherwise each column's type in the provider's catalogue."""

    uri: str
    columns: tuple[str, ...]
    rows: int
    size: int | None
    files: int | None
    types: tuple[str, ...] = ()

    @classmethod
    def of(cls, uri: str, partitions: Iterable[LandedPartition]) -> Landed:
        """What a landing wrote to dataset ``uri``: its columns, rows, bytes and files."""
        partitions = list(partitions)
        columns = dict.fromkeys(column for partition in partitions for column in partition.columns)
        files = [entry for partition in partitions for entry in partition.files]
        return cls(
            uri=uri,
            columns=tuple(columns),
            rows=sum(partition.row_count for partition in partitions),
            size=sum(int(entry["bytes"]) for entry in files),
            files=len(files),
        )

    @classmethod
    def of_table(cls, uri: str, partitions: Iterable[Any]) -> Landed:
        """A table's: the columns and types of ``partitions`` (each with ``columns``, ``types`` and
        ``row_count``), in the order they first appear, and their rows; tables have no files to count."""
        partitions = list(partitions)
        types: dict[str, str] = {}
        for partition in partitions:
            types.update(zip(partition.columns, partition.types, strict=True))
        rows = sum(partition.row_count for partition in partitions)
        return cls(uri, tuple(types), rows, None, None, tuple(types.values()))


@dataclass(frozen=True)
class ReportLineage:
    """A report read from one PeerClick account, and where it landed, if it did."""

    namespace: str
    group_by: str
    columns: tuple[str, ...]
    landed: Landed | None = None

    @classmethod
    def of(cls, settings: PeerClickSettings, query: ReportQuery) -> ReportLineage:
        """The report ``query`` asks for: its group-by's dimension keys and the metrics it names."""
        host, access_id = settings.account
        return cls(
            namespace=f"peerclick://{host}/{quote(access_id, safe='')}",
            group_by=query.group_by,
            columns=(*DIMENSION_KEYS[query.group_by], *query.columns),
        )

    def to_openlineage(self) -> OperatorLineage:
        """The lineage as the OpenLineage provider takes it."""
        from airflow.providers.common.compat.openlineage.facet import (
            InputDataset,
            OutputDataset,
            OutputStatisticsOutputDatasetFacet,
        )
        from airflow.providers.openlineage.extractors import OperatorLineage

        report = InputDataset(
            namespace=self.namespace,
            name=f"report/{self.group_by}",
            facets={"schema": _schema(self.columns)},
        )
        if self.landed is None:
            return OperatorLineage(inputs=[report])
        landed = self.landed
        where = _storage_dataset(landed.uri)
        storage = OutputDataset(
            namespace=where.namespace,
            name=where.name,
            facets={"schema": _schema(landed.columns, landed.types)},
            outputFacets={
                "outputStatistics": OutputStatisticsOutputDatasetFacet(
                    rowCount=landed.rows, size=landed.size, fileCount=landed.files
                )
            },
        )
        return OperatorLineage(inputs=[report], outputs=[storage])


def _schema(columns: Iterable[str], types: Iterable[str] = ()) -> SchemaDatasetFacet:
    from airflow.providers.common.compat.openlineage.facet import (
        SchemaDatasetFacet,
        SchemaDatasetFacetFields,
    )

    columns = tuple(columns)
    types = tuple(types) or tuple(map(column_type, columns))
    return SchemaDatasetFacet(
        fields=[
            SchemaDatasetFacetFields(name=name, type=kind) for name, kind in zip(columns, types, strict=True)
        ]
    )


def _storage_dataset(uri: str) -> Dataset:
    """The dataset an Asset URI names, as the OpenLineage provider names the operator's outlet (``file`` and
    an absolute path, ``s3://bucket`` and a key, ...), through the converters Airflow's providers register;
    the provider's generic object-store naming for schemes that have none."""
    from airflow.providers.openlineage.extractors.manager import ExtractorManager
    from airflow.providers.openlineage.utils.utils import translate_airflow_asset
    from airflow.sdk import Asset

    dataset = translate_airflow_asset(Asset(uri), None)
    if dataset is None:
        dataset = ExtractorManager.convert_to_ol_dataset_from_object_storage_uri(uri)
    assert dataset is not None, uri  # an Asset URI always has a scheme and a path
    return dataset


def table_lineage(hook: Any, query: ReportQuery, uri: str, partitions: Iterable[Any]) -> ReportLineage:
    """The report ``hook`` read for ``query``, and the table at ``uri`` written with the columns, types and
    rows of ``partitions``."""
    return replace(ReportLineage.of(hook.settings, query), landed=Landed.of_table(uri, partitions))
