"""Land a partition on S3 and kill this process (SIGKILL, no cleanup) at a chosen point of the landing.

    python land_and_die.py DESTINATION VERSION KILL_AT [TRY]

KILL_AT: ``writing`` (mid-way through the data), ``before_manifest`` (parts written, manifest not yet),
``after_manifest`` (manifest replaced, the replaced parts not yet removed), or ``never``. With TRY, the
landing is that try of one task instance (``ATTEMPT_KEY``), as the storage operator's would be.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from airflow.sdk import ObjectStoragePath
from s3_partitions import QUERY, pages

from airflow_provider_peerclick.storage import land_report
from airflow_provider_peerclick.storage.staged_partition import Attempt, StagedPartition

ATTEMPT_KEY = ("dag", "land", "scheduled__2026-11-25T00:00:00+00:00", -1)


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def dying_pages(version: int) -> Iterator:
    for number, page in enumerate(pages(version)):
        if number == 2:
            die()
        yield page


def main(destination: str, version: int, kill_at: str, attempt: Attempt | None = None) -> None:
    publish = StagedPartition._publish

    def publish_and_maybe_die(self: StagedPartition, manifest: bytes) -> None:
        if kill_at == "before_manifest":
            die()
        publish(self, manifest)
        if kill_at == "after_manifest":
            die()

    StagedPartition._publish = publish_and_maybe_die  # type: ignore[method-assign]
    source = dying_pages(version) if kill_at == "writing" else pages(version)
    land_report(source, base=ObjectStoragePath(destination), query=QUERY, attempt=attempt)


if __name__ == "__main__":
    tried = Attempt.of(*ATTEMPT_KEY, int(sys.argv[4])) if len(sys.argv) > 4 else None
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3], tried)
