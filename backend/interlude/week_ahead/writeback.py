"""Held time written back to the therapist's CalDAV calendar, and removed again.

The only event Interlude ever writes: summary "Break (Interlude)", the held start and end,
a UID of its own (``held-<id>@interlude``), busy. Nothing else is written, read back or
changed. Each (hold, source) is a ``HeldTimeWrite`` row: ``pending`` -> ``written`` (or
``failed``, retried by the job), and on release or a changed calendar ``removing`` -> gone
(or back to ``pending`` for the new calendar). The network calls happen in the request
that held or released the time, and again in the job for whatever is left.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from interlude.accounts.models import User
from interlude.calendars.models import CalendarSource
from interlude.calendars.service import snapshot
from interlude.core.security import Keyring
from interlude.core.timezones import user_zone
from interlude.week_ahead.models import (
    FAILED,
    PENDING,
    REMOVING,
    WRITTEN,
    HeldTime,
    HeldTimeCalendar,
    HeldTimeWrite,
)
from interlude.week_ahead.schemas import HELD_LABEL
from interlude.week_ahead.service import held_uid

log = logging.getLogger("interlude.week_ahead")

MAX_ATTEMPTS = 8  # then the row waits for the user (a changed password, another calendar)


def event_ics(held: HeldTime, *, now: datetime) -> str:
    from icalendar import Calendar, Event  # loads when held time is written

    cal = Calendar()
    cal.add("prodid", "-//Interlude//Held time//EN")
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", held_uid(held.id))
    event.add("dtstamp", now)
    event.add("dtstart", held.start)
    event.add("dtend", held.end)
    event.add("summary", HELD_LABEL)
    event.add("transp", "OPAQUE")
    cal.add_component(event)
    return cal.to_ical().decode()


def _credentials(source: CalendarSource, session: Session, keyring: Keyring) -> tuple[str, ...]:
    user = session.get(User, source.user_id)
    assert user is not None
    snap = snapshot(source, keyring=keyring, zone=user_zone(user))
    return (snap.url or "", snap.username or "", snap.password or "")


def _step(
    w: HeldTimeWrite,
    *,
    session: Session,
    keyring: Keyring,
    allow_private_network: bool,
    now: datetime,
) -> None:
    """One network call for one row, and the row's next state."""
    from interlude.calendars import caldav_source  # caldav/lxml load with the first write

    source = session.get(CalendarSource, w.source_id)
    held = session.get(HeldTime, w.held_id)
    if source is None or held is None:  # cascades remove these rows; a race at most
        session.delete(w)
        return
    url, username, password = _credentials(source, session, keyring)
    try:
        if w.state == REMOVING:
            caldav_source.delete_event(
                url=url,
                username=username,
                password=password,
                calendar=w.calendar,
                uid=held_uid(held.id),
                allow_private_network=allow_private_network,
            )
            target = session.get(HeldTimeCalendar, w.source_id)
            if held.released_at is None and target is not None and held.end > now:
                w.calendar, w.state, w.attempts = target.calendar, PENDING, 0
                w.last_error, w.updated_at = None, now
                _step(
                    w,
                    session=session,
                    keyring=keyring,
                    allow_private_network=allow_private_network,
                    now=now,
                )
                return
            session.delete(w)
            session.flush()
            if (
                held.released_at is not None
                and not session.scalars(
                    select(HeldTimeWrite.id).where(HeldTimeWrite.held_id == held.id)
                ).first()
            ):
                session.delete(held)
            return
        caldav_source.put_event(
            url=url,
            username=username,
            password=password,
            calendar=w.calendar,
            ics=event_ics(held, now=now),
            allow_private_network=allow_private_network,
        )
        w.state, w.last_error = WRITTEN, None
    except caldav_source.CaldavError as exc:
        log.info("held-time write-back failed: %s", type(exc).__name__)
        if w.state != REMOVING:
            w.state = FAILED
        w.attempts += 1
        w.last_error = exc.message[:300]
    w.updated_at = now


def sync_writes(
    *,
    session: Session,
    keyring: Keyring,
    allow_private_network: bool,
    now: datetime,
    user_id: uuid.UUID | None = None,
) -> int:
    """Write or remove every event still due (one user's, or everyone's); returns how many
    rows were tried. Never raises for a server's answer: failures are recorded on the row."""
    query = select(HeldTimeWrite).where(
        HeldTimeWrite.state.in_((PENDING, FAILED, REMOVING)),
        HeldTimeWrite.attempts < MAX_ATTEMPTS,
    )
    if user_id is not None:
        query = query.where(HeldTimeWrite.user_id == user_id)
    # Removals first: a changed calendar loses the old event before the new one is written.
    rows = sorted(
        session.scalars(query),
        key=lambda w: (w.state != REMOVING, w.updated_at, str(w.id)),
    )
    for w in rows:
        _step(
            w,
            session=session,
            keyring=keyring,
            allow_private_network=allow_private_network,
            now=now,
        )
    session.flush()
    return len(rows)
