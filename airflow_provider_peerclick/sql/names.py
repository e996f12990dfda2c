"""Table and column names: checked before anything is sent, and quoted when SQL is written."""

from __future__ import annotations

import re
from dataclasses import dataclass

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError

# Plain identifiers only: they need no quoting rules of any one database to be safe, and every database
# Airflow connects to takes them. 63 is PostgreSQL's limit, the tightest of the common ones.
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_ALLOWED = "a table name such as 'peerclick_campaign' or 'analytics.peerclick_campaign' (letters, digits, _)"


@dataclass(frozen=True)
class TableName:
    """``table`` or ``schema.table``, each a plain identifier."""

    name: str
    schema: str | None = None

    @classmethod
    def parse(cls, text: object, argument: str = "table") -> TableName:
        """``table`` or ``schema.table`` (letters, digits and ``_``), checked; errors name ``argument``."""
        parts = text.split(".") if isinstance(text, str) else []
        if not 1 <= len(parts) <= 2 or not all(_IDENTIFIER.fullmatch(part) for part in parts):
            raise PeerClickInvalidArgumentError(f"{argument}: got {text!r}; allowed: {_ALLOWED}")
        return cls(parts[-1], parts[0] if len(parts) == 2 else None)

    @property
    def quoted(self) -> str:
        """The name as SQL quotes it."""
        return ".".join(quote(part) for part in (self.schema, self.name) if part)

    def __str__(self) -> str:
        return ".".join(part for part in (self.schema, self.name) if part)


def quote(identifier: str) -> str:
    """An identifier in double quotes (SQL standard), so a column named like a keyword still works."""
    return '"' + identifier.replace('"', '""') + '"'


def column_name(key: str) -> str:
    """The SQL column of a PeerClick row key: ``campaignId`` -> ``campaign_id``, so readers need no quotes."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key).lower()
    snake = re.sub(r"[^a-z0-9_]+", "_", snake).strip("_") or "column"
    return f"c_{snake}" if snake[0].isdigit() else snake[:63]
