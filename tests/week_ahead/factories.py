"""Builders for the week-ahead tests: appointments as a synced calendar would store them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from interlude.calendars.models import Appointment, CalendarSource

CREATED = datetime.fromisoformat("2026-11-20T12:00:00+00:00")


def add_appointments(
    db: Session,
    user_id: uuid.UUID,
    starts: list[datetime],
    minutes: int = 50,
    kind: str = "session",
) -> None:
    source = CalendarSource(
        user_id=user_id,
        kind="upload",
        name="Practice calendar",
        rule={"mode": "all_timed"},
        created_at=CREATED,
        updated_at=CREATED,
    )
    db.add(source)
    db.flush()
    for start in starts:
        db.add(
            Appointment(
                user_id=user_id,
                source_id=source.id,
                identity_hash=uuid.uuid4().hex,
                start=start,
                end=start + timedelta(minutes=minutes),
                kind=kind,
                all_day=False,
                telehealth=False,
                intense=False,
            )
        )
    db.commit()
