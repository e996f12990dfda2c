"""Turn a destination argument into an ObjectStoragePath, and refuse unusable ones before any request."""

from __future__ import annotations

import os
import tempfile
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from airflow.sdk import ObjectStoragePath

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError

LOCAL_PROTOCOLS = ("", "file", "local")
_EXAMPLES = "e.g. 'file:///data/peerclick' or 's3://bucket/peerclick'"


def _fail(destination: Any, reason: str) -> PeerClickInvalidArgumentError:
    return PeerClickInvalidArgumentError(f"destination: got {str(destination)!r}; {reason}")


def asset_uri(destination: Any, group_by: str) -> str | None:
    """
    The Asset URI a landing writes to: the destination base plus the group-by folder.

    Worked out from the text alone (no filesystem, no connection lookup), because it runs when the DAG file
    is parsed. None when the destination is not known yet (a Jinja template) or is not a usable URL.
    """
    if "{" in group_by:
        return None
    if isinstance(destination, ObjectStoragePath):
        protocol, path = destination.protocol or "file", destination.path
    elif isinstance(destination, str):
        parts = urlsplit(destination.strip())
        protocol = parts.scheme or "file"
        # The netloc's user part names an Airflow connection, which is no part of the data's identity.
        host = parts.netloc.rpartition("@")[2]
        path = f"{host}{parts.path}" if protocol not in LOCAL_PROTOCOLS else parts.path
    else:
        return None
    if "{" in path:
        return None
    if protocol == "local":
        protocol = "file"
    if protocol == "file" and not PurePosixPath(path).is_absolute():
        return None
    path = path.rstrip("/")
    return f"{protocol}://{path}/{group_by}" if path else None


def check_destination_text(destination: Any) -> None:
    """What can be told of a destination when the DAG is parsed: its type, and that a local path is
    absolute. The filesystem and writability are the worker's, so they are checked at run time."""
    if isinstance(destination, ObjectStoragePath):
        return
    if not isinstance(destination, str) or not destination.strip():
        raise _fail(destination, f"allowed: a local folder or object store URL, {_EXAMPLES}")
    parts = urlsplit(destination.strip())
    if parts.scheme in LOCAL_PROTOCOLS and not os.path.isabs(parts.path):
        raise _fail(destination, f"a local destination must be an absolute path, {_EXAMPLES}")


def resolve_destination(destination: Any, conn_id: str | None = None) -> ObjectStoragePath:
    """
    An ObjectStoragePath for ``destination``, checked as far as can be without writing to it.

    Local paths must be absolute (a worker's working directory is arbitrary) and their nearest existing
    folder writable. Remote stores need a filesystem for their scheme: Airflow gets those from providers
    (``s3`` from apache-airflow-providers-amazon, ``gs`` from apache-airflow-providers-google, ...).
    """
    if isinstance(destination, ObjectStoragePath):
        path = destination if conn_id is None else ObjectStoragePath(str(destination), conn_id=conn_id)
    elif isinstance(destination, str) and destination.strip():
        # On the text, before it becomes a path: the universal-pathlib of Airflow 3.0 and 3.1 (0.2) makes
        # 'relative/lake' into '/relative/lake', which would land the data at the file system's root.
        check_destination_text(destination)
        try:
            path = ObjectStoragePath(destination.strip(), conn_id=conn_id)
        except ValueError as exc:
            # A scheme without a filesystem fails here on Airflow 3.2+ (universal-pathlib 0.3), and only
            # when `fs` is looked up below on 3.0 and 3.1: the same message either way.
            scheme = urlsplit(destination.strip()).scheme
            if scheme not in LOCAL_PROTOCOLS:
                raise _no_filesystem(destination, scheme, exc) from None
            raise _fail(
                destination, f"{exc}; allowed: a local folder or object store URL, {_EXAMPLES}"
            ) from None
    else:
        raise _fail(destination, f"allowed: a local folder or object store URL, {_EXAMPLES}")
    protocol = path.protocol or ""
    if protocol in LOCAL_PROTOCOLS:
        _check_local(destination, path.path)
    try:
        path.fs  # noqa: B018 - looking the filesystem up is the check
    except (ValueError, ImportError) as exc:
        raise _no_filesystem(destination, protocol, exc) from None
    return path


def _no_filesystem(destination: Any, scheme: str, exc: Exception) -> PeerClickInvalidArgumentError:
    return _fail(
        destination,
        f"no filesystem for scheme {scheme!r} ({exc}); install the Airflow provider that brings it, "
        "e.g. apache-airflow-providers-amazon[s3fs] for s3://",
    )


def _check_local(destination: Any, path: str) -> None:
    if not os.path.isabs(path):
        raise _fail(destination, f"a local destination must be an absolute path, {_EXAMPLES}")
    probe = path
    while not os.path.exists(probe):
        probe = os.path.dirname(probe)
    if not os.path.isdir(probe):
        raise _fail(destination, f"{probe} is a file, not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise _fail(destination, f"folder {probe} is not writable by this worker (uid {os.getuid()})")
    try:  # os.access says yes to root everywhere, even on read-only and pseudo file systems (/proc)
        os.rmdir(tempfile.mkdtemp(prefix=".peerclick-write-check-", dir=probe))
    except OSError as exc:
        raise _fail(destination, f"folder {probe} cannot be written to ({exc.strerror})") from None
