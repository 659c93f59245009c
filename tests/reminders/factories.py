"""Test data for the reminders domain: outbox rows, planned reminders and devices."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from interlude.core.runtime import Runtime
from interlude.planner.types import PlannedReminder
from interlude.push import service as push_service
from interlude.push.schemas import PushSubscriptionCreate
from interlude.push.vapid import load_or_create_vapid
from interlude.reminders.models import PLANNED, Reminder
from tests.support.push_service import LocalPushService, LocalSubscription


def planned(
    due_at: datetime,
    *,
    kind: str = "micro_break",
    anchor: str | None = "appt-1",
    expires_in: timedelta = timedelta(minutes=10),
    title: str = "Time for a short break",
    body: str = "Two minutes of box breathing before your next session.",
    **extra: Any,
) -> PlannedReminder:
    key = hashlib.sha256(f"{kind}|{anchor}|{due_at.isoformat()}".encode()).hexdigest()[:40]
    return PlannedReminder(
        key=key,
        kind=kind,  # type: ignore[arg-type]
        due_at=due_at,
        expires_at=due_at + expires_in,
        anchor=anchor,
        title=title,
        body=body,
        **extra,
    )


def make_reminder(
    db: Session,
    *,
    user_id: uuid.UUID,
    due_at: datetime,
    expires_in: timedelta = timedelta(minutes=10),
    state: str = PLANNED,
    kind: str = "micro_break",
    commit: bool = True,
    **extra: Any,
) -> Reminder:
    row = Reminder(
        user_id=user_id,
        key=extra.pop("key", uuid.uuid4().hex),
        kind=kind,
        anchor=extra.pop("anchor", "appt"),
        due_at=due_at,
        next_attempt_at=extra.pop("next_attempt_at", due_at),
        expires_at=due_at + expires_in,
        state=state,
        attempts=extra.pop("attempts", 0),
        title=extra.pop("title", "Time for a short break"),
        body=extra.pop("body", "Two minutes of box breathing."),
        activity=extra.pop("activity", "box_breathing"),
        duration_minutes=extra.pop("duration_minutes", 2),
        ritual_steps=extra.pop("ritual_steps", []),
        created_at=due_at - timedelta(days=1),
        updated_at=due_at - timedelta(days=1),
        **extra,
    )
    db.add(row)
    if commit:
        db.commit()
    return row


def vapid_public_key(runtime: Runtime) -> str:
    with runtime.session() as session:
        return load_or_create_vapid(
            session=session, keyring=runtime.keyring, now=runtime.clock.now()
        ).public_key


def add_device(
    runtime: Runtime,
    service: LocalPushService,
    user_id: uuid.UUID,
    *,
    label: str = "Phone",
    silent_capable: bool = False,
) -> tuple[LocalSubscription, uuid.UUID]:
    """A device at the local push service, registered for the user as the API would (with
    the capability its PWA reports)."""
    device = service.subscribe(application_server_key=vapid_public_key(runtime))
    data = PushSubscriptionCreate.model_validate(
        {**device.info, "label": label, "silent_capable": silent_capable}
    )
    with runtime.session() as session:
        row, _ = push_service.upsert_subscription(
            session=session,
            user_id=user_id,
            data=data,
            now=runtime.clock.now(),
            allow_private_network=True,
        )
        return device, row.id
