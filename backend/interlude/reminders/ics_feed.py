"""The private breaks.ics feed: planned breaks as calendar blocks, readable by token.

The token is a bearer secret in a URL (calendar apps cannot send headers), so only its keyed
hash is stored; rotating replaces it, revoking deletes it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from interlude.core import hooks
from interlude.core.security import Keyring, new_token
from interlude.reminders.models import (
    CANCELLED,
    FAILED,
    BreaksFeedToken,
    Reminder,
)

FEED_PATH = "/api/v1/calendars/breaks.ics"
FEED_PAST = timedelta(days=7)
FEED_FUTURE = timedelta(days=31)
HELD_TIME_SUMMARY = "Break (Interlude)"
# Heads-ups and window notices are not breaks: they do not block time in a calendar.
_BLOCK_KINDS = (
    "micro_break",
    "transition_ritual",
    "end_of_day",
    "fixed_break",
    "interval_break",
)


def issue_token(
    *, session: Session, keyring: Keyring, user_id: uuid.UUID, now: datetime
) -> tuple[str, datetime]:
    """Create or rotate the user's feed token; the old URL stops working at once."""
    token = new_token(24)
    row = session.get(BreaksFeedToken, user_id)
    if row is None:
        row = BreaksFeedToken(user_id=user_id, token_hash="", created_at=now)
        session.add(row)
    row.token_hash = keyring.hash_token(f"breaks-feed:{token}")
    row.created_at = now
    session.flush()
    return token, now


def revoke_token(*, session: Session, user_id: uuid.UUID) -> bool:
    result = session.execute(delete(BreaksFeedToken).where(BreaksFeedToken.user_id == user_id))
    return bool(getattr(result, "rowcount", 0))


def token_status(*, session: Session, user_id: uuid.UUID) -> BreaksFeedToken | None:
    return session.get(BreaksFeedToken, user_id)


def user_for_token(*, session: Session, keyring: Keyring, token: str) -> uuid.UUID | None:
    if not token or len(token) > 200:
        return None
    return session.scalar(
        select(BreaksFeedToken.user_id).where(
            BreaksFeedToken.token_hash == keyring.hash_token(f"breaks-feed:{token}")
        )
    )


def render_feed(*, session: Session, user_id: uuid.UUID, now: datetime) -> bytes:
    from icalendar import Calendar, Event  # loads when a feed is written

    rows = session.scalars(
        select(Reminder)
        .where(
            Reminder.user_id == user_id,
            Reminder.kind.in_(_BLOCK_KINDS),
            Reminder.state.not_in((CANCELLED, FAILED)),
            Reminder.snoozed_from_id.is_(None),
            Reminder.due_at >= now - FEED_PAST,
            Reminder.due_at < now + FEED_FUTURE,
        )
        .order_by(Reminder.due_at)
    )
    cal = Calendar()
    cal.add("prodid", "-//Interlude//Breaks//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Interlude breaks")
    cal.add("refresh-interval", timedelta(minutes=30), parameters={"VALUE": "DURATION"})
    for row in rows:
        end = min(row.due_at + timedelta(minutes=max(row.duration_minutes, 1)), row.expires_at)
        event = Event()
        event.add("uid", f"{row.key}@interlude")
        event.add("dtstamp", now)
        event.add("dtstart", row.due_at)
        event.add("dtend", max(end, row.due_at + timedelta(minutes=1)))
        event.add("summary", row.title)
        event.add("description", row.body)
        event.add("transp", "OPAQUE")
        event.add("categories", ["Interlude"])
        cal.add_component(event)
    # Time the user held for breaks (week_ahead, through core/hooks.py): a fixed label only.
    for held in hooks.held_time(
        session=session, user_id=user_id, start=now - FEED_PAST, end=now + FEED_FUTURE
    ):
        event = Event()
        event.add("uid", f"{held.identity.replace(':', '-')}@interlude")
        event.add("dtstamp", now)
        event.add("dtstart", held.start)
        event.add("dtend", held.end)
        event.add("summary", HELD_TIME_SUMMARY)
        event.add("transp", "OPAQUE")
        event.add("categories", ["Interlude"])
        cal.add_component(event)
    return cal.to_ical()
