"""Errors raised by the PeerClick provider.

Messages name the request (method and path) and PeerClick's own ``description``; they never carry the
access key or a session token, so they are safe to log and to show in the Airflow UI.
"""

from __future__ import annotations

from typing import Any

from airflow.exceptions import AirflowException

from airflow_provider_peerclick.version_compat import AirflowFailException


class PeerClickError(AirflowException):
    """Base class of every error this provider raises."""

    def __reduce__(self) -> tuple[Any, ...]:
        # The default rebuilds an exception by calling the class with ``args`` (the message alone), which
        # the classes with fields cannot take: pickle and deepcopy would fail. Restore, never re-init.
        return (_restored, (type(self), self.args), self.__dict__)


def _restored(cls: type[PeerClickError], args: tuple[Any, ...]) -> PeerClickError:
    error = cls.__new__(cls)
    error.args = args
    return error


class PeerClickInvalidArgumentError(PeerClickError, AirflowFailException, ValueError):
    """An argument was rejected before any request was sent. The task fails without its retries: the same
    arguments would be rejected again."""


class PeerClickConnectionConfigError(PeerClickError, AirflowFailException):
    """The Airflow connection lacks a field or holds a value the provider cannot use (or the deployment is
    set up so it cannot keep the rate limits). The task fails without its retries: fix, then clear it."""


class PeerClickStoreUnavailableError(PeerClickError):
    """The shared rate-limit store (Redis, or the host-local folder) did not answer within the retry
    budget, so no request was sent. Unlike a configuration error, a task retry may find it back."""


class PeerClickAPIError(PeerClickError):
    """PeerClick answered with an error status."""

    def __init__(self, status: int, method: str, path: str, description: str | None) -> None:
        self.status = status
        self.method = method
        self.path = path
        self.description = description
        detail = f": {description}" if description else ""
        super().__init__(f"PeerClick answered HTTP {status} to {method} {path}{detail}")


class PeerClickServerError(PeerClickAPIError):
    """A 5xx answer: PeerClick or a gateway in front of it failed."""


class PeerClickAuthError(PeerClickAPIError):
    """The access key was refused, or a fresh session token was refused too."""


class PeerClickRedirectError(PeerClickAPIError):
    """A redirect the provider does not follow; ``location`` is where it pointed, without its query."""

    def __init__(self, status: int, method: str, path: str, location: str, reason: str) -> None:
        self.location = location
        super().__init__(status, method, path, f"redirected to {location}; {reason}")


class PeerClickRateLimitError(PeerClickAPIError):
    """PeerClick refused the request for exceeding its rate limit."""

    def __init__(
        self, status: int, method: str, path: str, description: str | None, retry_after: float | None
    ) -> None:
        self.retry_after = retry_after
        super().__init__(status, method, path, description)


class PeerClickTransportError(PeerClickError):
    """The request did not get an answer: connection refused or reset, timeout, unreadable body."""

    def __init__(self, method: str, path: str, reason: str, *, may_have_reached_server: bool) -> None:
        self.method = method
        self.path = path
        self.may_have_reached_server = may_have_reached_server
        super().__init__(f"{method} {path} got no usable answer from PeerClick: {reason}")


class PeerClickTLSError(PeerClickTransportError):
    """The server's certificate failed verification: not retried, since no retry can make it trusted."""
