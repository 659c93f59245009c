"""ORM models of the week-ahead domain: the review setting, held time and its write-back.

Held time is a pair of UTC instants with a fixed label ("Break (Interlude)"): no text of the
user's is ever stored with it. A released hold whose calendar events are not removed yet is
kept (``released_at`` set) until the write-back has removed them.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from interlude.core.db import Base, UUIDPrimaryKey

_USER_FK = "users.id"

# Write-back states of one held time in one CalDAV calendar.
PENDING = "pending"  # to be written
WRITTEN = "written"
FAILED = "failed"  # written once it works; retried by the job
REMOVING = "removing"  # released: the event is to be deleted
WRITE_STATES = (PENDING, WRITTEN, FAILED, REMOVING)


class WeekAheadSettings(Base):
    """When the week-ahead review comes: a local weekday and time in the user's zone."""

    __tablename__ = "week_ahead_settings"
    __table_args__ = (CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(_USER_FK, ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(default=True)
    weekday: Mapped[int] = mapped_column(default=6)  # 0 = Monday; 6 = Sunday
    at_time: Mapped[time]  # local wall-clock, no offset
    # The review instant (UTC) the last push was sent (or skipped) for: one push per review.
    last_review_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class HeldTime(UUIDPrimaryKey, Base):
    """Time the therapist held for a break: busy time for the planner, an event in their
    calendar. Start and end only; the label is fixed."""

    __tablename__ = "held_time"
    __table_args__ = (
        CheckConstraint('"end" > start', name="end_after_start"),
        Index("ix_held_time_user_id_start", "user_id", "start"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"))
    start: Mapped[datetime]
    end: Mapped[datetime]
    created_at: Mapped[datetime]
    released_at: Mapped[datetime | None]


class HeldTimeCalendar(Base):
    """The calendar of a CalDAV source that held time is written to (its path on the server).
    No row: nothing is written to that source."""

    __tablename__ = "held_time_calendars"

    source_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("calendar_sources.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"), index=True)
    calendar: Mapped[str] = mapped_column(String(1000))
    updated_at: Mapped[datetime]


class HeldTimeWrite(UUIDPrimaryKey, Base):
    """One held time's event in one chosen calendar, and where writing or removing it is."""

    __tablename__ = "held_time_writes"
    __table_args__ = (UniqueConstraint("held_id", "source_id"),)

    held_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("held_time.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("calendar_sources.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"), index=True)
    calendar: Mapped[str] = mapped_column(String(1000))  # where it was (or is to be) written
    state: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime]
