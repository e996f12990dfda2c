"""Settings the example DAGs share, read from the environment at parse time (no network, no DB)."""

from __future__ import annotations

import os
from pathlib import Path

# Where reports land: any ObjectStoragePath URL (file://, s3://, gs://...). Default: ./data in the project.
LANDING_URL = os.environ.get(
    "PEERCLICK_LANDING_URL", (Path(__file__).resolve().parents[1] / "data" / "peerclick").as_uri()
)
# The PeerClick account's time zone: days start at midnight there.
ACCOUNT_TZ = os.environ.get("PEERCLICK_ACCOUNT_TZ", "UTC")
# Group-bys landed every day, one task (and one Asset) each.
GROUP_BYS = ("campaign", "offer", "country")
# How long the sensor waits between two looks at yesterday's report before calling it settled.
SETTLE_SECONDS = float(os.environ.get("PEERCLICK_SETTLE_SECONDS", "300"))
# Days before each run's day that are re-checked (one summary request each) and re-landed if PeerClick's
# numbers changed since: late conversions are attributed to the click's day.
LOOKBACK_DAYS = int(os.environ.get("PEERCLICK_LOOKBACK_DAYS", "3"))
