"""HTTP API of the calendars domain (prefix /api/v1)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status
from pydantic import ValidationError

from interlude.accounts.auth import CurrentUser
from interlude.calendars import manage, service
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
    SyncResultRead,
)
from interlude.calendars.sync import AlreadySyncing, sync_now
from interlude.core.deps import ClockDep, KeyringDep, RuntimeDep, SessionDep, SettingsDep
from interlude.core.errors import Conflict, PayloadTooLarge, Unprocessable, error_response
from interlude.core.validation import Instant

router = APIRouter(prefix="/api/v1", tags=["calendars"])
# The upload takes a 10 MB file; the request around it (multipart framing, the name) a little
# more. Every other body is held to the request body limit (core/request_limits.py).
LARGER_BODIES = {"/api/v1/calendars/upload": MAX_BYTES + 64 * 1024}

_ERRORS: dict[int | str, dict[str, Any]] = {**error_response(401, "Not signed in")}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {**_ERRORS, **error_response(404, "No such calendar")}
_MAX_RANGE = timedelta(days=366)


@router.post(
    "/calendars",
    status_code=status.HTTP_201_CREATED,
    response_model=CalendarRead,
    responses={
        **_ERRORS,
        **error_response(400, "Address not allowed"),
        **error_response(422, "Unreadable calendar"),
    },
)
def create_calendar(
    data: CalendarCreate,
    user: CurrentUser,
    session: SessionDep,
    keyring: KeyringDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Any:
    """Connect an ICS feed (https:// or webcal://), a CalDAV calendar, or the sample calendar.

    The calendar is read once before it is saved; an unreadable one is refused with the reason.
    """
    source, result = manage.create_source(
        session=session,
        user=user,
        spec=manage.NewSource.from_create(data),
        keyring=keyring,
        settings=settings,
        now=clock.now(),
    )
    return {**service.source_json(source, keyring=keyring), "last_sync": result.as_json()}


@router.post(
    "/calendars/upload",
    status_code=status.HTTP_201_CREATED,
    response_model=CalendarRead,
    responses={
        **_ERRORS,
        **error_response(413, "File too large"),
        **error_response(422, "Not a calendar"),
    },
)
def upload_calendar(
    user: CurrentUser,
    session: SessionDep,
    keyring: KeyringDep,
    settings: SettingsDep,
    clock: ClockDep,
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
    source, result = manage.create_source(
        session=session,
        user=user,
        spec=manage.NewSource.upload(name or None, session_rule),
        keyring=keyring,
        settings=settings,
        now=clock.now(),
        upload=body,
    )
    return {**service.source_json(source, keyring=keyring), "last_sync": result.as_json()}


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
    response_model=SyncResultRead,
    responses={**_NOT_FOUND, **error_response(409, "A sync is already running")},
)
def sync_calendar(
    source_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    runtime: RuntimeDep,
    clock: ClockDep,
) -> Any:
    """Sync now. A failed sync keeps the last good appointments and reports why."""
    service.get_source(session=session, user=user, source_id=source_id)
    session.rollback()  # end the read before the sync's own transactions write
    try:
        result = sync_now(runtime, source_id, now=clock.now())
    except AlreadySyncing:
        raise Conflict("This calendar is already syncing; try again in a minute.") from None
    return result.as_json()


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
    return service.mark_occurrence(
        session=session,
        user=user,
        appointment_id=appointment_id,
        marks=data.marks(),
        now=clock.now(),
    )
