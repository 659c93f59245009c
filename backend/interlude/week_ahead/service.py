"""The week ahead: the review setting, held time and its calendars (the week's view is week.py).

Held time is busy time for reminders' planner and events in the breaks.ics feed, both through
``core.hooks.held_time`` (``held_intervals`` below, connected in ``interlude/wiring.py``);
creating or releasing it announces ``schedule_changed`` so reminders re-plan.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from interlude.accounts.models import User
from interlude.calendars.models import CalendarSource
from interlude.core import hooks
from interlude.core.errors import Conflict, NotFound, Unprocessable
from interlude.core.timezones import local_date, local_to_utc, user_zone
from interlude.week_ahead.models import (
    PENDING,
    REMOVING,
    HeldTime,
    HeldTimeCalendar,
    HeldTimeWrite,
    WeekAheadSettings,
)
from interlude.week_ahead.schemas import (
    HeldCalendarRead,
    HeldTimeRead,
    HeldTimeWriteRead,
    WeekAheadSettingsRead,
    WeekAheadSettingsUpdate,
)

DEFAULT_WEEKDAY = 6  # Sunday
DEFAULT_TIME = time(18, 0)
MAX_HOLD = timedelta(hours=4)
HOLD_AHEAD = timedelta(days=62)  # the calendar horizon the week ahead can look into
HOLD_PAST_SLACK = timedelta(minutes=5)  # a tap on a suggestion that has just begun
KEEP_PAST_HOLDS = timedelta(days=90)  # then a hold (not its calendar event) is forgotten


# --- the review setting -----------------------------------------------------------------------


def get_settings(*, session: Session, user_id: uuid.UUID) -> WeekAheadSettings:
    """The stored setting, or the default (Sunday 18:00, on) as an unsaved row."""
    row = session.get(WeekAheadSettings, user_id)
    if row is None:
        row = WeekAheadSettings(
            user_id=user_id, enabled=True, weekday=DEFAULT_WEEKDAY, at_time=DEFAULT_TIME
        )
    return row


def review_instant(row: WeekAheadSettings, zone: ZoneInfo, now: datetime) -> datetime:
    """The latest review instant at or before ``now`` (the local weekday and time)."""
    today = local_date(now, zone)
    for back in range(8):
        day = today - timedelta(days=back)
        if day.weekday() == row.weekday:
            instant = local_to_utc(day, row.at_time, zone)
            if instant <= now:
                return instant
    raise AssertionError("unreachable: a weekday recurs within 8 days")  # pragma: no cover


def next_review(row: WeekAheadSettings, zone: ZoneInfo, now: datetime) -> datetime:
    today = local_date(now, zone)
    for ahead in range(8):
        day = today + timedelta(days=ahead)
        if day.weekday() == row.weekday:
            instant = local_to_utc(day, row.at_time, zone)
            if instant > now:
                return instant
    raise AssertionError("unreachable: a weekday recurs within 8 days")  # pragma: no cover


def settings_read(row: WeekAheadSettings, user: User, now: datetime) -> WeekAheadSettingsRead:
    zone = user_zone(user)
    return WeekAheadSettingsRead(
        enabled=row.enabled,
        weekday=row.weekday,
        time=row.at_time,
        timezone=zone.key,
        next_review_at=next_review(row, zone, now) if row.enabled else None,
    )


def update_settings(
    *, session: Session, user: User, data: WeekAheadSettingsUpdate, now: datetime
) -> WeekAheadSettings:
    row = get_settings(session=session, user_id=user.id)
    for name in sorted(data.model_fields_set):
        value = getattr(data, name)
        if value is None:
            raise Unprocessable(f"{name}: give a value, or leave it out.")
    if data.enabled is not None:
        row.enabled = data.enabled
    if data.weekday is not None:
        row.weekday = data.weekday
    if data.time is not None:
        row.at_time = data.time.replace(tzinfo=None, second=0, microsecond=0)
    if data.weekday is not None or data.time is not None:
        # A review moved to a time already past this week does not fire at once.
        row.last_review_at = review_instant(row, user_zone(user), now)
    row.updated_at = now
    session.add(row)
    session.flush()
    return row


# --- held time --------------------------------------------------------------------------------


def held_uid(held_id: uuid.UUID) -> str:
    """The UID of the held time's event, in breaks.ics and in a CalDAV calendar."""
    return f"held-{held_id}@interlude"


def _active(user_id: uuid.UUID) -> Any:
    return select(HeldTime).where(HeldTime.user_id == user_id, HeldTime.released_at.is_(None))


def list_held(
    *, session: Session, user_id: uuid.UUID, start: datetime, end: datetime
) -> list[HeldTime]:
    """Active holds overlapping ``[start, end)``, by start."""
    query = _active(user_id).where(HeldTime.end > start, HeldTime.start < end)
    return list(session.scalars(query.order_by(HeldTime.start, HeldTime.id)))


def held_intervals(
    *, session: Session, user_id: uuid.UUID, start: datetime, end: datetime
) -> list[hooks.HeldInterval]:
    """The ``core.hooks.held_time`` source: reminders' planner and breaks.ics read these."""
    return [
        hooks.HeldInterval(identity=f"held:{row.id}", start=row.start, end=row.end)
        for row in list_held(session=session, user_id=user_id, start=start, end=end)
    ]


def _writes(session: Session, held_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[HeldTimeWrite]]:
    found: dict[uuid.UUID, list[HeldTimeWrite]] = {i: [] for i in held_ids}
    if held_ids:
        for w in session.scalars(
            select(HeldTimeWrite)
            .where(HeldTimeWrite.held_id.in_(held_ids))
            .order_by(HeldTimeWrite.source_id)
        ):
            found[w.held_id].append(w)
    return found


def held_read(rows: list[HeldTime], *, session: Session) -> list[HeldTimeRead]:
    writes = _writes(session, [r.id for r in rows])
    return [
        HeldTimeRead(
            id=r.id,
            start=r.start,
            end=r.end,
            calendar_writes=[
                HeldTimeWriteRead(source_id=w.source_id, state=w.state, error=w.last_error)
                for w in writes[r.id]
            ],
        )
        for r in rows
    ]


def hold(
    *, session: Session, user: User, start: datetime, end: datetime, now: datetime
) -> HeldTime:
    """Hold ``[start, end)`` for a break; queued for every chosen CalDAV calendar."""
    if end <= start:
        raise Unprocessable("end: must be after start.", details=[{"field": "end"}])
    if end - start > MAX_HOLD:
        raise Unprocessable("end: hold at most 4 hours at a time.", details=[{"field": "end"}])
    if start < now - HOLD_PAST_SLACK:
        raise Unprocessable("start: this time has passed.", details=[{"field": "start"}])
    if start > now + HOLD_AHEAD:
        raise Unprocessable("start: hold time at most 62 days ahead.", details=[{"field": "start"}])
    if list_held(session=session, user_id=user.id, start=start, end=end):
        raise Conflict("Part of this time is held already.")
    row = HeldTime(user_id=user.id, start=start, end=end, created_at=now)
    session.add(row)
    session.flush()
    for target in list_targets_rows(session=session, user_id=user.id):
        session.add(
            HeldTimeWrite(
                held_id=row.id,
                source_id=target.source_id,
                user_id=user.id,
                calendar=target.calendar,
                state=PENDING,
                updated_at=now,
            )
        )
    session.flush()
    hooks.schedule_changed(session=session, user_id=user.id, now=now)
    return row


def forget_old_holds(*, session: Session, now: datetime) -> int:
    """Holds that ended more than ``KEEP_PAST_HOLDS`` ago are deleted (with their write rows;
    an event written to a calendar stays there, as the user's own history)."""
    result = session.execute(delete(HeldTime).where(HeldTime.end < now - KEEP_PAST_HOLDS))
    return int(getattr(result, "rowcount", 0) or 0)


def get_held(*, session: Session, user_id: uuid.UUID, held_id: uuid.UUID) -> HeldTime:
    row = session.get(HeldTime, held_id)
    if row is None or row.user_id != user_id or row.released_at is not None:
        raise NotFound("No held time with this id.")
    return row


def release(*, session: Session, user: User, held_id: uuid.UUID, now: datetime) -> None:
    """Release a hold: gone from the planner and breaks.ics at once; its calendar events are
    removed by the write-back (the row stays, released, until they are)."""
    row = get_held(session=session, user_id=user.id, held_id=held_id)
    row.released_at = now
    writes = _writes(session, [row.id])[row.id]
    for w in writes:
        w.state = REMOVING
        w.attempts = 0
        w.last_error = None
        w.updated_at = now
    if not writes:
        session.delete(row)
    session.flush()
    hooks.schedule_changed(session=session, user_id=user.id, now=now)


# --- the calendars held time is written to ----------------------------------------------------


def list_targets_rows(*, session: Session, user_id: uuid.UUID) -> list[HeldTimeCalendar]:
    return list(
        session.scalars(
            select(HeldTimeCalendar)
            .where(HeldTimeCalendar.user_id == user_id)
            .order_by(HeldTimeCalendar.source_id)
        )
    )


def caldav_source(*, session: Session, user_id: uuid.UUID, source_id: uuid.UUID) -> CalendarSource:
    source = session.get(CalendarSource, source_id)
    if source is None or source.user_id != user_id:
        raise NotFound("No calendar with this id.")
    if source.kind != "caldav":
        raise Unprocessable("Held time can be written only to a CalDAV calendar.")
    return source


def list_targets(*, session: Session, user_id: uuid.UUID) -> list[HeldCalendarRead]:
    """Every CalDAV source, with the calendar held time goes to (None: nothing is written)."""
    chosen = {t.source_id: t.calendar for t in list_targets_rows(session=session, user_id=user_id)}
    sources = session.scalars(
        select(CalendarSource)
        .where(CalendarSource.user_id == user_id, CalendarSource.kind == "caldav")
        .order_by(CalendarSource.created_at, CalendarSource.id)
    )
    return [
        HeldCalendarRead(source_id=s.id, source_name=s.name, calendar=chosen.get(s.id))
        for s in sources
    ]


def set_target(
    *,
    session: Session,
    user: User,
    source_id: uuid.UUID,
    calendar: str | None,
    now: datetime,
) -> HeldCalendarRead:
    """Choose (or clear, with None) the calendar of a CalDAV source that held time goes to.

    Events already written elsewhere are removed first; every upcoming hold is then written
    to the new calendar (the write-back does both)."""
    source = caldav_source(session=session, user_id=user.id, source_id=source_id)
    if calendar is not None:
        calendar = calendar.strip()
        if not calendar.startswith("/") or any(c in calendar for c in "\r\n\t"):
            raise Unprocessable(
                "calendar: give a calendar path from the choices, e.g. /user/calendar/.",
                details=[{"field": "calendar"}],
            )
    target = session.get(HeldTimeCalendar, source_id)
    if calendar is None:
        if target is not None:
            session.delete(target)
    elif target is None:
        session.add(
            HeldTimeCalendar(
                source_id=source_id, user_id=user.id, calendar=calendar, updated_at=now
            )
        )
    else:
        target.calendar = calendar
        target.updated_at = now
    session.flush()
    upcoming = list_held(session=session, user_id=user.id, start=now, end=now + HOLD_AHEAD * 2)
    existing = {
        w.held_id: w
        for w in session.scalars(select(HeldTimeWrite).where(HeldTimeWrite.source_id == source_id))
    }
    for w in existing.values():
        if calendar is None or w.calendar != calendar:
            w.state = REMOVING  # then re-written to the new calendar if the hold is upcoming
            w.attempts = 0
            w.updated_at = now
    if calendar is not None:
        for row in upcoming:
            if row.id not in existing:
                session.add(
                    HeldTimeWrite(
                        held_id=row.id,
                        source_id=source_id,
                        user_id=user.id,
                        calendar=calendar,
                        state=PENDING,
                        updated_at=now,
                    )
                )
    session.flush()
    return HeldCalendarRead(source_id=source.id, source_name=source.name, calendar=calendar)


# --- export -----------------------------------------------------------------------------------


def export_user_data(*, session: Session, user_id: uuid.UUID, **_: Any) -> dict[str, Any]:
    row = session.get(WeekAheadSettings, user_id)
    held = session.scalars(_active(user_id).order_by(HeldTime.start))
    return {
        "settings": (
            {
                "enabled": row.enabled,
                "weekday": row.weekday,
                "time": row.at_time.isoformat(),
            }
            if row is not None
            else None
        ),
        "held_time": [
            {"start": h.start.isoformat(), "end": h.end.isoformat(), "label": "Break (Interlude)"}
            for h in held
        ],
        "calendars": [
            {"source_id": str(t.source_id), "calendar": t.calendar}
            for t in list_targets_rows(session=session, user_id=user_id)
        ],
    }
