"""Datasets of the report tasks' OpenLineage, for stores other than local files, and without the provider."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest

from airflow_provider_peerclick.storage.landing import LandedPartition
from airflow_provider_peerclick.utils.lineage import Landed, ReportLineage
from airflow_provider_peerclick.utils.lineage_mixin import ReportLineageMixin

REPORT = ReportLineage(
    namespace="peerclick://api.peerclick.com/key-id",
    group_by="offer",
    columns=("offerId", "offerName", "cost"),
)


def landed(uri: str) -> Landed:
    part = {"name": "part-0000.csv", "rows": 3, "bytes": 120, "sha256": "0" * 64}
    partitions = [
        LandedPartition("p1", "m1", "csv", 3, {}, [part], "date=2026-11-23", ("offerId", "cost")),
        LandedPartition(
            "p2", "m2", "csv", 4, {}, [{**part, "bytes": 80}], "date=2026-11-24", ("offerId", "x")
        ),
    ]
    return Landed.of(uri, partitions)


@pytest.mark.parametrize(
    ("uri", "namespace", "name"),
    [
        # The Amazon provider's converter, as the OpenLineage provider names the operator's s3 outlet.
        ("s3://lake/peerclick/offer", "s3://lake", "peerclick/offer"),
        # No provider converts this scheme: the OpenLineage provider's naming for object store URIs.
        ("abfs://container/peerclick/offer", "abfs", "container/peerclick/offer"),
    ],
)
def test_the_output_is_named_as_the_openlineage_provider_names_the_store(uri, namespace, name):
    lineage = replace(REPORT, landed=landed(uri)).to_openlineage()
    (output,) = lineage.outputs
    assert (output.namespace, output.name) == (namespace, name)
    # Columns of every partition written, in first-seen order; rows, bytes and files added up.
    assert [(field.name, field.type) for field in output.facets["schema"].fields] == [
        ("offerId", "integer"),
        ("cost", "double"),
        ("x", "string"),
    ]
    statistics = output.outputFacets["outputStatistics"]
    assert (statistics.rowCount, statistics.size, statistics.fileCount) == (7, 200, 2)
    (report,) = lineage.inputs
    assert (report.namespace, report.name) == ("peerclick://api.peerclick.com/key-id", "report/offer")


def test_a_task_that_recorded_nothing_leaves_lineage_to_its_declared_outlets():
    lineage = ReportLineageMixin().get_openlineage_facets_on_complete(task_instance=None)
    assert (lineage.inputs, lineage.outputs) == ([], [])


IMPORT_AND_BUILD = """
import sys
from airflow_provider_peerclick.operators.report import PeerClickReportOperator
from airflow_provider_peerclick.operators.report import PeerClickReportToStorageOperator
PeerClickReportOperator(task_id="report", group_by="campaign")
PeerClickReportToStorageOperator(task_id="land", destination="file:///data", group_by="campaign")
lineage = ("openlineage.", "airflow.providers.openlineage.extractors.")
lineage += ("airflow.providers.common.compat.openlineage.",)
print(sorted(name for name in sys.modules if f"{name}.".startswith(lineage)))
"""


def test_the_tasks_load_no_openlineage_code_until_its_listener_asks(tmp_path):
    # Without the extra, Airflow runs the tasks as long as nothing imports OpenLineage before its
    # listener calls get_openlineage_facets_on_complete (which only happens with the provider installed).
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_AND_BUILD],
        env={"AIRFLOW_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines()[-1] == "[]"
