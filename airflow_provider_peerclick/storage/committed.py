"""What a landing committed, as a list of files: for loaders that take files rather than a folder or a
glob (BigQuery and Snowflake loads, DuckDB's ``read_parquet([...])``), and for stores where a glob is not
safe (object stores have no rename, so a part is visible there while it is written)."""

from __future__ import annotations

import argparse
import logging
import posixpath
import sys
from collections.abc import Sequence

from airflow.sdk import ObjectStoragePath

from airflow_provider_peerclick.storage.manifest import MANIFEST_NAME, read_manifest


def committed_files(path: str | ObjectStoragePath, conn_id: str | None = None) -> list[ObjectStoragePath]:
    """
    The data files the manifests under ``path`` name, partition by partition in path order: exactly the
    rows that were committed, each once, whatever else a killed or running landing left beside them.

    ``path`` is a landing's destination, a group-by's folder or one partition's; ``conn_id`` the Airflow
    connection of an object store, as for the storage operator's ``storage_conn_id``.
    """
    root = path if isinstance(path, ObjectStoragePath) else ObjectStoragePath(path, conn_id=conn_id)
    fs = root.fs
    fs.invalidate_cache(root.path)
    manifests = sorted(found for found in fs.find(root.path) if posixpath.basename(found) == MANIFEST_NAME)
    files = []
    for manifest_path in manifests:
        folder = root / posixpath.relpath(posixpath.dirname(manifest_path), root.path)
        manifest = read_manifest(folder) or {}
        # In the manifest's order, which is the rows' order; named_files() would lose it.
        for entry in manifest.get("files") or []:
            name = str(entry.get("name", "")) if isinstance(entry, dict) else ""
            if name and "/" not in name:
                files.append(folder / name)
    return files


def _location(path: ObjectStoragePath) -> str:
    # Local files as plain paths, which every reader takes; others as URLs (s3://bucket/key).
    return path.path if (path.protocol or "file") in ("file", "local") else str(path)


def main(argv: Sequence[str] | None = None) -> int:
    """``peerclick-landing``: list what the landings committed in storage."""
    parser = argparse.ArgumentParser(
        prog="peerclick-landing",
        description="Inspect what PeerClick landings committed in storage.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    files = commands.add_parser(
        "files",
        help="print the data files the manifests under PATH name, one per line",
        description="Print the data files the manifests under PATH name, one per line: exactly what was "
        "committed, for loaders that take a list of files.",
    )
    files.add_argument("path", metavar="PATH", help="a destination, group-by or partition folder, or a URL")
    files.add_argument("--conn-id", help="the Airflow connection of the object store, if it needs one")
    arguments = parser.parse_args(argv)
    # Standard output is the list alone: Airflow 3.0 logs its providers' loading there at INFO.
    logging.getLogger("airflow").setLevel(logging.WARNING)
    for found in committed_files(arguments.path, arguments.conn_id):
        sys.stdout.write(_location(found) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
