"""Every provider error survives pickle and deepcopy with its message and fields (Airflow copies them), and
only the errors no retry can mend skip the task's retries."""

from __future__ import annotations

import copy
import inspect
import pickle

import pytest

from airflow_provider_peerclick import exceptions
from airflow_provider_peerclick.exceptions import (
    PeerClickAPIError,
    PeerClickAuthError,
    PeerClickConnectionConfigError,
    PeerClickError,
    PeerClickInvalidArgumentError,
    PeerClickRateLimitError,
    PeerClickRedirectError,
    PeerClickServerError,
    PeerClickStoreUnavailableError,
    PeerClickTLSError,
    PeerClickTransportError,
)
from airflow_provider_peerclick.storage.errors import PeerClickReconciliationError, PeerClickStorageError
from airflow_provider_peerclick.version_compat import AirflowFailException

EXAMPLES = [
    PeerClickError("something failed"),
    PeerClickInvalidArgumentError("group_by: got 'week'; allowed: campaign, offer"),
    PeerClickConnectionConfigError("PeerClick connection 'pc' cannot be used: login is empty"),
    PeerClickAPIError(404, "GET", "/campaign/9", "Campaign 9 not found"),
    PeerClickServerError(503, "POST", "/offer", None),
    PeerClickAuthError(401, "POST", "/auth/access/session", "Invalid access key"),
    PeerClickRateLimitError(429, "GET", "/report", "Too many requests", 2.5),
    PeerClickTransportError("POST", "/campaign", "timed out", may_have_reached_server=True),
    PeerClickRedirectError(307, "POST", "/auth/access/session", "http://elsewhere/v1", "not followed"),
    PeerClickTLSError("GET", "/offer", "TLS verification failed", may_have_reached_server=False),
    PeerClickStoreUnavailableError("The shared rate-limit store did not answer (ConnectionError)"),
    PeerClickStorageError("could not write part-0000.jsonl"),
    PeerClickReconciliationError("Fetched 10 rows but PeerClick announced 11; nothing was committed"),
]


def _round_trip(error: BaseException, protocol: int = pickle.DEFAULT_PROTOCOL) -> BaseException:
    return pickle.loads(pickle.dumps(error, protocol=protocol))  # noqa: S301 - bytes made just above


def _same(copied: BaseException, original: BaseException) -> None:
    assert type(copied) is type(original)
    assert str(copied) == str(original)
    assert copied.args == original.args
    assert vars(copied) == vars(original)


def test_every_error_class_has_an_example():
    classes = {
        cls
        for _, cls in inspect.getmembers(exceptions, inspect.isclass)
        if issubclass(cls, PeerClickError) and cls.__module__ == exceptions.__name__
    }
    assert classes <= {type(example) for example in EXAMPLES}


@pytest.mark.parametrize("error", EXAMPLES, ids=lambda error: type(error).__name__)
def test_pickle_round_trip_keeps_message_and_fields(error):
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        _same(_round_trip(error, protocol), error)


@pytest.mark.parametrize("error", EXAMPLES, ids=lambda error: type(error).__name__)
def test_copy_and_deepcopy_keep_message_and_fields(error):
    _same(copy.copy(error), error)
    _same(copy.deepcopy(error), error)


def test_fields_survive_by_name():
    error = _round_trip(PeerClickRateLimitError(429, "GET", "/report", "slow", 1.5))
    assert (error.status, error.method, error.path, error.description, error.retry_after) == (
        429,
        "GET",
        "/report",
        "slow",
        1.5,
    )
    lost = copy.deepcopy(PeerClickTransportError("GET", "/offer", "reset", may_have_reached_server=False))
    assert (lost.method, lost.path, lost.may_have_reached_server) == ("GET", "/offer", False)


# The task runner fails a task at once, without its retries, on AirflowFailException: right for what the
# same arguments and connection would raise again, wrong for what may heal (a store outage, a 5xx).
FINAL = {PeerClickInvalidArgumentError, PeerClickConnectionConfigError}


@pytest.mark.parametrize("error", EXAMPLES, ids=lambda error: type(error).__name__)
def test_only_errors_no_retry_can_mend_skip_the_retries(error):
    assert isinstance(error, AirflowFailException) == (type(error) in FINAL)
