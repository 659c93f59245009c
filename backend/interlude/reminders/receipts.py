"""Delivery receipts: a device's service worker showed a reminder's notification.

``sent`` only means a push service accepted the message (RFC 8030 promises nothing after
that); ``delivered`` means a device showed it. The first receipt decides ``delivered_at``;
later ones (other devices, replays of an offline queue) change nothing on the reminder but
still tell their device's health that it works.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from interlude.push import service as push_service
from interlude.reminders.models import (
    DELIVERED,
    EXPIRED,
    FAILED,
    PLANNED,
    SENT,
    Reminder,
)
from interlude.reminders.service import get_reminder

# A receipt proves the notification was shown, whatever the push answers said: a retry whose
# first attempt did arrive (planned), an expiry or failure noted for it. A cancelled reminder
# stays cancelled; one still being sent becomes delivered when its outcome is written
# (outbox.mark).
_BECOMES_DELIVERED = (PLANNED, SENT, FAILED, EXPIRED)


def record_receipt(
    *,
    session: Session,
    user_id: uuid.UUID,
    reminder_id: uuid.UUID,
    device_hash: str | None,
    now: datetime,
) -> tuple[Reminder, bool]:
    """Marks the reminder delivered (idempotent) and the device healthy.

    Another user's reminder is ``NotFound`` like a missing one. Returns the reminder and
    whether the device was one of the user's.
    """
    row = get_reminder(session=session, user_id=user_id, reminder_id=reminder_id)
    lateness = max((now - row.due_at) // timedelta(milliseconds=1), 0)
    session.execute(
        update(Reminder)
        .where(Reminder.id == row.id, Reminder.delivered_at.is_(None))
        .values(delivered_at=now, receipt_lateness_ms=lateness)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Reminder)
        .where(Reminder.id == row.id, Reminder.state.in_(_BECOMES_DELIVERED))
        .values(state=DELIVERED, updated_at=now, last_error=None)
        .execution_options(synchronize_session=False)
    )
    known = push_service.record_receipt(
        session=session, user_id=user_id, device_hash=device_hash, now=now
    )
    session.refresh(row)
    return row, known
