"""A partition folder whose manifest is the single commit point, on local disks and object stores alike.

Each run's data has names of its own (``part-{run}-0000.jsonl``) and ``_manifest.json``, replaced whole,
names them: a reader that follows the manifest sees either the previous complete partition or the new
one, at any moment. Only then are the parts the replaced manifest named removed.

Readers that glob see more. On a local (POSIX) disk a part is written under a name no glob for data
matches (``_tmp-{run}-0000.jsonl.partial``: Spark, Hive and pyarrow skip ``_``, and the extension is not a
data file's), renamed to its ``part-`` name only at commit, and the replaced part removed right after,
so a glob sees the old part or the new one but for the microseconds between. Object stores have no rename
(a move is a copy plus a delete), so their parts carry ``part-`` names while they are written: there only
manifest readers are safe (docs/guide/landing-files.md).

A run killed at any point leaves at worst files that no manifest names. The next landing of the partition
sweeps those whose run can no longer be running: the task's own earlier tries (Airflow's try number), a
local ``part-`` not named a minute after its commit, anything older than a day.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import posixpath
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any

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
# A local part is renamed into place microseconds before its manifest is published; one that no manifest
# names this long after it was renamed was left by a run killed in between.
COMMIT_WINDOW_SECONDS = 60
STAGED_SUFFIX = ".partial"
_STAMPED = re.compile(
    r"^(?:part-|_tmp-)(?P<stamp>\d{8}T\d{6}Z)-[0-9a-f]+-(?:(?P<task>[0-9a-f]{12})t(?P<try>\d+)-)?"
)


@dataclass(frozen=True)
class Attempt:
    """One try of one task instance, as its files' names record it: ``task`` is a digest of the task
    instance's key (DAG, task, run, map index), ``try_number`` Airflow's."""

    task: str
    try_number: int

    @classmethod
    def of(cls, dag_id: str, task_id: str, run_id: str, map_index: int, try_number: int) -> Attempt:
        """The attempt of a task instance's try: a short key of its DAG, task, run and map index, and the
        try number."""
        key = "\x1f".join((dag_id, task_id, run_id, str(map_index)))
        return cls(hashlib.sha256(key.encode()).hexdigest()[:12], int(try_number))


def run_token(now: float, attempt: Attempt | None = None) -> str:
    """A name unique to one run that also says when it started (and which task try it is), so leftovers
    can be judged by name alone."""
    token = f"{time.strftime(_STAMP_FORMAT, time.gmtime(now))}-{secrets.token_hex(4)}"
    return token if attempt is None else f"{token}-{attempt.task}t{attempt.try_number}"


def started_at(name: str) -> float | None:
    """When the run that wrote ``name`` started, or None for a name without a run token."""
    match = _STAMPED.match(name)
    if match is None:
        return None
    return pendulum.from_format(match.group("stamp"), "YYYYMMDDTHHmmss[Z]", tz="UTC").timestamp()


def written_by(name: str) -> Attempt | None:
    """The task try that wrote ``name``, when its name records one."""
    match = _STAMPED.match(name)
    if match is None or match.group("task") is None:
        return None
    return Attempt(match.group("task"), int(match.group("try")))


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
        attempt: Attempt | None = None,
    ) -> None:
        self.directory = directory
        self._fs = directory.fs
        self._local = isinstance(self._fs, LocalFileSystem)
        self._root = directory.path.rstrip("/")
        self._now = time.time() if now is None else now
        self._attempt = attempt
        self.token = run_token(self._now, attempt)
        self._grace = ORPHAN_GRACE_SECONDS if orphan_grace_seconds is None else orphan_grace_seconds
        self._written: list[str] = []
        self._staged: list[tuple[str, str]] = []
        self._created: list[str] = []

    def __enter__(self) -> StagedPartition:
        self._created = self._missing_folders()
        self._fs.makedirs(self._root, exist_ok=True)
        if not self._created:
            try:
                self._sweep(keep=set())
            except Exception:
                log.warning("Could not sweep leftovers in %s", self._root, exc_info=True)
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

    def file_entry(self, suffix: str, sink: HashingSink, rows: int) -> dict[str, Any]:
        """The manifest's entry for the part ``suffix``, written through ``sink``: its name, rows, bytes
        and checksum."""
        return {
            "name": self.part_name(suffix),
            "rows": rows,
            "bytes": sink.bytes_written,
            "sha256": sink.sha256,
        }

    @contextmanager
    def open_part(self, suffix: str) -> Iterator[HashingSink]:
        """A sink for the part ``part_name(suffix)``, hashed as it is written (on a local disk under a
        staged name that globs miss, until the commit renames it)."""
        name = self.part_name(suffix)
        written = f"{TEMP_PREFIX}{self.token}-{suffix}{STAGED_SUFFIX}" if self._local else name
        self._written.append(written)
        if written != name:
            self._staged.append((written, name))
            self._written.append(name)  # removed too if the commit fails after renaming it
        with self._fs.open(self._path(written), "wb") as target:
            yield HashingSink(target)

    def commit(self, manifest: bytes) -> None:
        """Publish ``manifest`` (which names this run's parts), then remove what it replaced."""
        self._fs.invalidate_cache(self._root)
        replaced = read_manifest(self.directory)
        for staged, name in self._staged:
            self._fs.mv(self._path(staged), self._path(name))
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
        self._staged.clear()
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
        """Remove the files no manifest names whose run can no longer be running."""
        self._fs.invalidate_cache(self._root)
        # A slow run may have committed since ours: what the manifest names now is never a leftover.
        keep = keep | named_files(read_manifest(self.directory))
        for entry in self._fs.ls(self._root, detail=True):
            name = posixpath.basename(entry["name"].rstrip("/"))
            if name in keep or name == MANIFEST_NAME or not name.startswith((PART_PREFIX, TEMP_PREFIX)):
                continue
            if self._is_leftover(name, entry):
                self._remove(name)

    def _is_leftover(self, name: str, entry: dict) -> bool:
        started = started_at(name)
        if started is None or self._now - started > self._grace:
            return True
        writer = written_by(name)
        if self._attempt is not None and writer is not None and writer.task == self._attempt.task:
            return writer.try_number < self._attempt.try_number  # an earlier try of this very task
        # Renamed into place, yet no manifest names it: its run was killed between rename and publish.
        modified = entry.get("mtime")
        return (
            self._local
            and name.startswith(PART_PREFIX)
            and isinstance(modified, int | float)
            and time.time() - modified > COMMIT_WINDOW_SECONDS
        )

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
