"""Registration with Airflow's secret masker, so keys and tokens are redacted from every log, and the one
form of a URL that errors may show."""

from __future__ import annotations

import re

# The same name on every supported release: 3.0 re-exports execution_time.secrets_masker's here, and 3.1+
# define it here (also telling the supervisor, whose log output needs the mask too).
from airflow.sdk.log import mask_secret

__all__ = ["mask_secret", "shown_url"]


def shown_url(url: str) -> str:
    """``url`` as an error may show it: its user info replaced by ``***`` and its query and fragment
    dropped, since any of them may hold a secret."""
    scheme, separator, rest = url.partition("://")
    if "@" in rest:
        # Up to the last '@': a password may hold a '/', '?' or '#', where a URL parser would stop.
        rest = "***@" + rest.rpartition("@")[2]
    return scheme + separator + re.split(r"[?#]", rest, maxsplit=1)[0]
