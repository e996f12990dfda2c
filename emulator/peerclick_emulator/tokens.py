"""Session tokens issued for access keys."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass
class Session:
    account: str
    expires_at: float  # time.monotonic() deadline, immune to wall-clock jumps


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expiration_timestamp: str


class TokenStore:
    """Opaque random tokens; the store is the only place that knows which account owns one."""

    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}
        self.issued = 0
        self.issued_by_account: dict[str, int] = {}

    def reset(self) -> None:
        self._sessions.clear()
        self.issued = 0
        self.issued_by_account = {}

    def issue(self, account: str, lifetime: int, now: float) -> IssuedToken:
        token = secrets.token_urlsafe(32)
        self._sessions[token] = Session(account, now + lifetime)
        self.issued += 1
        self.issued_by_account[account] = self.issued_by_account.get(account, 0) + 1
        expires = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=lifetime)
        return IssuedToken(token, expires.strftime("%Y-%m-%dT%H:%M:%SZ"))

    def values(self) -> list[str]:
        """Every token issued since the last reset, expired ones included (for secret scans)."""
        return list(self._sessions)

    def owner(self, token: str) -> str | None:
        """The account a token was issued to, expired or not (rate limits still apply to it)."""
        session = self._sessions.get(token)
        return session.account if session else None

    def is_valid(self, token: str, now: float) -> bool:
        session = self._sessions.get(token)
        return session is not None and now < session.expires_at

    def expire_all(self) -> None:
        for session in self._sessions.values():
            session.expires_at = float("-inf")
