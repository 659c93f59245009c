"""The week ahead, computed: a pure function of the week's busy time, like the planner.

Per local day: the sessions, the back-to-back runs (the planner's rule: 3+ sessions, each
starting less than 10 minutes after the run so far ended), the longest break between the
first session and the last, time off, commitments and held time, and the expected notes
backlog (``notes_left_over``: the sessions whose notes time the planner itself cannot reserve).
Then suggestions: where a 10-minute hold would give a break, with the facts behind each one
(instants, counts) and no sentence: the client words them with the user's own time format.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from interlude.core.timezones import local_date, local_midnight
from interlude.planner import AppointmentIn, CarePlanIn, CommitmentIn, notes_apply, plan
from interlude.planner.sessions import BACK_TO_BACK_MIN_RUN, back_to_back_runs

BREAK_AT_LEAST = timedelta(minutes=10)  # a break shorter than this is no break
HOLD_LENGTH = timedelta(minutes=10)  # what a suggestion holds
SuggestionKind = Literal["back_to_back", "no_break"]
Position = Literal["after", "before"]


@dataclass(frozen=True, slots=True)
class Interval:
    start: datetime  # aware, UTC
    end: datetime


@dataclass(frozen=True, slots=True)
class Held:
    id: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Run:
    start: datetime
    end: datetime
    session_count: int
    last_session_start: datetime


@dataclass(frozen=True, slots=True)
class Suggestion:
    id: str
    kind: SuggestionKind
    day: date
    start: datetime  # the time to hold
    end: datetime
    position: Position  # the hold is after the stretch's last session, or before its first
    stretch_start: datetime  # the run (or the day's sessions) it relieves
    stretch_end: datetime
    session_count: int
    anchor_start: datetime  # the session the hold follows (or precedes)
    anchor_end: datetime
    held_id: str | None = None  # already held: the hold that covers it
    expected_notes_backlog: int = 0  # the stretch's sessions whose notes have no time kept


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    session_count: int
    first_session_start: datetime | None
    last_session_end: datetime | None
    runs: tuple[Run, ...]
    longest_break_minutes: int | None  # between the first session and the last; None: < 2
    no_break: bool  # 2+ sessions and no break of BREAK_AT_LEAST between them
    time_off: bool
    held: tuple[Held, ...] = field(default=())
    expected_notes_backlog: int = 0  # applicable sessions whose notes time cannot be reserved


@dataclass(frozen=True, slots=True)
class Week:
    days: tuple[Day, ...]
    suggestions: tuple[Suggestion, ...]


def _merge(intervals: Sequence[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for i in sorted(intervals, key=lambda x: (x.start, x.end)):
        if i.end <= i.start:
            continue
        if merged and i.start <= merged[-1].end:
            if i.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, i.end)
        else:
            merged.append(i)
    return merged


def _free(slot: Interval, busy: Sequence[Interval]) -> bool:
    return all(b.end <= slot.start or b.start >= slot.end for b in busy)


def _suggestion_id(kind: str, start: datetime, end: datetime) -> str:
    raw = f"{kind}|{start.isoformat()}|{end.isoformat()}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def notes_left_over(
    *,
    appointments: Sequence[AppointmentIn],
    commitments: Sequence[CommitmentIn],
    care_plan: CarePlanIn,
    zone: ZoneInfo,
    days: Sequence[date],
) -> list[Interval]:
    """The expected notes backlog: sessions starting on ``days`` that notes time applies to
    and whose notes time the planner does not reserve -- no planned reminder anchored on the
    session carries notes (kind ``notes``, or ``notes_minutes > 0``). Empty when notes time
    is off.

    ``appointments`` and ``commitments`` are the planner's inputs (held time included, as
    busy time) from a day before ``days`` to a day after. The plan is made as of the first
    day's start, so every day of the week shows whole, and the daily cap applies as the
    worker applies it: a notes-carrying reminder the cap drops reserves nothing, so its
    session counts (docs/decisions.md).
    """
    if care_plan.notes_minutes <= 0 or not days:
        return []
    first = local_midnight(days[0], zone)
    # A day's last session may end past midnight: its reminder is due the next day.
    horizon = local_midnight(days[-1] + timedelta(days=2), zone)
    planned = plan(appointments, care_plan, zone, first, horizon, commitments=commitments)
    reserved = {
        r.anchor
        for r in planned
        if r.anchor is not None and (r.kind == "notes" or r.notes_minutes > 0)
    }
    wanted = set(days)
    unique = {
        (a.start, a.end, a.identity): a
        for a in appointments
        if notes_apply(care_plan, a)
        and a.identity not in reserved
        and local_date(a.start, zone) in wanted
    }
    return [Interval(a.start, a.end) for _, a in sorted(unique.items())]


def _suggest(
    kind: SuggestionKind,
    day: date,
    stretch: Sequence[Interval],
    busy: Sequence[Interval],
    held: Sequence[Held],
    now: datetime,
    notes_left: Sequence[Interval],
) -> Suggestion | None:
    """A hold right after the stretch's last session, else right before its first; None when
    neither is free (or both have passed)."""
    first, last = stretch[0], max(stretch, key=lambda s: (s.end, s.start))
    end = last.end
    options: list[tuple[Position, Interval, Interval]] = [
        ("after", Interval(end, end + HOLD_LENGTH), last),
        ("before", Interval(first.start - HOLD_LENGTH, first.start), first),
    ]
    for position, slot, anchor in options:
        if slot.start < now or not _free(slot, busy):
            continue
        covering = next((h for h in held if h.start <= slot.start and h.end >= slot.end), None)
        return Suggestion(
            id=_suggestion_id(kind, slot.start, slot.end),
            kind=kind,
            day=day,
            start=slot.start,
            end=slot.end,
            position=position,
            stretch_start=first.start,
            stretch_end=end,
            session_count=len(stretch),
            anchor_start=anchor.start,
            anchor_end=anchor.end,
            held_id=covering.id if covering else None,
            expected_notes_backlog=sum(1 for n in notes_left if first.start <= n.start < end),
        )
    return None


def week_ahead(
    *,
    days: Sequence[date],
    zone: ZoneInfo,
    now: datetime,
    sessions: Sequence[Interval],
    other_busy: Sequence[Interval],
    time_off: frozenset[date],
    held: Sequence[Held],
    notes_left: Sequence[Interval] = (),
) -> Week:
    """``sessions``: timed client sessions; ``other_busy``: other timed events and
    commitments (busy, but not sessions); ``held``: held time, which counts as a break;
    ``notes_left``: ``notes_left_over``'s sessions (none on a day off: no work is planned,
    and the planner sends nothing then by design, not for want of room)."""
    by_day: dict[date, list[Interval]] = {d: [] for d in days}
    for s in sorted(sessions, key=lambda x: (x.start, x.end)):
        d = local_date(s.start, zone)
        if d in by_day and s.end > s.start:
            by_day[d].append(s)
    all_busy = _merge([*sessions, *other_busy])
    out_days: list[Day] = []
    suggestions: list[Suggestion] = []
    for d in days:
        day_sessions = by_day[d]
        day_start, day_end = local_midnight(d, zone), local_midnight(d + timedelta(days=1), zone)
        day_held = tuple(
            h for h in sorted(held, key=lambda h: h.start) if day_start <= h.start < day_end
        )
        runs = [r for r in back_to_back_runs(day_sessions) if len(r) >= BACK_TO_BACK_MIN_RUN]
        longest: timedelta | None = None
        if len(day_sessions) >= 2:
            span_start = day_sessions[0].start
            span_end = max(s.end for s in day_sessions)
            inside = [
                Interval(max(b.start, span_start), min(b.end, span_end))
                for b in all_busy
                if b.end > span_start and b.start < span_end
            ]
            gaps = [b.start - a.end for a, b in itertools.pairwise(inside)]
            longest = max(gaps, default=timedelta(0))
        no_break = longest is not None and longest < BREAK_AT_LEAST
        day_notes_left = (
            [] if d in time_off else [n for n in notes_left if day_start <= n.start < day_end]
        )
        out_days.append(
            Day(
                day=d,
                session_count=len(day_sessions),
                first_session_start=day_sessions[0].start if day_sessions else None,
                last_session_end=max((s.end for s in day_sessions), default=None),
                runs=tuple(
                    Run(r[0].start, max(s.end for s in r), len(r), r[-1].start) for r in runs
                ),
                longest_break_minutes=(
                    int(longest.total_seconds() // 60) if longest is not None else None
                ),
                no_break=no_break,
                time_off=d in time_off,
                held=day_held,
                expected_notes_backlog=len(day_notes_left),
            )
        )
        if d in time_off:
            continue  # no work planned: nothing to protect
        found = [_suggest("back_to_back", d, r, all_busy, held, now, day_notes_left) for r in runs]
        if not runs and no_break:
            found.append(_suggest("no_break", d, day_sessions, all_busy, held, now, day_notes_left))
        suggestions.extend(s for s in found if s is not None)
    unique = {s.id: s for s in suggestions}
    return Week(
        days=tuple(out_days),
        suggestions=tuple(sorted(unique.values(), key=lambda s: (s.start, s.id))),
    )
