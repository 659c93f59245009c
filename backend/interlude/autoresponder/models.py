"""ORM models of the autoresponder domain: one profile per user, created on first read."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from interlude.core.db import Base


class AutoresponderProfile(Base):
    """What the auto-replies say beyond the care plan: who, how, and what to do in a crisis."""

    __tablename__ = "autoresponder_profiles"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    credentials: Mapped[str] = mapped_column(String(120), default="")
    practice_name: Mapped[str] = mapped_column(String(160), default="")
    tone: Mapped[str] = mapped_column(String(16), default="warm")
    language: Mapped[str] = mapped_column(String(8), default="en")
    country: Mapped[str] = mapped_column(String(2), default="US")
    emergency_text: Mapped[str | None] = mapped_column(String(500))
    emergency_text_short: Mapped[str | None] = mapped_column(String(160))
    emergency_enabled: Mapped[bool] = mapped_column(default=True)
    covering_name: Mapped[str] = mapped_column(String(120), default="")
    covering_contact: Mapped[str] = mapped_column(String(200), default="")
    secure_channel_name: Mapped[str] = mapped_column(String(120), default="")
    secure_channel_url: Mapped[str] = mapped_column(String(500), default="")
    email_not_secure_note: Mapped[bool] = mapped_column(default=True)
    reader_timezone: Mapped[str | None] = mapped_column(String(64))
    mail_addresses: Mapped[list[str]] = mapped_column(JSON, default=list)
    sieve_days: Mapped[int] = mapped_column(default=1)
    sieve_seconds: Mapped[int | None]
    custom_templates: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
