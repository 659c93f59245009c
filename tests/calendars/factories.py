"""Appointments as a synced calendar would store them, for tests of what reads them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from interlude.calendars.models import Appointment, CalendarSource

CREATED = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


def add_appointments(
    db: Session,
    user_id: uuid.UUID,
    starts: list[datetime],
    minutes: int = 50,
    *,
    kind: str = "session",
    telehealth: bool = False,
    intense: bool = False,
) -> None:
    """One uploaded source holding an appointment of ``minutes`` at each start; committed."""
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
                telehealth=telehealth,
                intense=intense,
            )
        )
    db.commit()
