"""Campaign and offer operators and sensors inside real Airflow (dag.test) against the emulator."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_entity_tasks_in_airflow(run_dag, emulator):
    links = {
        "campaign_link": "https://panel.example/c/{id}",
        "offer_link": "https://panel.example/offers?id={id}",
    }
    result = run_dag("entities_dag", emulator, env=emulator.process.connection_env(**links))
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

    # The entity each task read, made or waited for, as the UI's extra link (none for a list, nor for
    # the sensor that never found its offer).
    offer = f"https://panel.example/offers?id={xcom['created']['id']}"
    assert result["links"] == {
        "get_offer": {"PeerClick offer": "https://panel.example/offers?id=2"},
        "create_offer": {"PeerClick offer": offer},
        "create_again": {"PeerClick offer": offer},
        "payout": {"PeerClick offer": offer},
        "pause": {"PeerClick campaign": "https://panel.example/c/3"},
        "paused": {"PeerClick campaign": "https://panel.example/c/3"},
        "by_name": {"PeerClick offer": offer},
        "missing": {"PeerClick offer": None},
    }

    stats = emulator.stats()
    print(f"entities DAG: {result['seconds']:.1f} s, emulator stats {stats}")
    assert stats["refused"] == 0
    assert stats["peak_per_second"]["all"] <= 3
