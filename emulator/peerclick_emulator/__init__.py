"""A local emulator of the PeerClick API, for development and tests (`peerclick-emulator`).

Written from the API facts alone; it shares no code with the hook, so a misreading in one shows up as a
failing test instead of cancelling out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from peerclick_emulator.config import EmulatorConfig

if TYPE_CHECKING:
    from fastapi import FastAPI

__version__ = "0.1.0"
__all__ = ["EmulatorConfig", "__version__", "create_app"]


def create_app(config: EmulatorConfig | None = None) -> FastAPI:
    """Build the emulator's ASGI app (imported lazily: FastAPI is only needed to serve)."""
    from peerclick_emulator.app import create_app as _create_app

    return _create_app(config)
