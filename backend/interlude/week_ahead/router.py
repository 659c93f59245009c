"""HTTP for the week ahead: the review setting, the week, held time and its calendars."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from interlude.accounts.auth import CurrentUser
from interlude.calendars.manage import discover_caldav
from interlude.calendars.service import snapshot
from interlude.core.deps import ClockDep, KeyringDep, SessionDep, SettingsDep
from interlude.core.errors import Unprocessable, error_responses
from interlude.core.timezones import local_date, user_zone
from interlude.core.validation import Instant
from interlude.week_ahead import service, week, writeback
from interlude.week_ahead.schemas import (
    CalendarChoiceRead,
    HeldCalendarRead,
    HeldCalendarUpdate,
    HeldTimeCreate,
    HeldTimeRead,
    WeekAheadRead,
    WeekAheadSettingsRead,
    WeekAheadSettingsUpdate,
)

router = APIRouter(prefix="/api/v1/week-ahead", tags=["week ahead"])

_ERRORS = error_responses(401, 422)
MAX_OFFSET = timedelta(days=62)


@router.get("", response_model=WeekAheadRead, responses=_ERRORS)
def read_week_ahead(
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    start: Annotated[
        date | None,
        Query(description="First local day of the 7 (default: tomorrow in your zone)."),
    ] = None,
) -> Any:
    """The coming 7 days: sessions per day, back-to-back runs, days without a 10-minute
    break, time off, commitments, held time, and suggestions of time to hold."""
    now = clock.now()
    today = local_date(now, user_zone(user))
    first = start if start is not None else week.first_day_default(user, now)
    if not today - MAX_OFFSET <= first <= today + MAX_OFFSET:
        raise Unprocessable(
            "start: give a day within 62 days of today.", details=[{"field": "start"}]
        )
    return week.compute_week(session=session, user=user, now=now, first_day=first)


@router.get("/settings", response_model=WeekAheadSettingsRead, responses=_ERRORS)
def read_week_ahead_settings(user: CurrentUser, session: SessionDep, clock: ClockDep) -> Any:
    row = service.get_settings(session=session, user_id=user.id)
    return service.settings_read(row, user, clock.now())


@router.patch("/settings", response_model=WeekAheadSettingsRead, responses=_ERRORS)
def update_week_ahead_settings(
    data: WeekAheadSettingsUpdate, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> Any:
    """The day and local time of the week-ahead push (default Sunday 18:00), or off."""
    row = service.update_settings(session=session, user=user, data=data, now=clock.now())
    return service.settings_read(row, user, clock.now())


@router.get("/held-time", response_model=list[HeldTimeRead], responses=_ERRORS)
def list_held_time(
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    start: Annotated[Instant | None, Query()] = None,
    end: Annotated[Instant | None, Query()] = None,
) -> Any:
    """Held time overlapping ``[start, end)`` (default: from now, 14 days)."""
    now = clock.now()
    lo = start if start is not None else now
    hi = end if end is not None else lo + timedelta(days=14)
    if hi <= lo or hi - lo > timedelta(days=93):
        raise Unprocessable("end: must be after start, at most 93 days later.")
    rows = service.list_held(session=session, user_id=user.id, start=lo, end=hi)
    return service.held_read(rows, session=session)


@router.post(
    "/held-time",
    response_model=HeldTimeRead,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(401, 409, 422),
)
def hold_time(
    data: HeldTimeCreate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    keyring: KeyringDep,
    settings: SettingsDep,
) -> Any:
    """Hold time for a break: busy time for reminders, an event in breaks.ics and, where a
    CalDAV calendar is chosen, a "Break (Interlude)" event there."""
    now = clock.now()
    row = service.hold(session=session, user=user, start=data.start, end=data.end, now=now)
    writeback.sync_writes(
        session=session,
        keyring=keyring,
        allow_private_network=settings.allow_private_network,
        now=now,
        user_id=user.id,
    )
    return service.held_read([row], session=session)[0]


@router.delete(
    "/held-time/{held_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 404),
)
def release_time(
    held_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    keyring: KeyringDep,
    settings: SettingsDep,
) -> Response:
    """Release held time; its calendar event is removed too."""
    now = clock.now()
    service.release(session=session, user=user, held_id=held_id, now=now)
    writeback.sync_writes(
        session=session,
        keyring=keyring,
        allow_private_network=settings.allow_private_network,
        now=now,
        user_id=user.id,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/calendars", response_model=list[HeldCalendarRead], responses=_ERRORS)
def list_held_calendars(user: CurrentUser, session: SessionDep) -> Any:
    """Each CalDAV calendar source and the calendar held time is written to (null: none)."""
    return service.list_targets(session=session, user_id=user.id)


@router.get(
    "/calendars/{source_id}/choices",
    response_model=list[CalendarChoiceRead],
    responses=error_responses(401, 404, 422),
)
def list_calendar_choices(
    source_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    keyring: KeyringDep,
    settings: SettingsDep,
) -> Any:
    """The calendars of a CalDAV account, asked from the server now (names are not kept)."""
    source = service.caldav_source(session=session, user_id=user.id, source_id=source_id)
    snap = snapshot(source, keyring=keyring, zone=user_zone(user))
    found = discover_caldav(
        url=snap.url or "",
        username=snap.username or "",
        password=snap.password or "",
        settings=settings,
    )
    return [CalendarChoiceRead(path=path, name=name) for path, name in found]


@router.put(
    "/calendars/{source_id}",
    response_model=HeldCalendarRead,
    responses=error_responses(401, 404, 422),
)
def choose_held_calendar(
    source_id: uuid.UUID,
    data: HeldCalendarUpdate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    keyring: KeyringDep,
    settings: SettingsDep,
) -> Any:
    """Write held time to this calendar of the source (null: stop, and remove what was
    written). Upcoming held time is written there at once."""
    now = clock.now()
    result = service.set_target(
        session=session, user=user, source_id=source_id, calendar=data.calendar, now=now
    )
    writeback.sync_writes(
        session=session,
        keyring=keyring,
        allow_private_network=settings.allow_private_network,
        now=now,
        user_id=user.id,
    )
    return result
