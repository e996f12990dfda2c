"""A write-only file wrapper that hashes and counts what passes through it."""

from __future__ import annotations

import hashlib
from typing import IO


class HashingSink:
    """
    Forwards bytes to ``target`` while computing their sha256, so no file is read back to checksum it.

    ``close()`` does not close ``target``: writers (pyarrow's among them) may close what they were given,
    and the owner of ``target`` must decide when the bytes are final.
    """

    def __init__(self, target: IO[bytes]) -> None:
        self._target = target
        self._sha256 = hashlib.sha256()
        self.bytes_written = 0
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> int:
        """Write ``data`` through, hashing and counting it."""
        self._sha256.update(data)
        self._target.write(data)
        size = len(data) if not isinstance(data, memoryview) else data.nbytes
        self.bytes_written += size
        return size

    def tell(self) -> int:
        """The bytes written so far."""
        return self.bytes_written

    def flush(self) -> None:
        """Flush the target."""
        self._target.flush()

    def writable(self) -> bool:
        """Always True: a sink is written to."""
        return True

    def close(self) -> None:
        """Mark the sink closed; the target is closed by whoever opened it."""
        self.closed = True

    @property
    def sha256(self) -> str:
        """The hex SHA-256 of what was written."""
        return self._sha256.hexdigest()
