"""A partition folder whose files are written under temporary names and committed together, or not at all."""

from __future__ import annotations

import logging
import posixpath
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import TracebackType

from airflow.sdk import ObjectStoragePath

from airflow_provider_peerclick.storage.checksum import HashingSink
from airflow_provider_peerclick.storage.manifest import MANIFEST_NAME

log = logging.getLogger(__name__)

PART_PREFIX = "part-"
# Leading underscore: Spark, Hive and pyarrow.dataset skip such files, so readers never see half a part.
TEMP_PREFIX = "_tmp-"


class StagedPartition:
    """
    Stage files in a partition folder, then ``commit()`` them in place with the manifest last.

    fsspec commits whatever was written when an exception escapes ``open()`` (and so would a killed
    upload), so data only ever goes to temporary names; leaving the context without a commit removes them
    and any folder this object created, so a failed run leaves nothing new behind. Until the commit starts
    the previous partition is untouched. The commit removes the old manifest first: if the commit itself
    fails half-way, the folder has no manifest, which marks it incomplete until a rerun replaces it.
    """

    def __init__(self, directory: ObjectStoragePath) -> None:
        self.directory = directory
        self._fs = directory.fs
        self._root = directory.path.rstrip("/")
        self._token = uuid.uuid4().hex[:12]
        self._temps: dict[str, str] = {}
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

    @contextmanager
    def open_part(self, name: str) -> Iterator[HashingSink]:
        """A sink for the file that will be committed as ``name``, hashed as it is written."""
        temp = self._temps[name] = self._path(f"{TEMP_PREFIX}{self._token}-{name}")
        with self._fs.open(temp, "wb") as target:
            yield HashingSink(target)

    def commit(self, manifest: bytes) -> None:
        """Move the staged files into place, removing parts of earlier runs, then write the manifest."""
        with self.open_part(MANIFEST_NAME) as sink:
            sink.write(manifest)
        names = set(self._temps)
        final_manifest = self._path(MANIFEST_NAME)
        if self._fs.exists(final_manifest):
            self._fs.rm(final_manifest)
        for stale in self._leftovers(keep=names):
            self._fs.rm(stale)
        for name in sorted(names - {MANIFEST_NAME}):
            self._fs.mv(self._temps.pop(name), self._path(name))
        self._fs.mv(self._temps.pop(MANIFEST_NAME), final_manifest)
        self._created.clear()

    def _leftovers(self, keep: Iterable[str]) -> list[str]:
        """Parts of earlier runs that this commit does not overwrite, and temporary files of killed runs."""
        ours = set(self._temps.values())
        found = []
        for path in self._fs.ls(self._root, detail=False):
            name = posixpath.basename(path.rstrip("/"))
            if path in ours or name in keep:
                continue
            if name.startswith((PART_PREFIX, TEMP_PREFIX)):
                found.append(path)
        return found

    def _discard(self) -> None:
        # Cleaning up must never hide the error that got us here, so failures are only logged.
        for temp in list(self._temps.values()):
            try:
                if self._fs.exists(temp):
                    self._fs.rm(temp)
            except Exception:
                log.warning("Could not remove temporary file %s", temp, exc_info=True)
        self._temps.clear()
        for folder in self._created:
            try:
                if self._fs.exists(folder) and not self._fs.ls(folder, detail=False):
                    self._fs.rmdir(folder)
            except Exception:
                log.warning("Could not remove empty folder %s", folder, exc_info=True)
        self._created.clear()
