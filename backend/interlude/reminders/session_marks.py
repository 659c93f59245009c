"""Marks on the session a reminder hangs on (its anchor): "notes done" and "ran over" from the
Break screen or a notification's action, and "ran over" inferred from a late Done.

The marks themselves belong to the calendars domain (``calendars/marks.py``); this module only
finds the anchor's appointment.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from interlude.accounts.models import User
from interlude.calendars import marks
from interlude.calendars.models import Appointment
from interlude.core.errors import Conflict
from interlude.reminders.models import Reminder

# Reminders due when a session ends: a Done on one tells when the therapist got out.
SESSION_END_KINDS = frozenset({"micro_break", "transition_ritual", "end_of_day", "notes"})
# Done this long after the break should have ended means the session ran over.
RAN_OVER_GRACE = timedelta(minutes=5)


def _anchor_session(*, session: Session, row: Reminder) -> Appointment:
    found = (
        marks.appointment_for_anchor(
            session=session, user_id=row.user_id, identity=row.anchor, near=row.due_at
        )
        if row.anchor
        else None
    )
    if found is None:
        raise Conflict(
            "This reminder does not belong to a session (or the session is no longer in "
            "your calendar): mark the session from Today instead.",
            code="no_session",
        )
    return found


def mark_anchor_session(
    *, session: Session, user: User, row: Reminder, values: dict[str, bool], now: datetime
) -> Appointment:
    """Set ``values`` (notes_done, ran_over) on the session ``row`` hangs on, as the therapist's
    own marks. No session: Conflict ``no_session``."""
    appointment = _anchor_session(session=session, row=row)
    return marks.mark_occurrence(
        session=session, user=user, appointment_id=appointment.id, marks=values, now=now
    )


def ran_late(row: Reminder, now: datetime) -> bool:
    """Done on a session-end reminder later than its due time + its minutes + the grace.

    A snoozed reminder (``snoozed_from_id``) says nothing: its break was moved on purpose.
    """
    return (
        row.kind in SESSION_END_KINDS
        and row.anchor is not None
        and row.snoozed_from_id is None
        and now > row.due_at + timedelta(minutes=row.duration_minutes) + RAN_OVER_GRACE
    )


def infer_ran_over(*, session: Session, user_id: uuid.UUID, row: Reminder, now: datetime) -> None:
    """After a Done: mark the anchor session ran over when the Done came late, unless a
    ran-over mark exists already (the therapist's own wins)."""
    if not ran_late(row, now) or row.anchor is None:
        return
    appointment = marks.appointment_for_anchor(
        session=session, user_id=user_id, identity=row.anchor, near=row.due_at
    )
    if appointment is not None:
        marks.infer_ran_over(session=session, appointment=appointment, now=now)
