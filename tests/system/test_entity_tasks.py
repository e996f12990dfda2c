"""Campaign and offer operators and sensors inside real Airflow (dag.test) against the emulator."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_entity_tasks_in_airflow(run_dag, emulator):
    result = run_dag("entities_dag", emulator)
    tasks, xcom, log = result["tasks"], result["xcom"], result["log"]
    assert {task: state for task, state in tasks.items() if state != "success"} == {"missing": "failed"}, log[
        -6000:
    ]

    assert xcom["listed"]
    assert all(campaign["status"] == "ACTIVE" for campaign in xcom["listed"])
    assert xcom["got"]["id"] == 2
    # An Airflow-level retry of a create finds the first one instead of making a second.
    assert xcom["again"]["id"] == xcom["created"]["id"]
    assert "Reusing offer" in log
    # The update is a merge: the payout changed, the rest of the offer kept.
    assert xcom["payout"]["payout"]["value"] == 2.5
    assert xcom["payout"]["url"] == xcom["created"]["url"]
    assert xcom["paused"]["status"] == "PAUSED"
    assert xcom["by_name"]["id"] == xcom["created"]["id"]
    # The deferred sensor for an offer that never appears times out from its trigger, loudly.
    assert "not done within timeout=7" in log

    stats = emulator.stats()
    print(f"entities DAG: {result['seconds']:.1f} s, emulator stats {stats}")
    assert stats["refused"] == 0
    assert stats["peak_per_second"]["all"] <= 3
