"""Small builders for wellbeing tests: appointments and reminder rows in the database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from interlude.calendars.models import Appointment, CalendarSource
from interlude.reminders.models import Reminder


def make_source(db: Session, user_id: uuid.UUID, now: datetime) -> CalendarSource:
    source = CalendarSource(
        user_id=user_id,
        kind="upload",
        name="Practice",
        rule={"mode": "all_timed"},
        created_at=now,
        updated_at=now,
    )
    db.add(source)
    db.flush()
    return source


def add_session(
    db: Session,
    source: CalendarSource,
    start: datetime,
    minutes: int = 50,
    *,
    kind: str = "session",
    all_day: bool = False,
) -> Appointment:
    row = Appointment(
        user_id=source.user_id,
        source_id=source.id,
        identity_hash=uuid.uuid4().hex,
        start=start,
        end=start + timedelta(minutes=minutes),
        all_day=all_day,
        kind=kind,
    )
    db.add(row)
    return row


def add_reminder(
    db: Session,
    user_id: uuid.UUID,
    due_at: datetime,
    *,
    kind: str = "micro_break",
    state: str = "sent",
    ack: str | None = None,
    snoozed_from: Reminder | None = None,
    **extra: Any,
) -> Reminder:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    row = Reminder(
        user_id=user_id,
        key=uuid.uuid4().hex,
        kind=kind,
        due_at=due_at,
        expires_at=due_at + timedelta(minutes=10),
        next_attempt_at=due_at,
        state=state,
        attempts=1 if state == "sent" else 0,
        sent_at=due_at if state == "sent" else None,
        title="Break",
        body="Breathe",
        duration_minutes=2,
        ritual_steps=[],
        ack_action=ack,
        acked_at=due_at + timedelta(minutes=1) if ack else None,
        snoozed_from_id=snoozed_from.id if snoozed_from else None,
        created_at=now,
        updated_at=now,
        **extra,
    )
    db.add(row)
    db.flush()
    return row
