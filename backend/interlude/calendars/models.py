"""ORM models of the calendars domain.

Only times, flags and keyed identity hashes of events are stored: never a title,
description, location, attendee or organizer.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from interlude.core.db import Base, UUIDPrimaryKey

_USER_FK = "users.id"


class CalendarSource(UUIDPrimaryKey, Base):
    """A calendar the user connected: an ICS feed, a CalDAV calendar or an uploaded file."""

    __tablename__ = "calendar_sources"
    __table_args__ = (Index("ix_calendar_sources_next_sync_at", "next_sync_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # ics_url | caldav | upload | sample
    name: Mapped[str] = mapped_column(String(120))
    # Secrets, encrypted with runtime.keyring.encrypt().
    url_encrypted: Mapped[str | None] = mapped_column(Text)
    username_encrypted: Mapped[str | None] = mapped_column(Text)
    password_encrypted: Mapped[str | None] = mapped_column(Text)
    caldav_calendar: Mapped[str | None] = mapped_column(String(1000))
    # {"mode": "all_timed"} | {"mode": "keywords", "include": [...], "exclude": [...]}
    # | {"mode": "duration", "min_minutes": n, "max_minutes": n}; plus "owner_emails".
    rule: Mapped[dict[str, Any]] = mapped_column(JSON)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    body_hash: Mapped[str | None] = mapped_column(String(64))
    sync_token: Mapped[str | None] = mapped_column(String(1000))
    ctag: Mapped[str | None] = mapped_column(String(1000))
    expanded_until: Mapped[datetime | None]
    # The user's zone when the appointments were computed (floating and all-day times
    # depend on it): a change of zone forces a full re-read.
    expanded_zone: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    last_error: Mapped[str | None] = mapped_column(String(500))
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    last_synced_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    # When a read last added, changed or removed an appointment: feeds quiet for long are
    # polled less often (service.poll_interval).
    last_changed_at: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    next_sync_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]
    appointment_count: Mapped[int] = mapped_column(default=0)
    session_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Appointment(UUIDPrimaryKey, Base):
    """One busy instance of a calendar event, within the sync horizon."""

    __tablename__ = "appointments"
    __table_args__ = (
        UniqueConstraint("source_id", "identity_hash"),
        Index("ix_appointments_user_id_start", "user_id", "start"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"))
    source_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("calendar_sources.id", ondelete="CASCADE"), index=True
    )
    identity_hash: Mapped[str] = mapped_column(String(64))
    start: Mapped[datetime]
    end: Mapped[datetime]
    all_day: Mapped[bool] = mapped_column(default=False)
    kind: Mapped[str] = mapped_column(String(16))  # session | other
    telehealth: Mapped[bool] = mapped_column(default=False)
    intense: Mapped[bool] = mapped_column(default=False)
    notes_done: Mapped[bool] = mapped_column(default=False)
    ran_over: Mapped[bool] = mapped_column(default=False)


# The flags a therapist may set on one occurrence. Issue 21 adds more (notes done, ran over)
# as new names here: one row per (occurrence, mark), so a new flag needs no new table or column.
OCCURRENCE_MARKS = ("intense", "telehealth", "notes_done", "ran_over")


class OccurrenceMark(UUIDPrimaryKey, Base):
    """A flag the therapist set on one occurrence of a calendar event (never text).

    Keyed like an appointment (its source and keyed identity hash of UID + recurrence key),
    not by the appointment's row, so it outlives re-syncs that drop and re-add the occurrence
    and applies to the occurrence again when it comes back. ``value`` overrides what the
    feed says (a telehealth link found or not); the appointment's own column carries the
    effective value for readers.
    """

    __tablename__ = "occurrence_marks"
    __table_args__ = (UniqueConstraint("source_id", "identity_hash", "mark"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"), index=True)
    source_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("calendar_sources.id", ondelete="CASCADE")
    )
    identity_hash: Mapped[str] = mapped_column(String(64))
    mark: Mapped[str] = mapped_column(String(32))
    value: Mapped[bool]
    updated_at: Mapped[datetime]
