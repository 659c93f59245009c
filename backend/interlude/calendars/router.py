"""HTTP API of the calendars domain (prefix /api/v1)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile, status
from pydantic import ValidationError

from interlude.accounts.auth import CurrentUser, authenticate_request
from interlude.accounts.models import User
from interlude.calendars import manage, marks, service
from interlude.calendars.fetch import MAX_BYTES
from interlude.calendars.schemas import (
    AppointmentRead,
    AppointmentUpdate,
    CaldavCalendar,
    CaldavDiscover,
    CalendarCreate,
    CalendarRead,
    CalendarUpdate,
    ClassificationRule,
    FreshnessRead,
    SyncResultRead,
)
from interlude.calendars.sync import AlreadySyncing, freshen, sync_now
from interlude.core.deps import ClockDep, KeyringDep, RuntimeDep, SessionDep, SettingsDep
from interlude.core.errors import Conflict, PayloadTooLarge, Unprocessable, error_response
from interlude.core.runtime import Runtime
from interlude.core.validation import Instant

router = APIRouter(prefix="/api/v1", tags=["calendars"])
# The upload takes a 10 MB file; the request around it (multipart framing, the name) a little
# more. Every other body is held to the request body limit (core/request_limits.py).
LARGER_BODIES = {"/api/v1/calendars/upload": MAX_BYTES + 64 * 1024}

_ERRORS: dict[int | str, dict[str, Any]] = {**error_response(401, "Not signed in")}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {**_ERRORS, **error_response(404, "No such calendar")}
_MAX_RANGE = timedelta(days=366)

# Endpoints that read a calendar (add, upload, sync now, freshen) wait on the network and the
# parser for up to the fetch deadline: they must not hold a request session meanwhile, or a
# few slow feeds would take every place of SessionDep (core/deps.py) and stall the whole API.
# They sign in with a short session of their own, read with none, and take one again to
# store. At most CALENDAR_READS of them run at once (each holds a worker thread while it
# reads); more wait their turn on the event loop, holding no thread and no connection.
CALENDAR_READS = 8


def _reading_user(request: Request, runtime: RuntimeDep) -> User:
    with runtime.session() as session:  # committed and closed before the endpoint runs
        return authenticate_request(request, session=session, runtime=runtime)


async def _calendar_read_place() -> AsyncIterator[None]:
    yield


ReadingUser = Annotated[User, Depends(_reading_user)]
# One Depends, so one semaphore shared by the four endpoints.
_READ_PLACE = Depends(_calendar_read_place, scope="function", max_concurrency=CALENDAR_READS)


@router.post(
    "/calendars",
    status_code=status.HTTP_201_CREATED,
    dependencies=[_READ_PLACE],
    response_model=CalendarRead,
    responses={
        **_ERRORS,
        **error_response(400, "Address not allowed"),
        **error_response(422, "Unreadable calendar"),
    },
)
def create_calendar(
    data: CalendarCreate,
    user: ReadingUser,
    runtime: RuntimeDep,
) -> Any:
    """Connect an ICS feed (https:// or webcal://), a CalDAV calendar, or the sample calendar.

    The calendar is read once before it is saved; an unreadable one is refused with the reason.
    """
    now = runtime.clock.now()
    read = manage.read_new_source(
        user=user,
        spec=manage.NewSource.from_create(data),
        keyring=runtime.keyring,
        settings=runtime.settings,
        now=now,
    )
    return _store(runtime, user, read, now)


def _store(runtime: Runtime, user: User, read: manage.ReadSource, now: datetime) -> Any:
    """The session is taken only now, after the network and the parse."""
    with runtime.session() as session:
        source, result = manage.store_new_source(
            session=session,
            user_id=user.id,
            read=read,
            keyring=runtime.keyring,
            settings=runtime.settings,
            now=now,
        )
        return {
            **service.source_json(source, keyring=runtime.keyring),
            "last_sync": result.as_json(),
        }


@router.post(
    "/calendars/upload",
    status_code=status.HTTP_201_CREATED,
    dependencies=[_READ_PLACE],
    response_model=CalendarRead,
    responses={
        **_ERRORS,
        **error_response(413, "File too large"),
        **error_response(422, "Not a calendar"),
    },
)
def upload_calendar(
    user: ReadingUser,
    runtime: RuntimeDep,
    file: Annotated[UploadFile, File(description="An .ics file")],
    name: Annotated[str | None, Form(max_length=120)] = None,
    rule: Annotated[
        str | None,
        Form(
            max_length=8000,
            description="Which events are client sessions: a ClassificationRule as JSON "
            "(default: every timed event).",
        ),
    ] = None,
) -> Any:
    """A one-off .ics file: read now over the next year; the file itself is not kept."""
    try:
        session_rule = ClassificationRule.model_validate_json(rule or "{}")
    except ValidationError as exc:
        raise Unprocessable(
            "The session rule is not valid.",
            details=exc.errors(include_url=False, include_context=False, include_input=False),
        ) from None
    body = file.file.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        raise PayloadTooLarge("The file is larger than 10 MB.")
    now = runtime.clock.now()
    read = manage.read_new_source(
        user=user,
        spec=manage.NewSource.upload(name or None, session_rule),
        keyring=runtime.keyring,
        settings=runtime.settings,
        now=now,
        upload=body,
    )
    return _store(runtime, user, read, now)


@router.post(
    "/calendars/caldav/discover",
    response_model=list[CaldavCalendar],
    responses={**_ERRORS, **error_response(422, "Server unreachable or login refused")},
)
def discover_caldav(data: CaldavDiscover, user: CurrentUser, settings: SettingsDep) -> Any:
    """List the calendars of a CalDAV account, so the user can pick one."""
    found = manage.discover_caldav(
        url=data.url, username=data.username, password=data.password, settings=settings
    )
    return [{"path": path, "name": name} for path, name in found]


@router.get("/calendars", response_model=list[CalendarRead], responses=_ERRORS)
def list_calendars(user: CurrentUser, session: SessionDep, keyring: KeyringDep) -> Any:
    return [
        service.source_json(s, keyring=keyring)
        for s in service.list_sources(session=session, user=user)
    ]


@router.get("/calendars/{source_id}", response_model=CalendarRead, responses=_NOT_FOUND)
def get_calendar(
    source_id: uuid.UUID, user: CurrentUser, session: SessionDep, keyring: KeyringDep
) -> Any:
    source = service.get_source(session=session, user=user, source_id=source_id)
    return service.source_json(source, keyring=keyring)


@router.patch("/calendars/{source_id}", response_model=CalendarRead, responses=_NOT_FOUND)
def update_calendar(
    source_id: uuid.UUID,
    data: CalendarUpdate,
    user: CurrentUser,
    session: SessionDep,
    keyring: KeyringDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Any:
    """Rename, or change the address, credentials or session rule (re-read at the next sync)."""
    source = service.get_source(session=session, user=user, source_id=source_id)
    manage.update_source(
        session=session,
        user=user,
        source=source,
        data=data,
        keyring=keyring,
        settings=settings,
        now=clock.now(),
    )
    return service.source_json(source, keyring=keyring)


@router.delete(
    "/calendars/{source_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_NOT_FOUND
)
def delete_calendar(
    source_id: uuid.UUID, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> Response:
    """Disconnect a calendar and delete its appointments."""
    service.delete_source(session=session, user=user, source_id=source_id, now=clock.now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/calendars/{source_id}/sync",
    dependencies=[_READ_PLACE],
    response_model=SyncResultRead,
    responses={**_NOT_FOUND, **error_response(409, "A sync is already running")},
)
def sync_calendar(source_id: uuid.UUID, user: ReadingUser, runtime: RuntimeDep) -> Any:
    """Sync now. A failed sync keeps the last good appointments and reports why."""
    with runtime.session() as session:
        service.get_source(session=session, user=user, source_id=source_id)
    try:
        result = sync_now(runtime, source_id, now=runtime.clock.now())
    except AlreadySyncing:
        raise Conflict("This calendar is already syncing; try again in a minute.") from None
    return result.as_json()


@router.post(
    "/calendars/freshen",
    response_model=FreshnessRead,
    responses=_ERRORS,
    dependencies=[_READ_PLACE],
)
def freshen_calendars(user: ReadingUser, runtime: RuntimeDep) -> Any:
    """Bring the user's synced calendars up to the minute: each one last checked more than a
    minute ago is checked now (an unchanged feed costs a 304, no parse, no re-plan). Asking
    again within the minute answers at once with no work ("fresh"): that is the rate limit.
    ``checked_at`` is what "updated N min ago" is measured from."""
    return freshen(runtime, user.id, now=runtime.clock.now()).as_json()


@router.get("/appointments", response_model=list[AppointmentRead], responses=_ERRORS)
def list_appointments(
    user: CurrentUser,
    session: SessionDep,
    start: Annotated[Instant, Query(description="ISO 8601 with offset")],
    end: Annotated[Instant, Query(description="ISO 8601 with offset")],
) -> Any:
    """Busy appointments overlapping [start, end), sorted by start. Times are UTC."""
    if end <= start:
        raise Unprocessable("end must be after start")
    if end - start > _MAX_RANGE:
        raise Unprocessable("Ask for at most 366 days at a time.")
    return service.list_appointments(session=session, user=user, start=start, end=end)


@router.patch(
    "/appointments/{appointment_id}",
    response_model=AppointmentRead,
    responses={**_ERRORS, **error_response(404, "No such appointment")},
)
def update_appointment(
    appointment_id: uuid.UUID,
    data: AppointmentUpdate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
) -> Any:
    """Mark one occurrence intense or telehealth (flags kept across re-syncs of the same
    occurrence); the reminders re-plan. Not yours or unknown: 404."""
    return marks.mark_occurrence(
        session=session,
        user=user,
        appointment_id=appointment_id,
        marks=data.marks(),
        now=clock.now(),
    )
