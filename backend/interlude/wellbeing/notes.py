"""``GET /notes``: the notes backlog (applicable sessions without "notes done") and how often
sessions ran over.

The care plan says whether notes time is on (``notes_minutes > 0``), which sessions it applies
to and how far back the backlog looks; the marks and their counts live in the calendars domain
(``calendars/marks.py``). Ran-over counts need no setting: every session that ended in the
last ``RAN_OVER_DAYS`` days counts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from interlude.calendars import marks
from interlude.calendars.models import Appointment
from interlude.care_plan.service import load_plan_input

RAN_OVER_DAYS = 28


@dataclass(frozen=True, slots=True)
class NotesLoad:
    enabled: bool
    backlog_days: int
    backlog: int
    sessions: list[Appointment] = field(default_factory=list)  # newest first, at most 50
    ran_over_days: int = RAN_OVER_DAYS
    sessions_ended: int = 0
    ran_over: int = 0


def notes_load(*, session: Session, user_id: uuid.UUID, now: datetime) -> NotesLoad:
    """The backlog as of ``now`` (0 and no sessions while notes time is off) and the ran-over
    counts of the last ``RAN_OVER_DAYS`` days."""
    plan = load_plan_input(session=session, user_id=user_id)
    enabled = plan.notes_minutes > 0
    ended, ran_over = marks.ran_over_counts(
        session=session, user_id=user_id, since=now - timedelta(days=RAN_OVER_DAYS), until=now
    )
    if not enabled:
        return NotesLoad(
            enabled=False,
            backlog_days=plan.notes_backlog_days,
            backlog=0,
            sessions_ended=ended,
            ran_over=ran_over,
        )
    unnoted = marks.unnoted_sessions(
        session=session,
        user_id=user_id,
        since=now - timedelta(days=plan.notes_backlog_days),
        until=now,
        applies_to=plan.notes_applies_to,
    )
    return NotesLoad(
        enabled=True,
        backlog_days=plan.notes_backlog_days,
        backlog=unnoted.count,
        sessions=unnoted.newest,
        sessions_ended=ended,
        ran_over=ran_over,
    )
