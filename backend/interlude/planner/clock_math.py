"""Local-time arithmetic for the planner: wall clock <-> UTC, quiet hours, busy time.

Every conversion goes through zoneinfo. Two DST decisions live here:

* a wall-clock time that does not exist (the spring-forward gap, e.g. 02:30 on the night
  New York jumps from 02:00 to 03:00) is read with ``fold=0``, i.e. with the offset in force
  *before* the jump, which lands it the length of the gap later (02:30 -> 03:30 EDT);
* a wall-clock time that happens twice (fall back) is the *first* occurrence (``fold=0``).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=8192)
def local_to_utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock ``at`` on ``day`` in ``tz`` (see the module doc for DST)."""
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    return naive.replace(tzinfo=tz).astimezone(UTC)


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


def local_time(instant: datetime, tz: ZoneInfo) -> time:
    return instant.astimezone(tz).time().replace(tzinfo=None, fold=0)


def days_between(first: date, last: date) -> list[date]:
    """Every date from ``first`` to ``last`` inclusive (empty when last < first)."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily local window with no reminders; ``start > end`` wraps midnight (22:00-07:00)."""

    start: time | None
    end: time | None
    tz: ZoneInfo

    @property
    def active(self) -> bool:
        return self.start is not None and self.end is not None and self.start != self.end

    def contains(self, instant: datetime) -> bool:
        if not self.active:
            return False
        assert self.start is not None and self.end is not None
        t = local_time(instant, self.tz)
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end

    def next_start_after(self, instant: datetime) -> datetime | None:
        """The first moment quiet hours begin strictly after ``instant``."""
        if not self.active:
            return None
        assert self.start is not None
        day = local_date(instant, self.tz)
        for offset in (-1, 0, 1, 2):
            candidate = local_to_utc(day + timedelta(days=offset), self.start, self.tz)
            if candidate > instant:
                return candidate
        return None  # pragma: no cover - one of four consecutive days always qualifies


class BusyTime:
    """The union of all timed busy appointments (sessions and other events), merged."""

    def __init__(self, intervals: Iterable[tuple[datetime, datetime]]) -> None:
        merged: list[tuple[datetime, datetime]] = []
        for start, end in sorted(intervals):
            if end <= start:
                continue
            if merged and start <= merged[-1][1]:
                if end > merged[-1][1]:
                    merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        self._starts = [s for s, _ in merged]
        self._blocks = merged

    def block_at(self, instant: datetime) -> tuple[datetime, datetime] | None:
        """The merged busy block with ``start <= instant < end``, if any."""
        i = bisect.bisect_right(self._starts, instant) - 1
        if i >= 0 and instant < self._blocks[i][1]:
            return self._blocks[i]
        return None

    def free_from(self, instant: datetime) -> datetime:
        """``instant`` if it is free, else the end of the busy block it falls in."""
        block = self.block_at(instant)
        return block[1] if block else instant

    def next_start_after(self, instant: datetime) -> datetime | None:
        """The first busy start strictly after ``instant``."""
        i = bisect.bisect_right(self._starts, instant)
        return self._starts[i] if i < len(self._starts) else None
