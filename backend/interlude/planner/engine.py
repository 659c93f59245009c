"""``plan()``: appointments + care plan + zone + now -> planned reminders. Pure and deterministic.

The pipeline: normalise the appointments, propose candidates (sessions, fixed/interval rules,
response windows, commitments, the wrap-up cue, the notes backlog), place each one under the
global rules (busy time, quiet hours, time off, expiry), drop redundant rule breaks, apply the
per-day cap, and only then look at ``now`` and ``horizon_end`` -- so re-planning at a later
instant never changes which reminders a day keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from interlude.core.timezones import days_between, local_date
from interlude.planner.candidates import (
    Constraints,
    apply_daily_cap,
    drop_crowded_rule_breaks,
    place,
    sort_key,
)
from interlude.planner.clock_math import BusyTime, QuietHours
from interlude.planner.commitments import commitment_candidates, timed_commitments
from interlude.planner.notes import backlog_candidates, wrap_up_candidates
from interlude.planner.rules import rule_candidates, window_candidates
from interlude.planner.sessions import session_candidates
from interlude.planner.types import AppointmentIn, CarePlanIn, CommitmentIn, PlannedReminder

RULE_BREAK_CROWDING = timedelta(minutes=15)  # a rule break this close to a session break is noise


def _timed(appointments: Sequence[AppointmentIn]) -> list[AppointmentIn]:
    """Timed, non-empty appointments, de-duplicated and in a canonical order."""
    unique = {
        (a.start, a.end, a.identity, a.kind, a.telehealth, a.intense, a.notes_done): a
        for a in appointments
        if not a.all_day and a.end > a.start
    }
    return [unique[k] for k in sorted(unique)]


def time_off_dates(care_plan: CarePlanIn, first: date, last: date) -> frozenset[date]:
    dates: set[date] = set()
    for off in care_plan.time_off:
        lo, hi = max(off.start_date, first), min(off.end_date, last)
        dates.update(days_between(lo, hi))
    return frozenset(dates)


def plan(
    appointments: Sequence[AppointmentIn],
    care_plan: CarePlanIn,
    tz: ZoneInfo,
    now: datetime,
    horizon_end: datetime,
    commitments: Sequence[CommitmentIn] = (),
) -> list[PlannedReminder]:
    """The reminders still worth sending between ``now`` and ``horizon_end``, sorted by due time.

    A reminder is returned when ``due_at < horizon_end`` and ``expires_at > now``: one whose
    due time has passed but which has not expired is kept unchanged (same key), so the outbox
    can still deliver it. ``commitments`` (supervision, peer check-ins, own therapy) are busy
    time like client appointments and each gets a ``commitment`` reminder shortly before it.
    The notes backlog reminder counts the sessions in ``appointments`` that ended up to
    ``notes_backlog_days`` before it without ``notes_done``: give those too.
    See docs/planner.md for every rule.
    """
    first_day = local_date(now, tz) - timedelta(days=1)
    last_day = local_date(horizon_end, tz) + timedelta(days=1)
    if last_day < first_day:
        return []
    # One more day back, so the reminders due on ``first_day`` (a late session spilling past
    # midnight, a window closing after midnight) are all proposed and the cap sees them all.
    days = days_between(first_day - timedelta(days=1), last_day)
    timed = _timed(appointments)
    held = timed_commitments(commitments)
    busy = BusyTime([*((a.start, a.end) for a in timed), *((c.start, c.end) for c in held)])
    # Sessions of one more day: tomorrow's runs are announced today.
    sessions = [
        a
        for a in timed
        if a.kind == "session"
        and days[0] <= local_date(a.start, tz) <= last_day + timedelta(days=1)
    ]
    constraints = Constraints(
        tz=tz,
        busy=busy,
        quiet=QuietHours(care_plan.quiet_start, care_plan.quiet_end, tz),
        time_off=time_off_dates(care_plan, days[0], last_day + timedelta(days=1)),
    )
    candidates = [
        *session_candidates(sessions, care_plan, tz),
        *rule_candidates(care_plan, tz, days),
        *window_candidates(care_plan, tz, days),
        *commitment_candidates(held, busy, tz),
        *wrap_up_candidates(sessions, care_plan, tz),
        # The backlog counts every session given (the caller loads notes_backlog_days back).
        *backlog_candidates(timed, care_plan, tz, days, busy),
    ]
    placed: dict[str, PlannedReminder] = {}
    for candidate in candidates:
        reminder = place(candidate, constraints)
        if reminder is not None and (
            reminder.key not in placed or _preferred(reminder, placed[reminder.key])
        ):
            placed[reminder.key] = reminder
    kept = drop_crowded_rule_breaks(placed.values(), RULE_BREAK_CROWDING)
    capped = apply_daily_cap(kept, care_plan.daily_cap, tz)
    return sorted(
        (r for r in capped if r.expires_at > now and r.due_at < horizon_end), key=sort_key
    )


def _preferred(new: PlannedReminder, old: PlannedReminder) -> bool:
    """Which of two reminders with one key to keep, independent of input order: the earlier,
    then the longer-lived (two windows opening at once: the longer one), then any field."""

    def rank(r: PlannedReminder) -> tuple[object, ...]:
        return (sort_key(r), -r.expires_at.timestamp(), -r.duration_minutes, repr(r))

    return rank(new) < rank(old)
