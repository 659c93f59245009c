"""Time zones and local time: the one home for the conversions every domain makes.

Instants are aware UTC; the user's IANA zone is kept on the user; a local time of day carries
no offset. Every conversion goes through zoneinfo, with two DST decisions:

* a wall-clock time that does not exist (the spring-forward gap, e.g. 02:30 on the night
  New York jumps from 02:00 to 03:00) is read with ``fold=0``, i.e. with the offset in force
  *before* the jump, which lands it the length of the gap later (02:30 -> 03:30 EDT);
* a wall-clock time that happens twice (fall back) is the *first* occurrence (``fold=0``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

_UTC_ZONE = ZoneInfo("UTC")


class HasTimezone(Protocol):
    """A user (accounts.models.User), without core importing accounts."""

    @property
    def timezone(self) -> str: ...


def user_zone(user: HasTimezone) -> ZoneInfo:
    """The zone the user keeps; UTC if tzdata no longer knows its name (zones are validated on
    input, so only a zone removed since then gets here: better UTC times than a failure)."""
    try:
        return ZoneInfo(user.timezone)
    except (KeyError, ValueError):
        return _UTC_ZONE


@lru_cache(maxsize=8192)
def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock ``at`` on ``day`` in ``zone`` (see the module doc for DST)."""
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    return naive.replace(tzinfo=zone).astimezone(UTC)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant the local date ``day`` starts."""
    return local_to_utc(day, time(0), zone)


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def local_time(instant: datetime, zone: ZoneInfo) -> time:
    """The wall-clock time of ``instant`` in ``zone``, without an offset."""
    return instant.astimezone(zone).time().replace(tzinfo=None, fold=0)


def hhmm(instant: datetime, zone: ZoneInfo) -> str:
    """The local wall-clock time as people read it on a reminder or a preview: ``"14:05"``."""
    return instant.astimezone(zone).strftime("%H:%M")


def days_between(first: date, last: date) -> list[date]:
    """Every date from ``first`` to ``last``, both included (empty when last < first)."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())
