from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from interlude.core.db import Base, UUIDPrimaryKey

_USER_FK = "users.id"


class CarePlanSettings(Base):
    """The per-user knobs that are not lists: quiet hours, cap, working hours, notes time and
    the wrap-up cue."""

    __tablename__ = "care_plans"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(_USER_FK, ondelete="CASCADE"), primary_key=True
    )
    quiet_start: Mapped[time | None]
    quiet_end: Mapped[time | None]
    daily_cap: Mapped[int] = mapped_column(default=12)
    working_days: Mapped[list[int]] = mapped_column(JSON)
    working_start: Mapped[time]
    working_end: Mapped[time]
    typical_reply_time: Mapped[str] = mapped_column(String(200))
    notify_window_close: Mapped[bool] = mapped_column(default=False)
    notes_minutes: Mapped[int] = mapped_column(default=0)  # 0: no notes time, no tracking
    notes_applies_to: Mapped[str] = mapped_column(String(16), default="every")
    notes_order: Mapped[str] = mapped_column(String(16), default="break_first")
    notes_backlog_days: Mapped[int] = mapped_column(default=7)
    notes_end_of_day: Mapped[bool] = mapped_column(default=True)
    wrap_up_minutes: Mapped[int] = mapped_column(default=0)  # 0: no wrap-up cue
    wrap_up_applies_to: Mapped[str] = mapped_column(String(16), default="every")
    updated_at: Mapped[datetime]


class MicroBreakRule(UUIDPrimaryKey, Base):
    __tablename__ = "micro_break_rules"
    __table_args__ = (CheckConstraint("duration_minutes BETWEEN 1 AND 60", name="duration_range"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"), index=True)
    trigger: Mapped[str] = mapped_column(String(20))  # after_session | fixed_time | interval
    min_gap_minutes: Mapped[int] = mapped_column(default=5)
    at_time: Mapped[time | None]
    every_minutes: Mapped[int | None]
    duration_minutes: Mapped[int] = mapped_column(default=2)
    activity: Mapped[str] = mapped_column(String(20))
    custom_text: Mapped[str | None] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class ResponseWindow(UUIDPrimaryKey, Base):
    """A weekly slot, in the user's own zone, when they answer client messages."""

    __tablename__ = "response_windows"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("start_time < end_time", name="start_before_end"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"), index=True)
    weekday: Mapped[int]  # 0 = Monday, as datetime.weekday()
    start_time: Mapped[time]
    end_time: Mapped[time]


class TimeOff(UUIDPrimaryKey, Base):
    """Dated exceptions (PTO, holidays): no response windows, no work reminders."""

    __tablename__ = "time_off"
    __table_args__ = (CheckConstraint("start_date <= end_date", name="start_before_end"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"), index=True)
    start_date: Mapped[date]
    end_date: Mapped[date]
    kind: Mapped[str] = mapped_column(String(16))  # pto | holiday
    label: Mapped[str] = mapped_column(String(120), default="")


class TransitionRitual(UUIDPrimaryKey, Base):
    __tablename__ = "transition_rituals"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    steps: Mapped[list[str]] = mapped_column(JSON)
    trigger: Mapped[str] = mapped_column(String(24))
    duration_minutes: Mapped[int] = mapped_column(default=5)
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
