"""A handle on the TCP connection of the current request, so a fault can cut it without answering."""

from __future__ import annotations

import asyncio

# Key in the ASGI scope's "extensions"; set by the emulator's own HTTP protocol (server.py).
CONNECTION_EXTENSION = "peerclick.emulator.connection"


class ConnectionControl:
    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self.dropped = False

    def drop(self) -> None:
        """Close the socket at once: the client sees the connection end with no response at all."""
        self.dropped = True
        self._transport.abort()
