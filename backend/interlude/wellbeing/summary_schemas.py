"""Response shapes of ``GET /summary`` and ``GET /notes``: typed, so generated clients get
real fields."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from interlude.wellbeing.schemas import SignalRead


class DayRead(BaseModel):
    date: date
    energy: float | None = Field(description="Mean of the day's check-ins; null: none.")
    energy_avg7: float | None = Field(description="Mean daily energy, this day and 6 before.")
    checkins: int
    sessions: int
    session_minutes: int
    longest_run: int = Field(description="Most sessions in a row with < 10 minutes between.")
    break_minutes: int = Field(description="Sum of the gaps between consecutive sessions.")
    shortest_gap_minutes: int | None
    outside_hours: int
    breaks_planned: int
    breaks_taken: int
    breaks_skipped: int
    breaks_snoozed: int
    breaks_unanswered: int
    reminders_delivered: int
    ran_over: int = Field(description="The day's sessions that ran over.")


class WeekRead(BaseModel):
    week_start: date
    sessions: int
    session_hours: float
    caseload_limit: int
    above_limit: bool
    longest_run: int
    break_minutes: int
    outside_hours: int
    breaks_planned: int
    breaks_taken: int
    breaks_skipped: int
    breaks_snoozed: int
    breaks_unanswered: int
    reminders_delivered: int
    ran_over: int
    warning_signs: int | None = Field(description="Signs ticked in that week's review.")
    commitments_planned: int
    commitments_kept: int | None


class DayColumns(BaseModel):
    """uPlot-ready columns, one value per day; null draws a gap."""

    x: list[int] = Field(description="Unix seconds at 12:00 UTC of each date.")
    dates: list[date]
    energy: list[float | None]
    energy_avg7: list[float | None]
    sessions: list[int]
    breaks_planned: list[int]
    breaks_taken: list[int]
    breaks_skipped: list[int]
    breaks_snoozed: list[int]


class WeekColumns(BaseModel):
    x: list[int] = Field(description="Unix seconds at 12:00 UTC of each week's Monday.")
    week_starts: list[date]
    sessions: list[int]
    caseload_limit: list[int]
    breaks_planned: list[int]
    breaks_taken: list[int]
    breaks_skipped: list[int]
    breaks_snoozed: list[int]
    warning_signs: list[int | None]


class ChartRead(BaseModel):
    days: DayColumns
    weeks: WeekColumns


class CaseloadRead(BaseModel):
    limit: int
    weeks_above_limit: int
    busiest_week: int


class IndicatorsRead(BaseModel):
    sessions: int
    session_hours: float
    longest_back_to_back: int
    break_minutes_between_sessions: int
    average_gap_minutes: float | None
    sessions_outside_working_hours: int
    reminders_delivered: int
    breaks_planned: int
    breaks_taken: int
    breaks_skipped: int
    breaks_snoozed: int
    breaks_unanswered: int
    caseload: CaseloadRead
    energy_average: float | None
    checkin_days: int
    sessions_ended: int = Field(description="The window's sessions that have ended by now.")
    sessions_ran_over: int = Field(description="Those of them that ran over.")
    ran_over_share: float | None = Field(
        description="sessions_ran_over / sessions_ended (0 to 1); null: no session ended."
    )
    notes_backlog: int | None = Field(
        description="Sessions without notes today (as GET /notes counts them); null while "
        "notes time is off. Notes ticks carry no date, so a past window shows today's."
    )


class CorrelationRead(BaseModel):
    factor: str
    sentence: str
    energy_with: float
    energy_without: float
    days_with: int
    days_without: int
    days: int
    difference: float


class SummaryRead(BaseModel):
    period: Literal["week", "month"]
    start: date
    end: date
    timezone: str
    days: list[DayRead]
    weeks: list[WeekRead]
    chart: ChartRead
    indicators: IndicatorsRead
    correlations: list[CorrelationRead]
    signals: list[SignalRead]
    muted_signals: dict[str, date | None]


class NotesSessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(description="The appointment: PATCH /api/v1/appointments/{id}.")
    start: datetime
    end: datetime


class NotesLoadRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    enabled: bool = Field(description="Notes time is on in the care plan (notes_minutes > 0).")
    backlog_days: int = Field(description="How far back the backlog looks (care plan).")
    backlog: int = Field(
        description="Sessions notes time applies to that ended in the last backlog_days days "
        "without 'notes done'; 0 while notes time is off."
    )
    sessions: list[NotesSessionRead] = Field(
        description="Those sessions, newest first, at most 50."
    )
    ran_over_days: int = Field(description="The ran-over counts look this many days back.")
    sessions_ended: int = Field(description="Sessions that ended in those days.")
    ran_over: int = Field(description="Those of them that ran over.")
