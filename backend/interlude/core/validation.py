"""Validators shared by several domains' schemas."""

from __future__ import annotations

from datetime import UTC, datetime, time
from functools import lru_cache
from typing import Annotated
from zoneinfo import ZoneInfo, available_timezones

from pydantic import AfterValidator, WithJsonSchema


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_timezone(value: str) -> str:
    """An IANA zone name such as "America/New_York"; raises ValueError with a hint."""
    value = value.strip()
    if value not in _zones():
        raise ValueError(
            f"unknown time zone {value!r}: use an IANA name such as 'America/New_York' "
            "or 'Europe/London'"
        )
    return value


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


# --- local times of day ---------------------------------------------------------------------

LOCAL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


def _no_offset(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError(
            "a time of day here is local, in your own time zone, without a UTC offset: "
            "write e.g. '09:00' rather than '09:00Z' or '09:00+01:00'"
        )
    return value


LocalTime = Annotated[
    time,
    AfterValidator(_no_offset),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": LOCAL_TIME_PATTERN,
            "description": "Local wall-clock time of day in the user's zone, HH:MM[:SS], "
            "without a UTC offset.",
            "examples": ["09:00"],
        }
    ),
]
"""A local time of day (care-plan hours, response windows, commitments): pydantic would read
``"09:00Z"`` as an aware time, which then cannot be compared with the naive times stored; it
is refused with a 422 naming the field."""


# --- instants in query parameters -------------------------------------------------------

EARLIEST_YEAR = 1900
LATEST_YEAR = 2200


def _sane_instant(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("include a UTC offset, e.g. 2026-11-23T00:00:00-05:00")
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST_YEAR <= utc.year <= LATEST_YEAR:
        raise ValueError(
            f"give a date and time between the years {EARLIEST_YEAR} and {LATEST_YEAR}"
        )
    return value


Instant = Annotated[datetime, AfterValidator(_sane_instant)]
"""An instant with its UTC offset, between the years 1900 and 2200 (in UTC). Without the bounds
``0001-01-01T00:00:00+23:59`` is before year 1 in UTC, and converting it fails deep in the
database driver (a 500 on both databases). For every datetime query parameter."""
