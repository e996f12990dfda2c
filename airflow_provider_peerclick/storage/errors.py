"""Errors of landing reports in storage."""

from __future__ import annotations

from airflow_provider_peerclick.exceptions import PeerClickError


class PeerClickStorageError(PeerClickError):
    """Rows could not be written, or a partition could not be committed."""


class PeerClickReconciliationError(PeerClickStorageError):
    """The rows fetched do not add up to the report's totals or row count; nothing was committed."""
