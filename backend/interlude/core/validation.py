"""Validators shared by several domains' schemas."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones


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
