"""Serving with uvicorn: a pre-bound socket, the URL announcement, connection drops, clean stops."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from peerclick_emulator.app import create_app
from peerclick_emulator.config import EmulatorConfig
from peerclick_emulator.connection import CONNECTION_EXTENSION, ConnectionControl

URL_LINE_PREFIX = "PEERCLICK_EMULATOR_URL="
ASGIApp = Callable[[Any, Any, Any], Any]


def _with_connection_control(app: ASGIApp, transport: asyncio.Transport) -> ASGIApp:
    """Give each request a ConnectionControl; once it drops the connection, swallow the app's answer."""

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        control = ConnectionControl(transport)
        scope.setdefault("extensions", {})[CONNECTION_EXTENSION] = control

        async def guarded_send(message: Any) -> None:
            if not control.dropped:
                await send(message)

        await app(scope, receive, guarded_send)
        if control.dropped:
            # One loop turn lets connection_lost mark the cycle disconnected, so uvicorn does not try to
            # send a 500 for the response that was never started.
            await asyncio.sleep(0)

    return wrapped


class DroppableH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, plus the means for a fault to close the socket without any response."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.app = _with_connection_control(self.app, transport)


class EmulatorServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._on_started()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn re-raises the caught signal after shutting down, which would end the process "killed by
        # SIGTERM"; for the emulator a stop request is a normal, successful exit.
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)


def bind(host: str, port: int) -> socket.socket:
    """Listen before announcing anything, so `--port 0` can report the port the OS chose."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family)


def base_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/v1"


def _announce(url: str, port: int, port_file: Path | None) -> None:
    if port_file is not None:
        # Write-then-rename: a reader polling for the file never sees it half-written.
        partial = port_file.with_name(port_file.name + ".partial")
        partial.write_text(f"{port}\n")
        os.replace(partial, port_file)
    print(f"{URL_LINE_PREFIX}{url}", flush=True)


def _log_config() -> dict[str, Any]:
    # stdout carries only the URL line, for scripts to parse; every log line goes to stderr.
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["handlers"]["access"]["stream"] = "ext://sys.stderr"
    return log_config


def serve(config: EmulatorConfig) -> None:
    """Run until SIGINT or SIGTERM."""
    sock = bind(config.host, config.port)
    port = sock.getsockname()[1]
    uvicorn_config = uvicorn.Config(
        create_app(config),
        http=DroppableH11Protocol,
        lifespan="off",
        access_log=config.verbose,
        log_level="info" if config.verbose else "warning",
        log_config=_log_config(),
        server_header=False,
        timeout_graceful_shutdown=2,
    )
    server = EmulatorServer(
        uvicorn_config, lambda: _announce(base_url(config.host, port), port, config.port_file)
    )
    server.run(sockets=[sock])
