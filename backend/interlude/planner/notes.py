"""Notes time and ending on time: the wrap-up cue inside a session and the end-of-day notes
backlog reminder. (Notes time in a gap is decided with the gap's break, in ``sessions.py``.)

See docs/planner.md ("Notes time", "Ending on time").
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from interlude.core.timezones import local_time, local_to_utc
from interlude.planner import texts
from interlude.planner.candidates import Candidate
from interlude.planner.clock_math import BusyTime
from interlude.planner.types import AppointmentIn, CarePlanIn, SessionScope

BACKLOG_LEAD = timedelta(minutes=30)  # the backlog reminder comes this long before working_end


def in_scope(scope: SessionScope, intense: bool, telehealth: bool) -> bool:
    """Whether a care-plan setting for ``scope`` sessions applies to one with these flags."""
    return (
        scope == "every"
        or (scope == "intense" and intense)
        or (scope == "telehealth" and telehealth)
    )


def notes_apply(care_plan: CarePlanIn, session: AppointmentIn) -> bool:
    """Whether this appointment is a session that notes time (and the backlog) is for."""
    return (
        care_plan.notes_minutes > 0
        and session.kind == "session"
        and not session.all_day
        and session.end > session.start
        and in_scope(care_plan.notes_applies_to, session.intense, session.telehealth)
    )


def open_notes(
    appointments: Sequence[AppointmentIn], care_plan: CarePlanIn, at: datetime
) -> list[AppointmentIn]:
    """The notes backlog at ``at``: applicable sessions that ended in the ``notes_backlog_days``
    days up to ``at`` (``at - days < end <= at``) without "notes done", by end time."""
    since = at - timedelta(days=care_plan.notes_backlog_days)
    return sorted(
        (
            a
            for a in appointments
            if notes_apply(care_plan, a) and not a.notes_done and since < a.end <= at
        ),
        key=lambda a: (a.end, a.start, a.identity),
    )


def wrap_up_candidates(
    sessions: Sequence[AppointmentIn], care_plan: CarePlanIn, tz: ZoneInfo
) -> list[Candidate]:
    """A silent cue ``wrap_up_minutes`` before each applicable session ends, never in its
    first half; it is the one reminder due inside a session (its own, and no other)."""
    minutes = care_plan.wrap_up_minutes
    if minutes <= 0:
        return []
    lead = timedelta(minutes=minutes)
    out = []
    for s in sessions:
        due = s.end - lead
        if due < s.start + (s.end - s.start) / 2:
            continue
        if not in_scope(care_plan.wrap_up_applies_to, s.intense, s.telehealth):
            continue
        out.append(
            Candidate(
                kind="wrap_up",
                anchor=s.identity,
                due=due,
                title=texts.wrap_up_title(minutes),
                body=texts.wrap_up_body(texts.hhmm(local_time(s.end, tz))),
                expires_at=s.end,
                shift=False,
                own_span=(s.start, s.end),
                duration_minutes=minutes,
            )
        )
    return out


def backlog_candidates(
    appointments: Sequence[AppointmentIn],
    care_plan: CarePlanIn,
    tz: ZoneInfo,
    days: Sequence[date],
    busy: BusyTime,
) -> list[Candidate]:
    """On working days, 30 minutes before working_end (or right after the busy time then),
    while the notes backlog at that moment is above zero."""
    if care_plan.notes_minutes <= 0 or not care_plan.notes_end_of_day:
        return []
    backlog = [a for a in appointments if notes_apply(care_plan, a) and not a.notes_done]
    ends = sorted(a.end for a in backlog)
    look_back = timedelta(days=care_plan.notes_backlog_days)
    out = []
    for day in days:
        if day.weekday() not in care_plan.working_days:
            continue
        hours = (
            local_to_utc(day, care_plan.working_start, tz),
            local_to_utc(day, care_plan.working_end, tz),
        )
        wall = datetime.combine(day, care_plan.working_end) - BACKLOG_LEAD
        due = busy.free_from(local_to_utc(wall.date(), wall.time(), tz))
        if not hours[0] <= due < hours[1]:
            continue
        count = bisect.bisect_right(ends, due) - bisect.bisect_right(ends, due - look_back)
        if count == 0:
            continue
        out.append(
            Candidate(
                kind="notes_backlog",
                anchor=None,
                due=due,
                title=texts.notes_backlog_title(),
                body=texts.notes_backlog_body(count),
                expires_at=hours[1],
                shift=False,
                within=hours,
                duration_minutes=0,
            )
        )
    return out
