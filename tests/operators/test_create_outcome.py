"""A create whose outcome is unknown fails without Airflow retries, unless a retry can check by name."""

from __future__ import annotations

import time

import pytest

from airflow_provider_peerclick.exceptions import PeerClickServerError, PeerClickTransportError
from airflow_provider_peerclick.operators.entities import (
    PeerClickCreateCampaignOperator,
    PeerClickCreateOfferOperator,
)
from airflow_provider_peerclick.version_compat import AirflowFailException

KINDS = {
    "campaign": (PeerClickCreateCampaignOperator, {"name": "Spring sale", "workspaceId": 1}),
    "offer": (
        PeerClickCreateOfferOperator,
        {"name": "Spring promo", "workspaceId": 1, "url": "https://e.test/"},
    ),
}


@pytest.fixture
def connect(emulator, monkeypatch):
    """Point peerclick_default at the emulator, with these extras."""

    def connect(**extra: object) -> None:
        value = emulator.process.connection_json(max_retry_seconds=60, **extra)
        monkeypatch.setenv("AIRFLOW_CONN_PEERCLICK_DEFAULT", value)

    return connect


def _named(emulator, kind: str, name: str) -> int:
    # These two requests bypass the provider's budget but count in the account's window, which the
    # host-local budget may have just filled (3/s): let it pass first.
    time.sleep(1.0)
    session = emulator.session()
    entities = session.get(f"{emulator.base_url}/{kind}", timeout=10).json()[f"{kind}s"]
    return sum(1 for entity in entities if entity["name"] == name)


@pytest.mark.parametrize("kind", KINDS)
def test_a_create_answered_with_a_5xx_fails_the_task_without_retries(emulator, connect, kind):
    connect()
    operator_class, body = KINDS[kind]
    emulator.fault(path=f"/{kind}", method="POST", status=503)
    with pytest.raises(AirflowFailException) as error:
        operator_class(task_id="create", body=body).execute({})
    assert isinstance(error.value.__cause__, PeerClickServerError)
    message = str(error.value)
    assert f"{kind} named {body['name']!r}" in message
    assert "reuse_existing_by_name=True" in message


@pytest.mark.slow
def test_a_create_whose_answer_timed_out_fails_the_task_without_retries(emulator, connect):
    connect(read_timeout=1)
    operator_class, body = KINDS["offer"]
    emulator.fault(path="/offer", method="POST", latency=2.5)
    with pytest.raises(AirflowFailException, match="offer named 'Spring promo'") as error:
        operator_class(task_id="create", body=body).execute({})
    assert isinstance(error.value.__cause__, PeerClickTransportError)
    time.sleep(2)  # the emulator created it while the answer was late: exactly what the message warns of
    assert _named(emulator, "offer", "Spring promo") == 1


@pytest.mark.slow
def test_with_reuse_existing_by_name_the_error_is_retryable_and_a_retry_finds_the_entity(emulator, connect):
    connect(read_timeout=1)
    operator_class, body = KINDS["campaign"]
    operator = operator_class(task_id="create", body=body, reuse_existing_by_name=True)
    emulator.fault(path="/campaign", method="POST", latency=2.5)
    with pytest.raises(PeerClickTransportError):
        operator.execute({})
    time.sleep(2)
    again = operator_class(task_id="create", body=body, reuse_existing_by_name=True).execute({})
    assert again["name"] == body["name"]
    assert _named(emulator, "campaign", body["name"]) == 1


def test_a_failure_before_the_create_was_sent_keeps_airflow_retries(emulator, connect):
    connect(max_attempts=2)
    operator_class, body = KINDS["campaign"]
    emulator.fault(path="/auth", status=503, count=2)
    with pytest.raises(PeerClickServerError, match="/auth/access/session"):
        operator_class(task_id="create", body=body).execute({})
    assert _named(emulator, "campaign", body["name"]) == 0
