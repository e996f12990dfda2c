"""Registration with Airflow's secret masker, so keys and tokens are redacted from every log."""

from __future__ import annotations

# The same name on every supported release: 3.0 re-exports execution_time.secrets_masker's here, and 3.1+
# define it here (also telling the supervisor, whose log output needs the mask too).
from airflow.sdk.log import mask_secret

__all__ = ["mask_secret"]
