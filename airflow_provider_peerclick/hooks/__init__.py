"""The API layer: ``PeerClickHook`` (``hooks.peerclick``), the one place that talks to PeerClick.

The modules beside it whose names start with ``_`` are the hook's parts (the connection's settings, argument
checks, the rate budget and its throttles, session tokens, retries, the HTTP transport): private to the
provider, imported by its tasks and storage but never by users. Nothing here imports a task, storage or the
emulator.
"""
