"""When is the therapist answering messages? Pure functions over the weekly schedule.

Response windows are weekly wall-clock slots in the user's own zone; time off is a range of
local dates. Everything here works on aware UTC instants and converts each local date with
zoneinfo, so DST changes, midnight and week boundaries need no special cases: the open
intervals of every local date are computed on their own and then merged.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from interlude.core.timezones import local_date, local_to_utc
from interlude.planner.types import ResponseWindowIn, TimeOffIn

# How far ahead a reply window is looked for: time off can last up to a year.
SEARCH_DAYS = 400
# Windows stay within a day (start < end), so "until midnight" is written as 23:59: a window
# ending at 23:59 or later runs to the next local midnight (and joins one starting at 00:00).
END_OF_DAY = time(23, 59)


def ends_at_midnight(end: time) -> bool:
    return end >= END_OF_DAY


@dataclass(frozen=True, slots=True)
class Interval:
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC, exclusive

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.end


@dataclass(frozen=True, slots=True)
class Schedule:
    """The inputs: the weekly windows, the time off and the zone they are written in."""

    windows: tuple[ResponseWindowIn, ...]
    time_off: tuple[TimeOffIn, ...]
    zone: ZoneInfo

    def local_date(self, instant: datetime) -> date:
        return local_date(instant, self.zone)

    def time_off_on(self, day: date) -> TimeOffIn | None:
        for entry in self.time_off:
            if entry.start_date <= day <= entry.end_date:
                return entry
        return None

    def to_utc(self, day: date, wall: time) -> datetime:
        """A local wall-clock time as UTC; a time skipped by DST moves forward past the gap."""
        return local_to_utc(day, wall, self.zone)


def open_intervals_on(schedule: Schedule, day: date) -> list[Interval]:
    """The open intervals of one local date (none during time off), sorted."""
    if schedule.time_off_on(day) is not None:
        return []
    found = []
    for window in schedule.windows:
        if window.weekday != day.weekday():
            continue
        start = schedule.to_utc(day, window.start)
        if ends_at_midnight(window.end):
            end = schedule.to_utc(day + timedelta(days=1), time(0))
        else:
            end = schedule.to_utc(day, window.end)
        if end > start:
            found.append(Interval(start, end))
    return sorted(found, key=lambda i: i.start)


def _merge(intervals: Iterable[Interval]) -> Iterator[Interval]:
    current: Interval | None = None
    for interval in sorted(intervals, key=lambda i: i.start):
        if current is None:
            current = interval
        elif interval.start <= current.end:
            current = Interval(current.start, max(current.end, interval.end))
        else:
            yield current
            current = interval
    if current is not None:
        yield current


def open_intervals(schedule: Schedule, start: datetime, end: datetime) -> list[Interval]:
    """Merged open intervals overlapping [start, end) (not clipped)."""
    first = schedule.local_date(start) - timedelta(days=1)
    last = schedule.local_date(end) + timedelta(days=1)
    days = (last - first).days + 1
    found: list[Interval] = []
    for offset in range(days):
        found.extend(open_intervals_on(schedule, first + timedelta(days=offset)))
    return [i for i in _merge(found) if i.end > start and i.start < end]


def is_open(schedule: Schedule, now: datetime) -> bool:
    return any(i.contains(now) for i in open_intervals(schedule, now, now + timedelta(seconds=1)))


def next_window(schedule: Schedule, now: datetime) -> Interval | None:
    """The window the reader can expect a reply in: the current one, else the next one."""
    step = timedelta(days=14)
    cursor = now
    while cursor < now + timedelta(days=SEARCH_DAYS):
        for interval in open_intervals(schedule, cursor, cursor + step):
            if interval.end > now:
                return interval
        cursor += step
    return None


def closed_periods(schedule: Schedule, start: datetime, end: datetime) -> list[Interval]:
    """The gaps between open intervals, clipped to [start, end)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    gaps: list[Interval] = []
    cursor = start
    for interval in open_intervals(schedule, start, end):
        if interval.start > cursor:
            gaps.append(Interval(cursor, interval.start))
        cursor = max(cursor, interval.end)
    if cursor < end:
        gaps.append(Interval(cursor, end))
    return gaps


def current_or_next_closed(schedule: Schedule, now: datetime) -> Interval | None:
    """The closed period an auto-reply is for: the one now, else the one after this window.

    Its start is the end of the previous window (up to two weeks back); its end is the next
    window's start. ``None`` when no window exists within the search horizon (always closed).
    """
    window = next_window(schedule, now)
    if window is None:
        return None
    if window.start > now:
        previous = open_intervals(schedule, now - timedelta(days=14), now)
        start = previous[-1].end if previous else now
        return Interval(start, window.start)
    following = next_window(schedule, window.end)
    if following is None:
        return None
    return Interval(window.end, following.start)


def time_off_between(schedule: Schedule, start: datetime, end: datetime) -> list[TimeOffIn]:
    """Time off touching the local dates from ``start`` to ``end``, soonest first."""
    first, last = schedule.local_date(start), schedule.local_date(end)
    hits = [t for t in schedule.time_off if t.start_date <= last and t.end_date >= first]
    return sorted(hits, key=lambda t: t.start_date)


@dataclass(frozen=True, slots=True)
class OffsetPeriod:
    """A stretch of time during which the zone's UTC offset does not change."""

    start: datetime | None  # UTC; None = since forever
    end: datetime | None  # UTC, exclusive; None = open-ended
    offset: timedelta


def offset_periods(zone: ZoneInfo, start: datetime, end: datetime) -> list[OffsetPeriod]:
    """Split [start, end) at the zone's offset changes (DST), found by bisection."""
    transitions: list[datetime] = []
    cursor = start
    while cursor < end:
        step_end = min(cursor + timedelta(days=1), end)
        if _offset(zone, cursor) != _offset(zone, step_end):
            low, high = cursor, step_end
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if _offset(zone, middle) == _offset(zone, low):
                    low = middle
                else:
                    high = middle
            transitions.append(high.replace(microsecond=0))
        cursor = step_end
    bounds: list[datetime | None] = [None, *transitions, None]
    periods = []
    for left, right in pairwise(bounds):
        probe = left if left is not None else start
        periods.append(OffsetPeriod(left, right, _offset(zone, probe)))
    return periods


def _offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    value = instant.astimezone(zone).utcoffset()
    return value if value is not None else timedelta(0)


def weekly_ranges(windows: Sequence[ResponseWindowIn]) -> dict[int, list[tuple[time, time]]]:
    """Weekday -> sorted, merged (start, end) wall-clock ranges."""
    by_day: dict[int, list[tuple[time, time]]] = {}
    for w in sorted(windows, key=lambda w: (w.weekday, w.start)):
        ranges = by_day.setdefault(w.weekday, [])
        if ranges and w.start <= ranges[-1][1]:
            ranges[-1] = (ranges[-1][0], max(ranges[-1][1], w.end))
        else:
            ranges.append((w.start, w.end))
    return by_day
