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
        self._sha256.update(data)
        self._target.write(data)
        size = len(data) if not isinstance(data, memoryview) else data.nbytes
        self.bytes_written += size
        return size

    def tell(self) -> int:
        return self.bytes_written

    def flush(self) -> None:
        self._target.flush()

    def writable(self) -> bool:
        return True

    def close(self) -> None:
        self.closed = True

    @property
    def sha256(self) -> str:
        return self._sha256.hexdigest()
