"""ORM models of the wellbeing domain.

Free text (insights, gratitude, reflections, notes) is stored only as Fernet ciphertext from
``runtime.keyring.encrypt()``: the ``*_encrypted`` columns.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from interlude.core.db import Base, UUIDPrimaryKey

_USER_FK = "users.id"


class WellbeingSettings(Base):
    """Per-user knobs: the weekly caseload limit, muted signals, the emotion word chips."""

    __tablename__ = "wellbeing_settings"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(_USER_FK, ondelete="CASCADE"), primary_key=True
    )
    weekly_caseload_limit: Mapped[int] = mapped_column(default=25)
    # {signal code: ISO date the mute ends (exclusive), or null for "until I unmute"}
    muted_signals: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    emotion_words: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime]


class CheckIn(UUIDPrimaryKey, Base):
    __tablename__ = "wellbeing_checkins"
    __table_args__ = (
        CheckConstraint("energy BETWEEN 1 AND 10", name="energy_range"),
        CheckConstraint("sleep_quality BETWEEN 1 AND 5", name="sleep_range"),
        Index("ix_wellbeing_checkins_user_id_at", "user_id", "at"),
        Index("ix_wellbeing_checkins_user_id_local_date", "user_id", "local_date"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"))
    at: Mapped[datetime]
    # The user's own date when they checked in, fixed at write time (zone changes keep it).
    local_date: Mapped[date]
    timezone: Mapped[str] = mapped_column(String(64))
    energy: Mapped[int]
    emotions: Mapped[list[str]] = mapped_column(JSON, default=list)
    sleep_quality: Mapped[int | None]
    moved: Mapped[bool | None]
    connected: Mapped[bool | None]
    insight_encrypted: Mapped[str | None] = mapped_column(Text)
    gratitude_encrypted: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class WeeklyReview(UUIDPrimaryKey, Base):
    __tablename__ = "wellbeing_weekly_reviews"
    __table_args__ = (UniqueConstraint("user_id", "week_start"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"))
    week_start: Mapped[date]  # the Monday of the reviewed week, in the user's zone
    warning_signs: Mapped[list[str]] = mapped_column(JSON, default=list)
    # {"supervision": n, "peer": n, "personal_therapy": n}: what the user says they kept.
    commitments_kept: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    fulfillment_encrypted: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SelfCheck(UUIDPrimaryKey, Base):
    __tablename__ = "wellbeing_self_checks"
    __table_args__ = (UniqueConstraint("user_id", "month", "instrument"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"))
    month: Mapped[date]  # first day of the month
    instrument: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict[str, int]] = mapped_column(JSON)
    scores: Mapped[dict[str, Any]] = mapped_column(JSON)
    note_encrypted: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Commitment(UUIDPrimaryKey, Base):
    """A recurring supervision, peer check-in or personal therapy slot, in local wall time."""

    __tablename__ = "wellbeing_commitments"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("duration_minutes BETWEEN 5 AND 480", name="duration_range"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # supervision | peer | personal_therapy
    label: Mapped[str] = mapped_column(String(80), default="")
    weekday: Mapped[int]  # 0 = Monday
    start_time: Mapped[time]
    duration_minutes: Mapped[int] = mapped_column(default=60)
    frequency: Mapped[str] = mapped_column(String(16))  # weekly | biweekly | monthly
    starts_on: Mapped[date]  # first occurrence on or after this date; anchors biweekly parity
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
