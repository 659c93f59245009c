"""Pydantic shapes of the wellbeing API."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from interlude.core.validation import LocalTime

PRIVACY_REMINDER = (
    "This is your own space: please keep client names and details out of it. "
    "Free text is encrypted at rest."
)
WARNING_SIGNS: dict[str, str] = {
    "cynicism": "Cynicism",
    "reduced_empathy": "Reduced empathy",
    "irritability": "Irritability",
    "decision_fatigue": "Decision fatigue",
    "persistent_exhaustion": "Persistent exhaustion",
    "tension_headaches": "Tension headaches",
    "sleep_disruption": "Sleep disruption",
    "appetite_changes": "Appetite changes",
    "clock_watching": "Clock-watching",
    "decreased_attunement": "Decreased attunement",
    "autopilot_responses": "Autopilot responses",
    "relief_at_cancellations": "Relief at cancellations",
}
DEFAULT_EMOTION_WORDS = (
    "calm",
    "content",
    "grateful",
    "energised",
    "hopeful",
    "tired",
    "drained",
    "anxious",
    "irritable",
    "sad",
    "numb",
    "overwhelmed",
)
CommitmentKind = Literal["supervision", "peer", "personal_therapy"]
Frequency = Literal["weekly", "biweekly", "monthly"]
SignalCodeIn = Literal["energy_drop", "warning_signs", "breaks_skipped", "caseload"]

_WORD = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ '\-])*$")


def _emotion_word(value: str) -> str:
    value = " ".join(value.split()).lower()
    if not _WORD.match(value):
        raise ValueError("use letters only (spaces, hyphens and apostrophes are fine)")
    return value


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


EmotionWord = Annotated[str, Field(min_length=1, max_length=30), AfterValidator(_emotion_word)]
Emotions = Annotated[list[EmotionWord], Field(max_length=8), AfterValidator(_unique)]
FreeText = Annotated[
    str | None,
    Field(
        max_length=1000,
        description="Encrypted at rest. Please keep client names and details out of it.",
    ),
]
LongFreeText = Annotated[
    str | None,
    Field(
        max_length=2000,
        description="Encrypted at rest. Please keep client names and details out of it.",
    ),
]


EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


def _sane_date(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"give a date between {EARLIEST.isoformat()} and {LATEST.isoformat()}")
    return value


SaneDate = Annotated[date, AfterValidator(_sane_date)]


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- check-ins ---------------------------------------------------------------------------


class CheckInCreate(_In):
    energy: int = Field(ge=1, le=10, description="1 = empty, 10 = full of energy.")
    emotions: Emotions = Field(default_factory=list)
    sleep_quality: int | None = Field(default=None, ge=1, le=5)
    moved: bool | None = Field(default=None, description="Moved or exercised today.")
    connected: bool | None = Field(default=None, description="Connected with someone outside work.")
    insight: FreeText = None
    gratitude: FreeText = None
    at: datetime | None = Field(
        default=None, description="When this check-in is about; defaults to now. Not in the future."
    )

    _clean = field_validator("insight", "gratitude")(_blank_to_none)


class CheckInUpdate(_In):
    energy: int | None = Field(default=None, ge=1, le=10)
    emotions: Emotions | None = None
    sleep_quality: int | None = Field(default=None, ge=1, le=5)
    moved: bool | None = None
    connected: bool | None = None
    insight: FreeText = None
    gratitude: FreeText = None
    at: datetime | None = None

    _clean = field_validator("insight", "gratitude")(_blank_to_none)


class CheckInRead(BaseModel):
    id: uuid.UUID
    at: datetime
    local_date: date
    timezone: str
    energy: int
    emotions: list[str]
    sleep_quality: int | None
    moved: bool | None
    connected: bool | None
    insight: str | None
    gratitude: str | None
    created_at: datetime
    updated_at: datetime
    privacy_reminder: str = PRIVACY_REMINDER


# --- weekly reviews ----------------------------------------------------------------------

WarningSign = Literal[
    "cynicism",
    "reduced_empathy",
    "irritability",
    "decision_fatigue",
    "persistent_exhaustion",
    "tension_headaches",
    "sleep_disruption",
    "appetite_changes",
    "clock_watching",
    "decreased_attunement",
    "autopilot_responses",
    "relief_at_cancellations",
]
WarningSigns = Annotated[list[WarningSign], Field(max_length=12), AfterValidator(_unique)]


class KeptCommitments(_In):
    supervision: int = Field(default=0, ge=0, le=14)
    peer: int = Field(default=0, ge=0, le=14)
    personal_therapy: int = Field(default=0, ge=0, le=14)


class WeeklyReviewCreate(_In):
    week_start: SaneDate | None = Field(
        default=None,
        description="Any date in the reviewed week (moved to its Monday); defaults to this week.",
    )
    warning_signs: WarningSigns = Field(default_factory=list)
    commitments_kept: KeptCommitments = Field(default_factory=KeptCommitments)
    fulfillment: LongFreeText = None  # a meaningful moment this week

    _clean = field_validator("fulfillment")(_blank_to_none)


class WeeklyReviewUpdate(_In):
    warning_signs: WarningSigns | None = None
    commitments_kept: KeptCommitments | None = None
    fulfillment: LongFreeText = None

    _clean = field_validator("fulfillment")(_blank_to_none)


class WeeklyReviewRead(BaseModel):
    id: uuid.UUID
    week_start: date
    warning_signs: list[str]
    warning_sign_count: int
    commitments_planned: dict[str, int]
    commitments_kept: dict[str, int]
    fulfillment: str | None
    created_at: datetime
    updated_at: datetime
    privacy_reminder: str = PRIVACY_REMINDER


# --- monthly self-check ------------------------------------------------------------------


class SelfCheckCreate(_In):
    month: SaneDate | None = Field(
        default=None, description="Any date in the month; defaults to this month."
    )
    instrument: str = Field(default="interlude-reflection-v1", max_length=64)
    answers: dict[str, int]
    note: LongFreeText = None

    _clean = field_validator("note")(_blank_to_none)


class SelfCheckUpdate(_In):
    answers: dict[str, int] | None = None
    note: LongFreeText = None

    _clean = field_validator("note")(_blank_to_none)


class DimensionScoreRead(BaseModel):
    dimension: str
    label: str
    score: float
    band: str
    higher_means: str


class SelfCheckRead(BaseModel):
    id: uuid.UUID
    month: date
    instrument: str
    validated: bool
    disclaimer: str
    answers: dict[str, int]
    scores: list[DimensionScoreRead]
    change_since_previous: dict[str, float] | None
    note: str | None
    created_at: datetime
    updated_at: datetime
    privacy_reminder: str = PRIVACY_REMINDER


class InstrumentItemRead(BaseModel):
    id: str
    dimension: str
    text: str


class InstrumentRead(BaseModel):
    id: str
    name: str
    validated: bool
    disclaimer: str
    scale_min: int
    scale_max: int
    scale_labels: list[str]
    dimensions: list[dict[str, str]]
    items: list[InstrumentItemRead]


# --- commitments -------------------------------------------------------------------------


class CommitmentCreate(_In):
    kind: CommitmentKind
    label: str = Field(
        default="", max_length=80, description="Short, e.g. 'Group supervision'; no client data."
    )
    weekday: int = Field(ge=0, le=6, description="0 = Monday.")
    start_time: LocalTime = Field(description="Local wall-clock time, e.g. 10:00.")
    duration_minutes: int = Field(default=60, ge=5, le=480)
    frequency: Frequency = "weekly"
    starts_on: SaneDate | None = Field(
        default=None,
        description="First occurrence on or after this date; anchors biweekly and monthly. "
        "Defaults to today.",
    )
    active: bool = True

    @field_validator("label")
    @classmethod
    def _strip(cls, value: str) -> str:
        return " ".join(value.split())


class CommitmentUpdate(_In):
    kind: CommitmentKind | None = None
    label: str | None = Field(default=None, max_length=80)
    weekday: int | None = Field(default=None, ge=0, le=6)
    start_time: LocalTime | None = None
    duration_minutes: int | None = Field(default=None, ge=5, le=480)
    frequency: Frequency | None = None
    starts_on: SaneDate | None = None
    active: bool | None = None


class CommitmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    label: str
    weekday: int
    start_time: LocalTime
    duration_minutes: int
    frequency: str
    starts_on: date
    active: bool
    next_occurrence: datetime | None = None
    created_at: datetime
    updated_at: datetime


class OccurrenceRead(BaseModel):
    commitment_id: str
    kind: str
    label: str
    local_date: date
    start: datetime
    end: datetime


# --- settings and signals ----------------------------------------------------------------


class SettingsUpdate(_In):
    weekly_caseload_limit: int | None = Field(default=None, ge=1, le=80)
    emotion_words: Annotated[list[EmotionWord], Field(min_length=1, max_length=30)] | None = None


class SettingsRead(BaseModel):
    weekly_caseload_limit: int
    emotion_words: list[str]
    muted_signals: dict[str, date | None]
    warning_signs: dict[str, str] = WARNING_SIGNS
    privacy_reminder: str = PRIVACY_REMINDER


class MuteRequest(_In):
    days: int | None = Field(
        default=None,
        ge=1,
        le=365,
        description="Mute for this many days; omit to mute until undone.",
    )


class SignalRead(BaseModel):
    code: str
    title: str
    detail: str
    nudge: str
    evidence: dict[str, Any]
    mute_url: str


class SignalsRead(BaseModel):
    signals: list[SignalRead]
    muted_signals: dict[str, date | None]
