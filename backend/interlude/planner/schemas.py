"""Response shapes of the planner's preview endpoint."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from interlude.planner.types import Activity, ReminderKind


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


class PlannerPreviewRead(BaseModel):
    date: date
    timezone: str
    sessions: list[PreviewSessionRead]
    reminders: list[PlannedReminderRead]
