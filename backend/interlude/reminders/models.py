"""ORM models of the reminders domain: the outbox rows and the breaks.ics feed token.

A ``Reminder`` is one planned notification. Its life is a small state machine::

    planned -> sending -> sent | failed | expired
    sent -> delivered               (a device's service worker showed it: a receipt)
    planned -> cancelled            (re-planning removed it)
    planned -> expired              (its expiry passed before it could be sent)
    sending -> planned              (retryable push failure; next_attempt_at moves on)

``sending`` carries a lease (``lease_owner``, ``lease_until``): a worker that dies leaves the
row to be reclaimed by another once the lease runs out.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from interlude.core.db import Base, UUIDPrimaryKey

PLANNED = "planned"
SENDING = "sending"
SENT = "sent"
DELIVERED = "delivered"
FAILED = "failed"
EXPIRED = "expired"
CANCELLED = "cancelled"
STATES = (PLANNED, SENDING, SENT, DELIVERED, FAILED, EXPIRED, CANCELLED)
FINAL_STATES = (SENT, DELIVERED, FAILED, EXPIRED, CANCELLED)

ACK_ACTIONS = ("done", "snooze", "skip")


class Reminder(UUIDPrimaryKey, Base):
    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        # The dispatcher's claim query: due rows first.
        Index("ix_reminders_state_next_attempt_at", "state", "next_attempt_at"),
        Index("ix_reminders_user_id_due_at", "user_id", "due_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    anchor: Mapped[str | None] = mapped_column(String(128))
    due_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), default=PLANNED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime | None]
    # received-side lateness is measured by the push service; this is send-side lateness.
    lateness_ms: Mapped[int | None]
    # The first receipt from a device that showed it, and its lateness from due_at.
    delivered_at: Mapped[datetime | None]
    receipt_lateness_ms: Mapped[int | None]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(500))
    activity: Mapped[str | None] = mapped_column(String(32))
    duration_minutes: Mapped[int] = mapped_column(default=2)
    ritual_steps: Mapped[list[str]] = mapped_column(JSON, default=list)
    ritual_name: Mapped[str | None] = mapped_column(String(120))
    ritual_minutes: Mapped[int] = mapped_column(default=0)
    notes_minutes: Mapped[int] = mapped_column(default=0)  # notes time the gap reserves
    snoozed_from_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("reminders.id", ondelete="SET NULL")
    )
    ack_action: Mapped[str | None] = mapped_column(String(16))
    acked_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class BreaksFeedToken(Base):
    """The private breaks.ics subscription token: only a keyed hash is stored."""

    __tablename__ = "reminder_feed_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
