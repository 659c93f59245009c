"""Request and response bodies of the reminders API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

AckAction = Literal["done", "snooze", "skip"]


class ReminderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    due_at: datetime
    expires_at: datetime
    state: str = Field(description="planned | sending | sent | failed | expired | cancelled")
    title: str
    body: str
    activity: str | None
    duration_minutes: int
    ritual_steps: list[str]
    attempts: int
    sent_at: datetime | None
    last_error: str | None = Field(
        description="Why it failed or was cancelled, in words a person can act on."
    )
    ack_action: AckAction | None
    acked_at: datetime | None
    snoozed_from_id: uuid.UUID | None


class ReminderAck(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: AckAction
    snooze_minutes: int = Field(
        default=5, ge=1, le=120, description="Only for 'snooze': minutes from now."
    )


class ReminderAckRead(BaseModel):
    reminder: ReminderRead
    snoozed: ReminderRead | None = Field(
        default=None, description="The new reminder a snooze planned."
    )


class FeedTokenRead(BaseModel):
    token: str = Field(description="Shown once; only a keyed hash is stored.")
    url: str = Field(description="Subscribe to this URL from your calendar app.")
    created_at: datetime


class FeedTokenStatus(BaseModel):
    active: bool
    created_at: datetime | None
