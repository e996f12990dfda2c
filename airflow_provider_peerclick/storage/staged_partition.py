"""A partition folder whose manifest is the single commit point, on local disks and object stores alike.

Object stores have no rename (a move is a copy plus a delete) and no atomic folder swap, so nothing is
moved into place. Each run writes its data under names of its own (``part-{run}-0000.jsonl``), then
replaces ``_manifest.json``, which names them: one object written whole, so a reader that follows the
manifest sees either the previous complete partition or the new one, at any moment. Only then are the
parts the replaced manifest named removed. A run killed at any point leaves at worst files that no
manifest names; later commits sweep those once they are old enough that no run can still be writing them.
"""

from __future__ import annotations

import contextlib
import logging
import posixpath
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

import pendulum
from airflow.sdk import ObjectStoragePath
from fsspec.implementations.local import LocalFileSystem

from airflow_provider_peerclick.storage.checksum import HashingSink
from airflow_provider_peerclick.storage.manifest import MANIFEST_NAME, named_files, read_manifest

log = logging.getLogger(__name__)

PART_PREFIX = "part-"
# Leading underscore: Spark, Hive and pyarrow.dataset skip such files.
TEMP_PREFIX = "_tmp-"
# Files no manifest names are another run's while they are younger than this: a landing may take hours
# (a big report at 1 request/s), and deleting a running landing's parts would make its commit name
# missing files. Older ones are leftovers of killed runs.
ORPHAN_GRACE_SECONDS = 24 * 3600
_STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
_STAMPED = re.compile(r"^(?:part-|_tmp-)(\d{8}T\d{6}Z)-[0-9a-f]+-")


def run_token(now: float) -> str:
    """A name unique to one run that also says when it started, so leftovers can be aged by name alone."""
    return f"{time.strftime(_STAMP_FORMAT, time.gmtime(now))}-{secrets.token_hex(4)}"


def started_at(name: str) -> float | None:
    """When the run that wrote ``name`` started, or None for a name without a run token."""
    match = _STAMPED.match(name)
    if match is None:
        return None
    return pendulum.from_format(match.group(1), "YYYYMMDDTHHmmss[Z]", tz="UTC").timestamp()


class StagedPartition:
    """
    Write a partition's parts under this run's names, then ``commit()`` a manifest that names them.

    Leaving the context without a commit removes this run's files (and any folder it created), so a
    failed run leaves nothing new behind; until the commit the previous partition is untouched.
    """

    def __init__(
        self,
        directory: ObjectStoragePath,
        *,
        orphan_grace_seconds: float | None = None,
        now: float | None = None,
    ) -> None:
        self.directory = directory
        self._fs = directory.fs
        self._root = directory.path.rstrip("/")
        self._now = time.time() if now is None else now
        self.token = run_token(self._now)
        self._grace = ORPHAN_GRACE_SECONDS if orphan_grace_seconds is None else orphan_grace_seconds
        self._written: list[str] = []
        self._created: list[str] = []

    def __enter__(self) -> StagedPartition:
        self._created = self._missing_folders()
        self._fs.makedirs(self._root, exist_ok=True)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._discard()

    def _path(self, name: str) -> str:
        return f"{self._root}/{name}"

    def _missing_folders(self) -> list[str]:
        """Folders from the partition up to the first that exists, deepest first."""
        missing, current = [], self._root
        while current and not self._fs.exists(current):
            missing.append(current)
            parent = posixpath.dirname(current)
            if parent == current:
                break
            current = parent
        return missing

    def part_name(self, suffix: str) -> str:
        """The name a part with ``suffix`` (e.g. ``0000.jsonl``) is written and committed under."""
        return f"{PART_PREFIX}{self.token}-{suffix}"

    @contextmanager
    def open_part(self, suffix: str) -> Iterator[HashingSink]:
        """A sink for the part ``part_name(suffix)``, hashed as it is written."""
        name = self.part_name(suffix)
        self._written.append(name)
        with self._fs.open(self._path(name), "wb") as target:
            yield HashingSink(target)

    def commit(self, manifest: bytes) -> None:
        """Publish ``manifest`` (which names this run's parts), then remove what it replaced."""
        self._fs.invalidate_cache(self._root)
        replaced = read_manifest(self.directory)
        try:
            self._publish(manifest)
        except Exception:
            # An answer lost after the store took the manifest: the partition is ours, and removing our
            # parts now (as a failed run does) would leave a manifest naming missing files.
            self._fs.invalidate_cache(self._root)
            if not self._is_ours(read_manifest(self.directory)):
                raise
            log.warning("Publishing the manifest of %s failed, yet it is in place", self._root, exc_info=True)
        ours = {name for name in self._written if name.startswith(PART_PREFIX)}
        self._written.clear()
        self._created.clear()
        # From here the new partition is live: what follows only tidies up, so a failure is logged.
        try:
            self._remove_replaced(replaced, keep=ours)
            self._sweep(keep=ours)
        except Exception:
            log.warning("Committed %s, but could not remove old files there", self._root, exc_info=True)

    def _is_ours(self, manifest: dict | None) -> bool:
        names = named_files(manifest)
        return bool(names) and all(name.startswith(self.part_name("")) for name in names)

    def _publish(self, manifest: bytes) -> None:
        final = self._path(MANIFEST_NAME)
        if not isinstance(self._fs, LocalFileSystem):
            # One PUT of the whole object: S3 and GCS replace an object atomically, with no rename to do.
            self._fs.pipe_file(final, manifest)
            return
        # A local file is visible while it is written: write it aside, then rename (atomic on POSIX).
        temp = f"{TEMP_PREFIX}{self.token}-{MANIFEST_NAME}"
        self._written.append(temp)
        self._fs.pipe_file(self._path(temp), manifest)
        self._fs.mv(self._path(temp), final)

    def _remove_replaced(self, replaced: dict | None, keep: set[str]) -> None:
        """Remove the parts the replaced manifest named, right away: no reader that follows the new
        manifest needs them (a reader still on the old one must read it again)."""
        for name in named_files(replaced) - keep:
            self._remove(name)

    def _sweep(self, keep: set[str]) -> None:
        """Remove files no manifest names whose run started longer ago than the grace period."""
        self._fs.invalidate_cache(self._root)
        # A slow run may have committed since ours: what the manifest names now is never a leftover.
        keep = keep | named_files(read_manifest(self.directory))
        for path in self._fs.ls(self._root, detail=False):
            name = posixpath.basename(path.rstrip("/"))
            if name in keep or name == MANIFEST_NAME or not name.startswith((PART_PREFIX, TEMP_PREFIX)):
                continue
            started = started_at(name)
            if started is None or self._now - started > self._grace:
                self._remove(name)

    def _remove(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):  # another run removed it first
            self._fs.rm(self._path(name))

    def _discard(self) -> None:
        # Cleaning up must never hide the error that got us here, so failures are only logged.
        for name in self._written:
            try:
                if self._fs.exists(self._path(name)):
                    self._fs.rm(self._path(name))
            except Exception:
                log.warning("Could not remove %s", self._path(name), exc_info=True)
        self._written.clear()
        for folder in self._created:
            try:
                if self._fs.exists(folder) and not self._fs.ls(folder, detail=False):
                    self._fs.rmdir(folder)
            except Exception:
                log.warning("Could not remove empty folder %s", folder, exc_info=True)
        self._created.clear()
