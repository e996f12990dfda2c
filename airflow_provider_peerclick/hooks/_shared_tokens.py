"""Session tokens shared through a store (Redis, or the host-local folder), by every process using it.

Every Airflow task is a process of its own, so a per-process token costs one key exchange per task: a
third of a small backfill's requests. With a store, the first process to need a token exchanges the key
and leaves the token there; the others take it, and processes starting together wait for that one
exchange instead of each making their own. Without Redis, the host-local store does the same for the
processes of one host, whatever the rate budget's mode.

The store is not trusted with the token: it is kept there encrypted (Fernet) with a key derived from the
access key, which only holders of the access key can derive, under a name that is a digest as well.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from airflow_provider_peerclick.hooks._connection import PeerClickSettings
from airflow_provider_peerclick.hooks._rate_store import async_store_client, store_client
from airflow_provider_peerclick.hooks._store_calls import astore_call, store_call
from airflow_provider_peerclick.hooks._tokens import SessionToken

# How long others wait for the process that is exchanging the key, before exchanging it themselves.
_EXCHANGE_WAIT_SECONDS = 30.0
_EXCHANGE_WAIT_MS = int(_EXCHANGE_WAIT_SECONDS * 1000)
_POLL_SECONDS = 0.05


class SharedTokens:
    """The token of one credential in the store at ``url``."""

    def __init__(self, url: str, settings: PeerClickSettings) -> None:
        self._client = store_client(url)
        self._url = url
        self._patience = settings.max_retry_seconds
        secret = settings.access_key.encode()
        self._fernet = Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"token-cipher\0" + secret).digest()))
        who = "\0".join((settings.base_url, settings.access_id)).encode()
        name = hashlib.sha256(b"token-name\0" + who + b"\0" + secret).hexdigest()
        self._key = f"peerclick:token:{name}"
        self._lock = f"{self._key}:exchanging"

    def get(self, exchange: Callable[[], SessionToken]) -> SessionToken:
        """The shared token if it is fresh; else one exchange for every process that asks meanwhile."""
        deadline = time.monotonic() + _EXCHANGE_WAIT_SECONDS
        while True:
            token = self._load()
            if token is not None and token.fresh(time.time()):
                return token
            if self._store(self._client.set, self._lock, "1", nx=True, px=_EXCHANGE_WAIT_MS):
                try:
                    token = exchange()
                    self._save(token)
                    return token
                finally:
                    self._store(self._client.delete, self._lock)
            if time.monotonic() > deadline:  # the exchanging process died or hangs: do not wait on it
                return exchange()
            time.sleep(_POLL_SECONDS)

    async def aget(self, exchange: Callable[[], Awaitable[SessionToken]]) -> SessionToken:
        """``get`` for a coroutine (a trigger): the store is asked through the loop's client."""
        client = async_store_client(self._url)
        deadline = time.monotonic() + _EXCHANGE_WAIT_SECONDS
        while True:
            token = self._unsealed(await self._astore(client.get, self._key))
            if token is not None and token.fresh(time.time()):
                return token
            if await self._astore(client.set, self._lock, "1", nx=True, px=_EXCHANGE_WAIT_MS):
                try:
                    token = await exchange()
                    if (sealed := self._sealed(token)) is not None:
                        await self._astore(client.set, self._key, sealed[0], px=sealed[1])
                    return token
                finally:
                    await self._astore(client.delete, self._lock)
            if time.monotonic() > deadline:
                return await exchange()
            await asyncio.sleep(_POLL_SECONDS)

    def forget(self, *refused: SessionToken) -> None:
        """Drop the ``refused`` tokens after PeerClick refused them, unless another process already replaced
        them."""
        stored = self._load() if refused else None
        if stored is not None and stored.value in {token.value for token in refused}:
            self._store(self._client.delete, self._key)

    async def aforget(self, *refused: SessionToken) -> None:
        """``forget`` for a coroutine."""
        if not refused:
            return
        client = async_store_client(self._url)
        stored = self._unsealed(await self._astore(client.get, self._key))
        if stored is not None and stored.value in {token.value for token in refused}:
            await self._astore(client.delete, self._key)

    def _load(self) -> SessionToken | None:
        return self._unsealed(self._store(self._client.get, self._key))

    def _save(self, token: SessionToken) -> None:
        if (sealed := self._sealed(token)) is not None:
            self._store(self._client.set, self._key, sealed[0], px=sealed[1])

    def _unsealed(self, sealed: bytes | None) -> SessionToken | None:
        if not sealed:
            return None
        try:
            fields = json.loads(self._fernet.decrypt(sealed))
            return SessionToken(str(fields["value"]), float(fields["expires_at"]), float(fields["lifetime"]))
        except (InvalidToken, ValueError, KeyError, TypeError):
            return None  # written with another key, or garbled: exchange anew

    def _sealed(self, token: SessionToken) -> tuple[bytes, int] | None:
        """The token encrypted, and for how many milliseconds the store keeps it (None: already lapsed)."""
        ttl = int((token.expires_at - time.time()) * 1000)
        if ttl <= 0:
            return None
        fields = {"value": token.value, "expires_at": token.expires_at, "lifetime": token.lifetime}
        return self._fernet.encrypt(json.dumps(fields).encode()), ttl

    def _store(self, command: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return store_call(_SHARING, command, *args, store=self._url, patience=self._patience, **kwargs)

    async def _astore(self, command: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> Any:
        return await astore_call(_SHARING, command, *args, store=self._url, patience=self._patience, **kwargs)


_SHARING = "sharing the session token"
