"""Load and adherence indicators: pure functions over small input dataclasses.

Nothing here touches the database or reads the clock. ``loaders.py`` turns ORM rows into
these facts; the summary and the signals consume the results. Days are the user's local
dates (``zoneinfo``), weeks start on Monday; durations are real elapsed minutes, so a DST
change never adds or loses an hour of work.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import fmean
from typing import Literal
from zoneinfo import ZoneInfo

from interlude.core.timezones import days_between, local_date, week_start

# Sessions closer than this form one back-to-back run (the planner's rule for "back_to_back").
BACK_TO_BACK_GAP = timedelta(minutes=10)
# Reminder kinds that are a break the user can take, skip or snooze.
BREAK_KINDS = frozenset({"micro_break", "fixed_break", "interval_break", "transition_ritual"})

AckAction = Literal["done", "snooze", "skip"]
BreakOutcome = Literal["taken", "skipped", "snoozed", "unanswered"]


@dataclass(frozen=True, slots=True)
class AppointmentFact:
    start: datetime  # aware
    end: datetime  # aware
    all_day: bool = False
    kind: str = "session"  # session | other
    intense: bool = False
    ran_over: bool = False  # marked by the therapist or inferred from a late Done


@dataclass(frozen=True, slots=True)
class BreakFact:
    """One planned reminder, with the outcome of its whole snooze chain already folded in."""

    kind: str
    due_at: datetime  # aware; the original due time (a snooze does not move the day)
    delivered: bool  # at least one notification of the chain was sent
    outcome: BreakOutcome = "unanswered"


@dataclass(frozen=True, slots=True)
class CheckInFact:
    local_date: date  # the user's date when they checked in (kept across zone changes)
    energy: int
    sleep_quality: int | None = None
    moved: bool | None = None
    connected: bool | None = None


@dataclass(frozen=True, slots=True)
class WorkingHours:
    days: tuple[int, ...] = (0, 1, 2, 3, 4)  # 0 = Monday
    start: time = time(8, 0)
    end: time = time(18, 0)


@dataclass(slots=True)
class DayLoad:
    date: date
    sessions: int = 0
    session_minutes: int = 0
    longest_run: int = 0
    break_minutes: int = 0  # sum of the gaps between consecutive sessions that day
    shortest_gap_minutes: int | None = None
    outside_hours: int = 0
    breaks_planned: int = 0
    breaks_taken: int = 0
    breaks_skipped: int = 0
    breaks_snoozed: int = 0
    breaks_unanswered: int = 0
    reminders_delivered: int = 0
    ran_over: int = 0  # the day's sessions that ran over


@dataclass(slots=True)
class WeekLoad:
    week_start: date
    days: list[DayLoad] = field(default_factory=list)

    def _sum(self, name: str) -> int:
        return sum(int(getattr(day, name)) for day in self.days)

    @property
    def sessions(self) -> int:
        return self._sum("sessions")

    @property
    def session_minutes(self) -> int:
        return self._sum("session_minutes")

    @property
    def longest_run(self) -> int:
        return max((day.longest_run for day in self.days), default=0)

    @property
    def break_minutes(self) -> int:
        return self._sum("break_minutes")

    @property
    def outside_hours(self) -> int:
        return self._sum("outside_hours")

    @property
    def breaks_planned(self) -> int:
        return self._sum("breaks_planned")

    @property
    def breaks_taken(self) -> int:
        return self._sum("breaks_taken")

    @property
    def breaks_skipped(self) -> int:
        return self._sum("breaks_skipped")

    @property
    def breaks_snoozed(self) -> int:
        return self._sum("breaks_snoozed")

    @property
    def breaks_unanswered(self) -> int:
        return self._sum("breaks_unanswered")

    @property
    def reminders_delivered(self) -> int:
        return self._sum("reminders_delivered")

    @property
    def ran_over(self) -> int:
        return self._sum("ran_over")


def _minutes(delta: timedelta) -> int:
    return round(delta.total_seconds() / 60)


def sessions_only(appointments: Iterable[AppointmentFact]) -> list[AppointmentFact]:
    """Client sessions with a time: all-day entries and "other" events carry no load."""
    found = [a for a in appointments if a.kind == "session" and not a.all_day and a.end > a.start]
    return sorted(found, key=lambda a: (a.start, a.end))


def longest_back_to_back(sessions: Sequence[AppointmentFact]) -> int:
    """Most sessions in a row with less than 10 minutes between one's end and the next start.

    Overlapping sessions count as back to back. ``sessions`` must be sorted by start.
    """
    if not sessions:
        return 0
    best = run = 1
    latest_end = sessions[0].end
    for current in sessions[1:]:
        if current.start - latest_end < BACK_TO_BACK_GAP:
            run += 1
        else:
            run = 1
        latest_end = max(latest_end, current.end)
        best = max(best, run)
    return best


def gaps_between(sessions: Sequence[AppointmentFact]) -> list[int]:
    """Minutes between each session's end and the next one's start (0 when they overlap)."""
    gaps: list[int] = []
    latest_end: datetime | None = None
    for current in sessions:
        if latest_end is not None:
            gaps.append(max(0, _minutes(current.start - latest_end)))
            latest_end = max(latest_end, current.end)
        else:
            latest_end = current.end
    return gaps


def is_outside_hours(session: AppointmentFact, zone: ZoneInfo, hours: WorkingHours) -> bool:
    """A session counts when any part of it falls outside the user's working days and hours."""
    start = session.start.astimezone(zone)
    end = session.end.astimezone(zone)
    if start.weekday() not in hours.days:
        return True
    if end.date() != start.date():  # runs past midnight: later than any working day ends
        return True
    return start.time() < hours.start or end.time() > hours.end


def daily_load(
    *,
    start: date,
    end: date,
    zone: ZoneInfo,
    appointments: Iterable[AppointmentFact],
    breaks: Iterable[BreakFact],
    hours: WorkingHours,
    delivered_reminders: Iterable[datetime] = (),
) -> list[DayLoad]:
    """One ``DayLoad`` per local date from ``start`` to ``end`` (inclusive).

    A session belongs to the local date it starts on; a break to the local date it was first
    due. ``delivered_reminders`` are the send times of every reminder (any kind) that reached
    the user.
    """
    days = {day: DayLoad(date=day) for day in days_between(start, end)}
    by_day: dict[date, list[AppointmentFact]] = defaultdict(list)
    for session in sessions_only(appointments):
        day = local_date(session.start, zone)
        if day in days:
            by_day[day].append(session)
    for day, sessions in by_day.items():
        load = days[day]
        load.sessions = len(sessions)
        load.session_minutes = sum(_minutes(s.end - s.start) for s in sessions)
        load.longest_run = longest_back_to_back(sessions)
        gaps = gaps_between(sessions)
        load.break_minutes = sum(gaps)
        load.shortest_gap_minutes = min(gaps) if gaps else None
        load.outside_hours = sum(1 for s in sessions if is_outside_hours(s, zone, hours))
        load.ran_over = sum(1 for s in sessions if s.ran_over)
    for item in breaks:
        if item.kind not in BREAK_KINDS:
            continue
        found = days.get(local_date(item.due_at, zone))
        if found is None:
            continue
        found.breaks_planned += 1
        if item.outcome == "taken":
            found.breaks_taken += 1
        elif item.outcome == "skipped":
            found.breaks_skipped += 1
        elif item.outcome == "snoozed":
            found.breaks_snoozed += 1
        else:
            found.breaks_unanswered += 1
    for sent_at in delivered_reminders:
        found = days.get(local_date(sent_at, zone))
        if found is not None:
            found.reminders_delivered += 1
    return [days[day] for day in sorted(days)]


def ran_over_share(
    appointments: Iterable[AppointmentFact], *, until: datetime
) -> tuple[int, int, float | None]:
    """(sessions ended by ``until``, those that ran over, their share 0-1 or None when no
    session ended): a session still to come cannot have run over yet, so it is left out."""
    ended = [s for s in sessions_only(appointments) if s.end <= until]
    over = sum(1 for s in ended if s.ran_over)
    return len(ended), over, (round(over / len(ended), 2) if ended else None)


def weekly_load(days: Iterable[DayLoad]) -> list[WeekLoad]:
    """Group day loads into Monday-start weeks (partial weeks hold only the days given)."""
    weeks: dict[date, WeekLoad] = {}
    for day in days:
        key = week_start(day.date)
        weeks.setdefault(key, WeekLoad(week_start=key)).days.append(day)
    return [weeks[key] for key in sorted(weeks)]


def daily_energy(checkins: Iterable[CheckInFact]) -> dict[date, float]:
    """The mean energy of each date's check-ins (several a day are allowed)."""
    values: dict[date, list[int]] = defaultdict(list)
    for item in checkins:
        values[item.local_date].append(item.energy)
    return {day: fmean(found) for day, found in sorted(values.items())}


def trailing_average(
    series: dict[date, float], day: date, *, days: int = 7, min_days: int = 1
) -> float | None:
    """Mean of the daily values in the ``days`` dates ending on ``day`` (days without data
    are left out, not counted as zero); None with fewer than ``min_days`` values."""
    found = [series[d] for d in days_between(day - timedelta(days=days - 1), day) if d in series]
    if len(found) < min_days:
        return None
    return fmean(found)
