"""Request and response bodies of the reminders API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from interlude.planner.types import Activity, ReminderKind

AckAction = Literal["done", "snooze", "skip"]


class ReminderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str = Field(
        description="micro_break | transition_ritual | end_of_day | back_to_back | "
        "response_window_open | response_window_close | fixed_break | interval_break | "
        "commitment | notes (notes time alone) | wrap_up (silent cue before a session ends) "
        "| notes_backlog (end of day, while notes are open)"
    )
    due_at: datetime
    expires_at: datetime
    state: str = Field(
        description="planned | sending | sent (accepted by a push service) | delivered "
        "(shown on a device) | failed | expired | cancelled"
    )
    title: str
    body: str
    activity: str | None
    duration_minutes: int
    ritual_steps: list[str]
    ritual_name: str | None = Field(description="The care plan's ritual this reminder carries.")
    ritual_minutes: int = Field(description="That ritual's own minutes (0: none).")
    notes_minutes: int = Field(
        description="Notes time this reminder's gap reserves, after the break "
        "(duration_minutes) or before it, as the care plan's notes_order says (0: none)."
    )
    attempts: int
    sent_at: datetime | None
    delivered_at: datetime | None = Field(description="When a device first showed it.")
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


class ReminderReceipt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    device: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = Field(
        default=None,
        description="sha256 hex of the showing device's push endpoint; null when the "
        "service worker has no subscription to name.",
    )


class ReminderReceiptRead(BaseModel):
    id: uuid.UUID
    state: str
    delivered_at: datetime | None
    device_known: bool = Field(description="Whether the device is one of yours.")


# --- the planner's day preview ----------------------------------------------------------


class PreviewSessionRead(BaseModel):
    start: datetime
    end: datetime
    local_start: str = Field(description="Local wall-clock start, HH:MM")
    local_end: str = Field(description="Local wall-clock end, HH:MM")
    telehealth: bool
    intense: bool


class PlannedReminderRead(BaseModel):
    key: str
    kind: ReminderKind
    due_at: datetime
    expires_at: datetime
    local_time: str = Field(description="Local wall-clock due time, HH:MM")
    anchor: str | None
    title: str
    body: str
    activity: Activity | None
    duration_minutes: int
    ritual_steps: list[str]
    ritual_name: str | None
    ritual_minutes: int
    notes_minutes: int = Field(description="Notes time this reminder's gap reserves (0: none).")


class PlannerPreviewRead(BaseModel):
    date: date
    timezone: str
    sessions: list[PreviewSessionRead]
    reminders: list[PlannedReminderRead]


# --- marks on the session a reminder hangs on -------------------------------------------


class ReminderSessionUpdate(BaseModel):
    """Marks on the reminder's session (flags only: never text). Send at least one."""

    model_config = ConfigDict(extra="forbid")

    notes_done: StrictBool | None = Field(
        default=None, description="Notes written for the session this reminder follows."
    )
    ran_over: StrictBool | None = Field(default=None, description="That session ran over.")

    @model_validator(mode="after")
    def _something(self) -> ReminderSessionUpdate:
        if not self.marks():
            raise ValueError("send notes_done and/or ran_over (true or false)")
        return self

    def marks(self) -> dict[str, bool]:
        return {
            name: value
            for name in ("notes_done", "ran_over")
            if (value := getattr(self, name)) is not None
        }
