"""Check what callers pass before anything is sent, and say what is allowed when it is wrong."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

import pendulum

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError

GROUP_BY = ("campaign", "offer", "traffic-source", "country", "day", "hour-of-day")
ADDITIVE_COLUMNS = ("visits", "clicks", "conversions", "revenue", "cost", "profit")
RATIO_COLUMNS = ("cr", "epc", "cpv", "cpc", "ctr", "roi")
COLUMNS = ADDITIVE_COLUMNS + RATIO_COLUMNS
ENTITY_STATUSES = ("ACTIVE", "PAUSED", "ARCHIVED")
HTTP_METHODS = ("GET", "POST", "PUT", "DELETE")
MAX_PAGE_SIZE = 10_000
DEFAULT_PAGE_SIZE = 1_000


def invalid(name: str, got: Any, allowed: str) -> PeerClickInvalidArgumentError:
    """The error every argument check raises: what was given, and what is allowed."""
    return PeerClickInvalidArgumentError(f"{name}: got {got!r}; allowed: {allowed}")


def positive_id(value: Any, name: str = "id") -> int:
    """An entity ID: a positive integer, or its decimal string (templated fields render as text)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise invalid(name, value, "a positive integer ID such as 42")
    return value


def time_zone(value: Any) -> str:
    if value is None:
        return "UTC"
    if not isinstance(value, str) or not value.strip():
        raise invalid("tz", value, "an IANA time zone name such as 'UTC' or 'Europe/Berlin'")
    try:
        return pendulum.timezone(value).name
    except Exception:
        raise invalid("tz", value, "an IANA time zone name such as 'UTC' or 'Europe/Berlin'") from None


def whole_hour(value: Any, name: str, tz: str) -> pendulum.DateTime:
    """A date or datetime on a whole hour in ``tz``; naive values are read as ``tz`` wall time."""
    allowed = "a date, or a datetime on a whole hour (minutes, seconds and microseconds zero)"
    parsed = value
    if isinstance(value, str):
        try:
            parsed = pendulum.parse(value, tz=tz)
        except (ValueError, pendulum.parsing.exceptions.ParserError):
            raise invalid(name, value, allowed + ", e.g. '2026-11-24' or '2026-11-24T05:00:00'") from None
    if isinstance(parsed, dt.datetime):
        moment = pendulum.instance(parsed, tz=tz).in_timezone(tz)
    elif isinstance(parsed, dt.date):
        moment = pendulum.datetime(parsed.year, parsed.month, parsed.day, tz=tz)
    else:
        raise invalid(name, value, allowed)
    if (moment.minute, moment.second, moment.microsecond) != (0, 0, 0):
        raise invalid(name, value, allowed + f"; in time zone {tz} it is {moment.isoformat()}")
    return moment


def _choice(value: Any, name: str, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise invalid(name, value, ", ".join(allowed))
    return str(value)


def column_names(columns: Iterable[str] | None) -> tuple[str, ...]:
    if columns is None:
        return COLUMNS
    if isinstance(columns, str):
        columns = [c.strip() for c in columns.split(",")]
    if not isinstance(columns, list | tuple):
        raise invalid("columns", columns, "a list or comma-separated string of " + ", ".join(COLUMNS))
    chosen = tuple(columns)
    if not chosen:
        raise invalid("columns", chosen, "a non-empty subset of " + ", ".join(COLUMNS))
    for column in chosen:
        _choice(column, "columns", COLUMNS)
    return tuple(dict.fromkeys(chosen))


def report_filters(filters: Mapping[str, Any] | None) -> tuple[tuple[str, str], ...]:
    if not filters:
        return ()
    if not isinstance(filters, Mapping):
        raise invalid("filters", filters, "a mapping of group-by name to ID or code, e.g. {'campaign': 42}")
    checked = []
    for name, value in filters.items():
        _choice(name, "filters", GROUP_BY)
        checked.append((name, _FILTER_VALUES[name](value, f"filters[{name!r}]")))
    return tuple(checked)


def _filter_id(value: Any, name: str) -> str:
    return str(positive_id(value, name))


def _filter_country(value: Any, name: str) -> str:
    code = value.strip().upper() if isinstance(value, str) else value
    if code not in COUNTRY_CODES:
        raise invalid(name, value, "an ISO 3166-1 alpha-2 country code such as 'US' or 'DE'")
    return str(code)


def _filter_day(value: Any, name: str) -> str:
    try:
        return pendulum.Date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise invalid(name, value, "a date such as '2026-11-24'") from None


def _filter_hour(value: Any, name: str) -> str:
    hour = value.strip() if isinstance(value, str) else value
    if isinstance(hour, str) and hour.isdigit():
        hour = int(hour)
    if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
        raise invalid(name, value, "an hour of the day from 0 to 23")
    return str(hour)


_FILTER_VALUES = {
    "campaign": _filter_id,
    "offer": _filter_id,
    "traffic-source": _filter_id,
    "country": _filter_country,
    "day": _filter_day,
    "hour-of-day": _filter_hour,
}

# ISO 3166-1 alpha-2, officially assigned.
# Kept as text: 249 codes read better as a block than as a list one per line.
_COUNTRY_TEXT = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV
BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES
ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE
IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU
NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM
SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE
VG VI VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRY_CODES = frozenset(_COUNTRY_TEXT.split())


def group_by_name(value: Any) -> str:
    return _choice(value, "group_by", GROUP_BY)


def entity_status(value: Any, name: str = "status") -> str:
    return _choice(value, name, ENTITY_STATUSES)


def positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise invalid(name, value, "a positive integer")
    return value


def seconds(value: Any, name: str) -> float:
    """A duration in seconds: zero or more, and finite."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < float("inf"):
        raise invalid(name, value, "a number of seconds, 0 or more")
    return float(value)


def page_size(value: Any) -> int:
    if value is None:
        return DEFAULT_PAGE_SIZE
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE_SIZE:
        raise invalid("page_size", value, f"an integer from 1 to {MAX_PAGE_SIZE}")
    return value


# A ``ReportQuery``'s arguments, as the hook's report methods and the report tasks take them; the methods
# that page also take the page size.
REPORT_ARGUMENTS = ("group_by", "start", "end", "columns", "filters", "tz")
PAGED_REPORT_ARGUMENTS = (*REPORT_ARGUMENTS, "page_size")
_REQUIRED_REPORT_ARGUMENTS = ("start", "end", "group_by")


def report_keywords(
    given: Mapping[str, Any], caller: str, *, allowed: Iterable[str] = PAGED_REPORT_ARGUMENTS
) -> None:
    """Name the unknown or missing keyword arguments of a report method (they would be a TypeError)."""
    allowed = tuple(allowed)
    for name in given:
        if name not in allowed:
            raise invalid(f"{caller}({name}=...)", given[name], "the keyword arguments " + ", ".join(allowed))
    missing = [name for name in _REQUIRED_REPORT_ARGUMENTS if name not in given]
    if missing:
        raise PeerClickInvalidArgumentError(
            f"{caller}: missing {', '.join(missing)}; required: start, end, group_by"
        )


def request_method(value: Any) -> str:
    return _choice(value.upper() if isinstance(value, str) else value, "method", HTTP_METHODS)


def request_params(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(
        isinstance(item, str | int | float) and not isinstance(item, bool) for item in value.values()
    ):
        raise invalid("params", value, "a mapping of query names to strings or numbers, e.g. {'limit': 100}")
    return dict(value) or None


def request_json(value: Any) -> Any:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise invalid("json", value, f"a JSON-serialisable value ({exc})") from None
    return value


def flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise invalid(name, value, "True or False")
    return value


def entity_statuses(value: Any, name: str = "statuses") -> list[str]:
    if not isinstance(value, list | tuple) or not value:
        raise invalid(name, value, "a non-empty list of " + ", ".join(ENTITY_STATUSES) + ", e.g. ['ACTIVE']")
    return [entity_status(status, name) for status in value]


def entity_body(body: Any, name: str = "body") -> dict[str, Any]:
    if not isinstance(body, Mapping) or not body:
        raise invalid(name, body, "a non-empty mapping of PeerClick fields, e.g. {'name': 'My offer', ...}")
    return dict(body)
