"""Counted actions: how many times one key (an address, an account) did something within a
window, as database rows, so the count holds across every server and worker process.

A row is one counted event (a failed sign-in, an account created, a test push sent), keyed
by a keyed hash of what it counts (``"signup:203.0.113.7"``), never the address or email
itself. The table keeps the name of its first use, ``login_failures`` (no migration);
``accounts.auth`` keeps its own sign-in checks on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Index, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from interlude.core.db import Base, UUIDPrimaryKey
from interlude.core.errors import RateLimited
from interlude.core.security import Keyring

# Rows older than this are deleted as new ones are added: the longest window below is a
# day; a longer sign-in window (a setting) keeps its own rows as long as it needs.
KEPT_FOR = timedelta(days=1, minutes=5)


class RateEvent(UUIDPrimaryKey, Base):
    """One counted action, keyed by a hash of who did it."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key_hash", "at"),)

    key_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


@dataclass(frozen=True)
class Limit:
    """At most ``count`` events per key within ``window``; ``message`` is the 429's text,
    formatted with ``{wait}`` (e.g. "12 minutes")."""

    count: int
    window: timedelta
    message: str


def limit_key(keyring: Keyring, kind: str, who: str) -> str:
    return keyring.hash_token(f"{kind}:{who}")


def wait_words(seconds: int) -> str:
    """A wait rounded up to what a person reads: "40 seconds", "3 minutes", "5 hours"."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    if seconds < 2 * 3600:
        minutes = -(-seconds // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{-(-seconds // 3600)} hours"


def check(*, session: Session, key: str, limit: Limit, now: datetime) -> None:
    """Raises 429 (``Retry-After`` in seconds, and the wait in the message) if ``key`` has
    used up ``limit``."""
    count, oldest = session.execute(
        select(func.count(), func.min(RateEvent.at)).where(
            RateEvent.key_hash == key, RateEvent.at > now - limit.window
        )
    ).one()
    if count >= limit.count:
        retry_after = max(1, int((oldest + limit.window - now).total_seconds()) + 1)
        raise RateLimited(
            limit.message.format(wait=wait_words(retry_after)),
            headers={"Retry-After": str(retry_after)},
            details={"retry_after_seconds": retry_after},
        )


def record(*, session: Session, key: str, now: datetime) -> None:
    """Counts one event for ``key`` (in ``session``'s transaction) and forgets old ones."""
    session.add(RateEvent(key_hash=key, at=now))
    prune(session=session, older_than=now - KEPT_FOR)


def prune(*, session: Session, older_than: datetime) -> None:
    session.execute(delete(RateEvent).where(RateEvent.at < older_than))
