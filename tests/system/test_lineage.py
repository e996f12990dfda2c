"""OpenLineage events of the report tasks under real Airflow (`airflow dags test`, the OpenLineage
provider's listener and file transport) against the emulator."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import BIN, LOGICAL_DATE, register_assets, run

pytestmark = pytest.mark.slow


def complete_events(events_file: Path) -> dict[str, dict]:
    """The COMPLETE event of each task, by task ID."""
    events = [json.loads(line) for line in events_file.read_text().splitlines() if line.strip()]
    return {
        event["job"]["name"].removeprefix("peerclick_lineage."): event
        for event in events
        if event["eventType"] == "COMPLETE" and event["job"]["name"].startswith("peerclick_lineage.")
    }


def test_report_tasks_emit_their_input_and_output_datasets_and_no_secret(airflow_home, emulator, tmp_path):
    lake, events_file = tmp_path / "lake", tmp_path / "openlineage.jsonl"
    transport = {"type": "file", "log_file_path": str(events_file), "append": True}
    env = {
        **airflow_home.env,
        **emulator.conn_uri_env(),
        "PEERCLICK_TEST_LANDING_URL": lake.as_uri(),
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(transport),
    }
    register_assets(env)
    done = run([str(BIN / "airflow"), "dags", "test", "peerclick_lineage", LOGICAL_DATE], env, timeout=300)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]

    events = complete_events(events_file)
    assert sorted(events) == ["hook_landing", "land", "summary"]
    account = f"peerclick://{urlsplit(emulator.base_url).netloc}/{emulator.access_id}"
    partition = lake / "campaign" / "date=2026-11-19"
    manifest = json.loads((partition / "_manifest.json").read_text())

    (report,) = events["land"]["inputs"]
    assert (report["namespace"], report["name"]) == (account, "report/campaign")
    assert [(f["name"], f["type"]) for f in report["facets"]["schema"]["fields"]] == [
        ("campaignId", "integer"),
        ("campaignName", "string"),
        ("visits", "integer"),
        ("clicks", "integer"),
        ("revenue", "double"),
    ]
    (landed,) = events["land"]["outputs"]
    assert (landed["namespace"], landed["name"]) == ("file", f"{lake}/campaign")
    schema = [field["name"] for field in landed["facets"]["schema"]["fields"]]
    assert schema == manifest["columns"] == ["campaignId", "campaignName", "visits", "clicks", "revenue"]
    statistics = landed["outputFacets"]["outputStatistics"]
    assert statistics["rowCount"] == manifest["row_count"] > 8  # more than one page of 8 rows
    assert statistics["size"] == sum(entry["bytes"] for entry in manifest["files"]) > 0
    assert statistics["fileCount"] == len(manifest["files"]) == 1

    (summary,) = events["summary"]["inputs"]
    assert (summary["namespace"], summary["name"]) == (account, "report/country")
    assert summary["facets"]["schema"]["fields"][0] == {"name": "countryCode", "type": "string", "fields": []}
    assert events["summary"]["outputs"] == []

    # A @task using the hook and the storage module: its lineage from Airflow's hook lineage collector.
    reads = {(read["namespace"], read["name"]) for read in events["hook_landing"]["inputs"]}
    # Airflow 3.0's ObjectStoragePath reports the files it opens as inputs too (the manifest it replaces).
    assert {read for read in reads if read[0] != "file"} == {(account, "report/offer")}
    assert all(name.startswith(f"{lake}/offer/") for namespace, name in reads if namespace == "file")
    (wrote,) = events["hook_landing"]["outputs"]
    assert (wrote["namespace"], wrote["name"]) == ("file", f"{lake}/offer")
    assert (lake / "offer" / "date=2026-11-19" / "_manifest.json").exists()

    text = events_file.read_text()
    secrets = [emulator.access_key, *emulator.issued_tokens()]
    assert len(secrets) > 1  # the run exchanged the key for at least one token
    assert [secret for secret in secrets if secret in text] == []
    print(f"lineage: {len(events)} COMPLETE events, {len(text.splitlines())} events in all, {statistics}")
    assert emulator.stats()["refused"] == 0
