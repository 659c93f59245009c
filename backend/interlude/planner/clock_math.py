"""Local-time arithmetic for the planner: quiet hours and busy time.

Wall clock <-> UTC conversions (and their DST decisions) live in ``core/timezones.py``.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from interlude.core.timezones import local_date, local_time, local_to_utc


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
        raw = sorted((start, end) for start, end in intervals if end > start)
        merged: list[tuple[datetime, datetime]] = []
        for start, end in raw:
            if merged and start <= merged[-1][1]:
                if end > merged[-1][1]:
                    merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        self._starts = [s for s, _ in merged]
        self._blocks = merged
        # The intervals one by one, for the one reminder allowed inside its own session.
        self._raw = raw
        self._raw_starts = [s for s, _ in raw]
        self._raw_max_end = list(itertools.accumulate((end for _, end in raw), max))

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

    def covered_except(self, instant: datetime, own: tuple[datetime, datetime]) -> bool:
        """Whether ``instant`` is inside a busy interval other than ``own`` (one with the very
        same span, a duplicate of it, counts as ``own``)."""
        i = bisect.bisect_right(self._raw_starts, instant) - 1
        while i >= 0 and self._raw_max_end[i] > instant:
            span = self._raw[i]
            if span[1] > instant and span != own:
                return True
            i -= 1
        return False

    def next_interval_start_after(self, instant: datetime) -> datetime | None:
        """The first start of any busy interval strictly after ``instant``; unlike
        ``next_start_after`` it sees an interval that begins inside a busy block."""
        i = bisect.bisect_right(self._raw_starts, instant)
        return self._raw_starts[i] if i < len(self._raw_starts) else None
