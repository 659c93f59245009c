"""Pydantic shapes of the week-ahead API.

Times are instants (UTC) and facts, never sentences with times in them: the PWA words each
suggestion with ``Intl.DateTimeFormat`` in the user's own zone and format.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from interlude.core.validation import Instant, LocalTime

HELD_LABEL = "Break (Interlude)"
WriteState = Literal["pending", "written", "failed", "removing"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- the review setting ----------------------------------------------------------------------


class WeekAheadSettingsUpdate(_In):
    enabled: bool | None = Field(default=None, description="Send the week-ahead push.")
    weekday: int | None = Field(default=None, ge=0, le=6, description="0 = Monday, 6 = Sunday.")
    time: LocalTime | None = Field(
        default=None, description="Local wall-clock time in your zone, e.g. 18:00."
    )


class WeekAheadSettingsRead(BaseModel):
    enabled: bool
    weekday: int = Field(description="0 = Monday, 6 = Sunday.")
    time: LocalTime
    timezone: str
    next_review_at: datetime | None = Field(
        description="When the next push is due (before quiet hours and sessions move it)."
    )


# --- held time ---------------------------------------------------------------------------------


class HeldTimeCreate(_In):
    start: Instant
    end: Instant


class HeldTimeWriteRead(BaseModel):
    source_id: uuid.UUID
    state: WriteState
    error: str | None = None


class HeldTimeRead(BaseModel):
    id: uuid.UUID
    start: datetime
    end: datetime
    label: str = HELD_LABEL
    calendar_writes: list[HeldTimeWriteRead] = Field(default_factory=list)


class HeldCalendarRead(BaseModel):
    source_id: uuid.UUID
    source_name: str
    calendar: str | None = Field(description="Path of the calendar held time is written to.")


class HeldCalendarUpdate(_In):
    calendar: str | None = Field(
        max_length=1000,
        description="A calendar path from the choices; null stops writing (and removes what "
        "was written).",
    )


class CalendarChoiceRead(BaseModel):
    path: str
    name: str


# --- the week ----------------------------------------------------------------------------------


class RunRead(BaseModel):
    start: datetime
    end: datetime
    session_count: int
    last_session_start: datetime


class CommitmentOccurrenceRead(BaseModel):
    kind: str
    label: str
    start: datetime
    end: datetime


class WeekDayRead(BaseModel):
    date: date
    session_count: int
    first_session_start: datetime | None
    last_session_end: datetime | None
    runs: list[RunRead]
    longest_break_minutes: int | None = Field(
        description="Longest gap between the first session and the last; null under 2."
    )
    no_break: bool = Field(description="2+ sessions and no break of 10 minutes between them.")
    time_off: bool
    commitments: list[CommitmentOccurrenceRead]
    held: list[HeldTimeRead]
    expected_notes_backlog: int = Field(
        description="Sessions of this day whose notes time the reminders cannot keep (the "
        "gap after them is too short, or the day's reminders are capped): their notes wait "
        "for later. 0 when notes time is off, and on a day off."
    )


class SuggestionRead(BaseModel):
    id: str
    kind: Literal["back_to_back", "no_break"]
    date: date
    start: datetime = Field(description="The time to hold.")
    end: datetime
    position: Literal["after", "before"] = Field(
        description="The hold follows the anchor session, or precedes it."
    )
    stretch_start: datetime
    stretch_end: datetime
    session_count: int
    anchor_start: datetime
    anchor_end: datetime
    held_id: uuid.UUID | None = Field(description="Set when this time is held already.")
    expected_notes_backlog: int = Field(
        description="How many of the stretch's sessions have no notes time kept after them "
        "(as the day's expected_notes_backlog counts them)."
    )


class WeekTimeOffRead(BaseModel):
    start_date: date
    end_date: date
    kind: str
    label: str


class WeekTotalsRead(BaseModel):
    sessions: int
    back_to_back_runs: int
    days_without_break: int
    commitments: int
    expected_notes_backlog: int = Field(
        description="The days' expected_notes_backlog, summed: 0 when notes time is off."
    )


class WeekAheadRead(BaseModel):
    timezone: str
    first_day: date
    last_day: date
    totals: WeekTotalsRead
    days: list[WeekDayRead]
    suggestions: list[SuggestionRead]
    time_off: list[WeekTimeOffRead] = Field(description="Time off overlapping the next five weeks.")
