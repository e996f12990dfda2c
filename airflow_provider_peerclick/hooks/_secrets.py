"""Registration with Airflow's secret masker, so keys and tokens are redacted from every log."""

from __future__ import annotations

try:
    from airflow.sdk.log import mask_secret
except ImportError:  # Airflow releases that keep the masker in execution_time
    from airflow.sdk.execution_time.secrets_masker import mask_secret  # type: ignore[no-redef]

__all__ = ["mask_secret"]
