from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from interlude.core.validation import LocalTime
from interlude.planner.types import (
    Activity,
    BreakTrigger,
    NotesOrder,
    RitualTrigger,
    SessionScope,
)

Minutes = Annotated[int, Field(ge=1, le=60)]
NotesMinutes = Annotated[
    int,
    Field(
        ge=0,
        le=60,
        description="Notes time after each session it applies to, in minutes; 0 = none "
        "reserved (and notes tracking off).",
    ),
]
NotesBacklogDays = Annotated[
    int, Field(ge=1, le=30, description="How many days back the notes backlog looks.")
]
WrapUpMinutes = Annotated[
    int,
    Field(
        ge=0,
        le=15,
        description="A silent cue this long before a session ends (never in its first "
        "half); 0 = off.",
    ),
]
_SCOPE = "Which sessions: every one, or only those marked intense / telehealth."
_ORDER = "break_first: the break, then notes; notes_first: notes, then the break."


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- settings --------------------------------------------------------------------------


class CarePlanSettingsRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    quiet_start: LocalTime | None
    quiet_end: LocalTime | None
    daily_cap: int
    working_days: list[int]
    working_start: LocalTime
    working_end: LocalTime
    typical_reply_time: str
    notify_window_close: bool
    notes_minutes: NotesMinutes
    notes_applies_to: SessionScope = Field(description=_SCOPE)
    notes_order: NotesOrder = Field(description=_ORDER)
    notes_backlog_days: NotesBacklogDays
    notes_end_of_day: bool = Field(
        description="A reminder before the end of working hours while notes are open."
    )
    wrap_up_minutes: WrapUpMinutes
    wrap_up_applies_to: SessionScope = Field(description=_SCOPE)


class CarePlanSettingsUpdate(_Strict):
    quiet_start: LocalTime | None = Field(
        default=None, description="Local time; may wrap midnight."
    )
    quiet_end: LocalTime | None = None
    daily_cap: int | None = Field(default=None, ge=1, le=50)
    working_days: list[Annotated[int, Field(ge=0, le=6)]] | None = Field(
        default=None, description="0 = Monday ... 6 = Sunday", max_length=7
    )
    working_start: LocalTime | None = None
    working_end: LocalTime | None = None
    typical_reply_time: str | None = Field(default=None, min_length=1, max_length=200)
    notify_window_close: bool | None = None
    notes_minutes: NotesMinutes | None = None
    notes_applies_to: SessionScope | None = Field(default=None, description=_SCOPE)
    notes_order: NotesOrder | None = Field(default=None, description=_ORDER)
    notes_backlog_days: NotesBacklogDays | None = None
    notes_end_of_day: bool | None = None
    wrap_up_minutes: WrapUpMinutes | None = None
    wrap_up_applies_to: SessionScope | None = Field(default=None, description=_SCOPE)

    @field_validator("working_days")
    @classmethod
    def _unique_days(cls, value: list[int] | None) -> list[int] | None:
        return sorted(set(value)) if value is not None else None


class CarePlanSettingsValues(_Strict):
    """The merged settings, validated as a whole after an update."""

    quiet_start: LocalTime | None
    quiet_end: LocalTime | None
    daily_cap: int = Field(ge=1, le=50)
    working_days: list[int]
    working_start: LocalTime
    working_end: LocalTime
    typical_reply_time: str
    notify_window_close: bool
    notes_minutes: NotesMinutes
    notes_applies_to: SessionScope
    notes_order: NotesOrder
    notes_backlog_days: NotesBacklogDays
    notes_end_of_day: bool
    wrap_up_minutes: WrapUpMinutes
    wrap_up_applies_to: SessionScope

    @model_validator(mode="after")
    def _consistent(self) -> CarePlanSettingsValues:
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValueError("set both quiet_start and quiet_end, or neither")
        if self.quiet_start is not None and self.quiet_start == self.quiet_end:
            raise ValueError("quiet_start and quiet_end must differ")
        if self.working_start >= self.working_end:
            raise ValueError("working_start must be before working_end")
        return self


# --- micro-break rules -----------------------------------------------------------------


class MicroBreakRuleCreate(_Strict):
    trigger: BreakTrigger = "after_session"
    min_gap_minutes: int = Field(
        default=5, ge=1, le=240, description="after_session: the gap to the next session"
    )
    at_time: LocalTime | None = Field(default=None, description="fixed_time: local time of day")
    every_minutes: int | None = Field(
        default=None, ge=15, le=480, description="interval: inside working hours"
    )
    duration_minutes: Minutes = 2
    activity: Activity = "box_breathing"
    custom_text: str | None = Field(default=None, max_length=200)
    enabled: bool = True

    @model_validator(mode="after")
    def _trigger_fields(self) -> MicroBreakRuleCreate:
        if self.trigger == "fixed_time" and self.at_time is None:
            raise ValueError("a fixed_time rule needs at_time (e.g. '12:30')")
        if self.trigger == "interval" and self.every_minutes is None:
            raise ValueError("an interval rule needs every_minutes (15 to 480)")
        if self.activity == "custom" and not (self.custom_text or "").strip():
            raise ValueError("a custom activity needs custom_text")
        return self


class MicroBreakRuleUpdate(_Strict):
    trigger: BreakTrigger | None = None
    min_gap_minutes: int | None = Field(default=None, ge=1, le=240)
    at_time: LocalTime | None = None
    every_minutes: int | None = Field(default=None, ge=15, le=480)
    duration_minutes: Minutes | None = None
    activity: Activity | None = None
    custom_text: str | None = Field(default=None, max_length=200)
    enabled: bool | None = None


class MicroBreakRuleRead(MicroBreakRuleCreate):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    id: uuid.UUID


# --- response windows ------------------------------------------------------------------


class ResponseWindowCreate(_Strict):
    weekday: int = Field(ge=0, le=6, description="0 = Monday ... 6 = Sunday")
    start_time: LocalTime
    end_time: LocalTime

    @model_validator(mode="after")
    def _order(self) -> ResponseWindowCreate:
        if self.start_time >= self.end_time:
            raise ValueError("start_time must be before end_time (windows stay within a day)")
        return self


class ResponseWindowUpdate(_Strict):
    weekday: int | None = Field(default=None, ge=0, le=6)
    start_time: LocalTime | None = None
    end_time: LocalTime | None = None


class ResponseWindowRead(ResponseWindowCreate):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    id: uuid.UUID


# --- time off (PTO, holidays) ----------------------------------------------------------


class TimeOffCreate(_Strict):
    start_date: date
    end_date: date = Field(description="Inclusive.")
    kind: Literal["pto", "holiday"] = "pto"
    label: str = Field(default="", max_length=120)

    @model_validator(mode="after")
    def _order(self) -> TimeOffCreate:
        if self.start_date > self.end_date:
            raise ValueError("start_date must be on or before end_date")
        if (self.end_date - self.start_date).days > 366:
            raise ValueError("time off can span at most a year; add several entries")
        return self


class TimeOffUpdate(_Strict):
    start_date: date | None = None
    end_date: date | None = None
    kind: Literal["pto", "holiday"] | None = None
    label: str | None = Field(default=None, max_length=120)


class TimeOffRead(TimeOffCreate):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    id: uuid.UUID


# --- transition rituals ----------------------------------------------------------------

Step = Annotated[str, Field(min_length=1, max_length=200)]


class RitualCreate(_Strict):
    name: str = Field(min_length=1, max_length=120)
    steps: list[Step] = Field(min_length=1, max_length=12)
    trigger: RitualTrigger = "after_every_session"
    duration_minutes: Minutes = 5
    enabled: bool = True

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class RitualUpdate(_Strict):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    steps: list[Step] | None = Field(default=None, min_length=1, max_length=12)
    trigger: RitualTrigger | None = None
    duration_minutes: Minutes | None = None
    enabled: bool | None = None


class RitualRead(RitualCreate):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    id: uuid.UUID


class CarePlanRead(BaseModel):
    settings: CarePlanSettingsRead
    micro_breaks: list[MicroBreakRuleRead]
    response_windows: list[ResponseWindowRead]
    time_off: list[TimeOffRead]
    rituals: list[RitualRead]
