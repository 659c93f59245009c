"""Request and response bodies of the calendars API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
    model_validator,
)

Name = Annotated[str, Field(min_length=1, max_length=120)]
Keyword = Annotated[str, Field(min_length=1, max_length=100)]


class ClassificationRule(BaseModel):
    """Which events are client sessions. Default: every timed event (practice feeds)."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["all_timed", "keywords", "duration"] = "all_timed"
    include: list[Keyword] = Field(default_factory=list, max_length=50)
    exclude: list[Keyword] = Field(default_factory=list, max_length=50)
    min_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    max_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    owner_emails: list[Annotated[str, Field(max_length=320)]] = Field(
        default_factory=list,
        max_length=10,
        description="Your addresses as they appear among attendees: events you declined "
        "are then not busy.",
    )

    @model_validator(mode="after")
    def _check(self) -> ClassificationRule:
        if self.mode == "keywords" and not (self.include or self.exclude):
            raise ValueError("keyword rules need at least one include or exclude keyword")
        if self.mode == "duration" and self.min_minutes is None and self.max_minutes is None:
            raise ValueError("duration rules need min_minutes or max_minutes")
        if (
            self.min_minutes is not None
            and self.max_minutes is not None
            and self.min_minutes > self.max_minutes
        ):
            raise ValueError("min_minutes must not exceed max_minutes")
        return self


class CalendarCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["ics_url", "caldav", "sample"]
    name: Name | None = None
    url: Annotated[str, Field(max_length=2000)] | None = None
    username: Annotated[str, Field(max_length=320)] | None = None
    password: Annotated[str, Field(max_length=1000)] | None = None
    calendar: Annotated[str, Field(max_length=1000)] | None = Field(
        default=None, description="CalDAV: the calendar's path or URL, from /caldav/discover."
    )
    rule: ClassificationRule = Field(default_factory=ClassificationRule)

    @model_validator(mode="after")
    def _check(self) -> CalendarCreate:
        if self.kind in ("ics_url", "caldav") and not (self.url and self.url.strip()):
            raise ValueError(f"a {self.kind} calendar needs a url")
        if self.kind == "caldav" and not self.username:
            raise ValueError("a caldav calendar needs a username")
        return self


class CalendarUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    url: Annotated[str, Field(min_length=1, max_length=2000)] | None = None
    username: Annotated[str, Field(max_length=320)] | None = None
    password: Annotated[str, Field(max_length=1000)] | None = None
    calendar: Annotated[str, Field(max_length=1000)] | None = None
    rule: ClassificationRule | None = None


class CaldavDiscover(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, Field(min_length=1, max_length=2000)]
    username: Annotated[str, Field(min_length=1, max_length=320)]
    password: Annotated[str, Field(max_length=1000)] = ""


class CaldavCalendar(BaseModel):
    path: str
    name: str


class SyncCounts(BaseModel):
    added: int = 0
    changed: int = 0
    removed: int = 0


class SyncResultRead(BaseModel):
    status: str
    counts: SyncCounts
    warnings: list[str]
    error: str | None
    unchanged: bool = False


class CalendarRead(BaseModel):
    id: uuid.UUID
    kind: str
    name: str
    url: str | None = Field(description="Masked: enough to recognise the feed, not to reuse it.")
    username: str | None
    has_password: bool
    calendar: str | None
    rule: dict[str, Any]
    status: str
    last_error: str | None
    warnings: list[str]
    last_synced_at: datetime | None = Field(
        description='The last successful check (a 304 "not modified" counts: it is as fresh).'
    )
    last_attempt_at: datetime | None
    last_changed_at: datetime | None = Field(
        default=None, description="When a read last added, changed or removed an appointment."
    )
    next_sync_at: datetime | None
    consecutive_failures: int
    appointment_count: int
    session_count: int
    created_at: datetime
    last_sync: SyncResultRead | None = None


class FreshnessRead(BaseModel):
    checked_at: datetime | None = Field(
        description="The oldest last successful check of the user's synced calendars: every "
        "calendar is at least this fresh. Null without any (or before the first success)."
    )
    checked: int = Field(description="Calendars checked by this request (0: already fresh).")
    changed: bool = Field(description="Whether the check changed any appointment.")


class AppointmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    source_id: uuid.UUID
    start: datetime
    end: datetime
    all_day: bool
    kind: str
    telehealth: bool
    intense: bool
    notes_done: bool = Field(description="The therapist ticked 'notes done' for this session.")
    ran_over: bool = Field(
        description="The session ran over: set by the therapist, or inferred from a break "
        "marked done well after it was due."
    )


# The marks AppointmentUpdate (and the reminders' session marks) may carry, in answer order.
_MARK_NAMES = ("intense", "telehealth", "notes_done", "ran_over")


class AppointmentUpdate(BaseModel):
    """Marks on one occurrence (flags only: never text). Send at least one."""

    model_config = ConfigDict(extra="forbid")

    intense: StrictBool | None = Field(
        default=None, description="An intense session: 'after intense sessions' rituals follow."
    )
    telehealth: StrictBool | None = Field(
        default=None,
        description="A telehealth session (overrides what the calendar suggests): "
        "'after telehealth' rituals follow.",
    )
    notes_done: StrictBool | None = Field(
        default=None, description="Notes written for this session (leaves the notes backlog)."
    )
    ran_over: StrictBool | None = Field(
        default=None, description="The session ran over (wins over the inferred value)."
    )

    @model_validator(mode="after")
    def _something(self) -> AppointmentUpdate:
        if not self.marks():
            raise ValueError(
                "send at least one of intense, telehealth, notes_done, ran_over (true or false)"
            )
        return self

    def marks(self) -> dict[str, bool]:
        return {name: value for name in _MARK_NAMES if (value := getattr(self, name)) is not None}


class AppointmentQuery(BaseModel):
    start: datetime
    end: datetime

    @field_validator("start", "end")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("include a UTC offset, e.g. 2026-11-23T00:00:00-05:00")
        return value
