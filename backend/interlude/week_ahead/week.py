"""The week's view: sessions per day, back-to-back runs, days without a break, the expected
notes backlog, time off and commitments, and the suggestions (week_ahead/analysis.py decides;
this module loads its inputs and shapes the answer)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from interlude.accounts.models import User
from interlude.care_plan.service import TIME_OFF, list_items
from interlude.core.timezones import local_date, local_midnight, user_zone
from interlude.reminders.planning import load_plan_inputs
from interlude.week_ahead import analysis
from interlude.week_ahead.service import held_read, list_held
from interlude.wellbeing.commitments import upcoming_commitments

WEEK_DAYS = 7
TIME_OFF_AHEAD = timedelta(days=35)


def first_day_default(user: User, now: datetime) -> date:
    """The week ahead starts tomorrow (local): on a Sunday evening, Monday to Sunday."""
    return local_date(now, user_zone(user)) + timedelta(days=1)


def compute_week(*, session: Session, user: User, now: datetime, first_day: date) -> dict[str, Any]:
    zone = user_zone(user)
    days = [first_day + timedelta(days=n) for n in range(WEEK_DAYS)]
    start = local_midnight(days[0], zone)
    end = local_midnight(days[-1] + timedelta(days=1), zone)
    held_rows = list_held(session=session, user_id=user.id, start=start, end=end)
    held_spans = {(h.start, h.end) for h in held_rows}
    # Reminders' own planner inputs (a day either side): the week's sessions and busy time
    # come from them, and the planner run on them gives the expected notes backlog.
    plan_inputs = load_plan_inputs(
        session=session,
        user_id=user.id,
        start=start - timedelta(days=1),
        end=end + timedelta(days=1),
    )
    sessions: list[analysis.Interval] = []
    other: list[analysis.Interval] = []
    for a in plan_inputs.appointments:
        if a.all_day or a.end <= a.start or a.end <= start or a.start >= end:
            continue
        if a.kind == "session":
            sessions.append(analysis.Interval(a.start, a.end))
        elif (a.start, a.end) not in held_spans:  # held time, or our own event read back
            other.append(analysis.Interval(a.start, a.end))
    commitments = upcoming_commitments(
        session=session, user_id=user.id, start=start - timedelta(days=1), end=end
    )
    other.extend(analysis.Interval(c.start, c.end) for c in commitments if c.end > start)
    time_off_rows = [
        t
        for t in list_items(session=session, user_id=user.id, resource=TIME_OFF)
        if t.end_date >= days[0] and t.start_date <= days[0] + TIME_OFF_AHEAD
    ]
    off_dates = frozenset(d for d in days for t in time_off_rows if t.start_date <= d <= t.end_date)
    notes_left = analysis.notes_left_over(
        appointments=plan_inputs.appointments,
        commitments=plan_inputs.commitments,
        care_plan=plan_inputs.care_plan,
        zone=zone,
        days=days,
    )
    week = analysis.week_ahead(
        days=days,
        zone=zone,
        now=now,
        sessions=sessions,
        other_busy=other,
        time_off=off_dates,
        held=[analysis.Held(str(h.id), h.start, h.end) for h in held_rows],
        notes_left=notes_left,
    )
    held_by_id = {str(r.id): r for r in held_rows}
    reads = {str(h.id): h for h in held_read(held_rows, session=session)}
    day_reads = []
    for day in week.days:
        day_reads.append(
            {
                "date": day.day,
                "session_count": day.session_count,
                "first_session_start": day.first_session_start,
                "last_session_end": day.last_session_end,
                "runs": [
                    {
                        "start": r.start,
                        "end": r.end,
                        "session_count": r.session_count,
                        "last_session_start": r.last_session_start,
                    }
                    for r in day.runs
                ],
                "longest_break_minutes": day.longest_break_minutes,
                "no_break": day.no_break,
                "time_off": day.time_off,
                "commitments": [
                    {"kind": c.kind, "label": c.label, "start": c.start, "end": c.end}
                    for c in commitments
                    if c.local_date == day.day
                ],
                "held": [reads[h.id] for h in day.held if h.id in held_by_id],
                "expected_notes_backlog": day.expected_notes_backlog,
            }
        )
    return {
        "timezone": zone.key,
        "first_day": days[0],
        "last_day": days[-1],
        "totals": {
            "sessions": sum(d.session_count for d in week.days),
            "back_to_back_runs": sum(len(d.runs) for d in week.days),
            "days_without_break": sum(d.no_break for d in week.days),
            "commitments": sum(1 for c in commitments if c.local_date in days),
            "expected_notes_backlog": sum(d.expected_notes_backlog for d in week.days),
        },
        "days": day_reads,
        "suggestions": [
            {
                "id": s.id,
                "kind": s.kind,
                "date": s.day,
                "start": s.start,
                "end": s.end,
                "position": s.position,
                "stretch_start": s.stretch_start,
                "stretch_end": s.stretch_end,
                "session_count": s.session_count,
                "anchor_start": s.anchor_start,
                "anchor_end": s.anchor_end,
                "held_id": s.held_id,
                "expected_notes_backlog": s.expected_notes_backlog,
            }
            for s in week.suggestions
        ],
        "time_off": [
            {"start_date": t.start_date, "end_date": t.end_date, "kind": t.kind, "label": t.label}
            for t in time_off_rows
        ],
    }
