"""HTTP: the user's reminders, acknowledgements, the breaks.ics feed, ``/metrics`` and the
planner's day preview."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from interlude.accounts.auth import CurrentUser
from interlude.calendars.schemas import AppointmentRead
from interlude.core.deps import ClockDep, KeyringDep, SessionDep, SettingsDep
from interlude.core.errors import NotFound, Unprocessable, error_responses
from interlude.core.timezones import hhmm, local_date, user_zone
from interlude.core.validation import Instant
from interlude.reminders import ics_feed, metrics, planning, receipts, service, session_marks
from interlude.reminders.models import STATES
from interlude.reminders.schemas import (
    FeedTokenRead,
    FeedTokenStatus,
    PlannedReminderRead,
    PlannerPreviewRead,
    PreviewSessionRead,
    ReminderAck,
    ReminderAckRead,
    ReminderRead,
    ReminderReceipt,
    ReminderReceiptRead,
    ReminderSessionUpdate,
)

router = APIRouter(tags=["reminders"])

MAX_RANGE = timedelta(days=92)
_ERRORS = error_responses(401, 404, 422)


@router.get("/api/v1/reminders", response_model=list[ReminderRead], responses=_ERRORS)
def list_reminders(
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    start: Annotated[
        Instant | None, Query(description="From (inclusive); default: a day ago.")
    ] = None,
    end: Annotated[
        Instant | None, Query(description="Until (exclusive); default: 14 days ahead.")
    ] = None,
    state: Annotated[list[str] | None, Query(description="Only these states.")] = None,
) -> Any:
    """Reminders due in [start, end), earliest first, with their state and text."""
    now = clock.now()
    start = start or now - timedelta(days=1)
    end = end or now + timedelta(days=14)
    if end <= start:
        raise Unprocessable("end must be after start.")
    if end - start > MAX_RANGE:
        raise Unprocessable("Ask for at most 92 days at a time.")
    unknown = sorted(set(state or ()) - set(STATES))
    if unknown:
        raise Unprocessable(
            f"Unknown state {unknown[0]!r}: use one of {', '.join(STATES)}.",
        )
    return service.list_reminders(
        session=session, user_id=user.id, start=start, end=end, states=state
    )


@router.get("/api/v1/reminders/feed-token", response_model=FeedTokenStatus, responses=_ERRORS)
def read_feed_token(user: CurrentUser, session: SessionDep) -> Any:
    """Whether a breaks.ics subscription URL is active (the token itself is never shown again)."""
    row = ics_feed.token_status(session=session, user_id=user.id)
    return FeedTokenStatus(active=row is not None, created_at=row.created_at if row else None)


@router.post(
    "/api/v1/reminders/feed-token",
    response_model=FeedTokenRead,
    status_code=status.HTTP_201_CREATED,
    responses=_ERRORS,
)
def create_feed_token(
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    keyring: KeyringDep,
    settings: SettingsDep,
) -> Any:
    """Create (or rotate: the old URL stops working) the private breaks.ics URL."""
    token, created = ics_feed.issue_token(
        session=session, keyring=keyring, user_id=user.id, now=clock.now()
    )
    url = f"{settings.base_url}{ics_feed.FEED_PATH}?token={token}"
    return FeedTokenRead(token=token, url=url, created_at=created)


@router.delete(
    "/api/v1/reminders/feed-token", status_code=status.HTTP_204_NO_CONTENT, responses=_ERRORS
)
def revoke_feed_token(user: CurrentUser, session: SessionDep) -> Response:
    """Revoke the breaks.ics URL; calendars subscribed to it stop updating."""
    if not ics_feed.revoke_token(session=session, user_id=user.id):
        raise NotFound("There is no active breaks feed to revoke.")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/api/v1/reminders/{reminder_id}", response_model=ReminderRead, responses=_ERRORS)
def read_reminder(reminder_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Any:
    return service.get_reminder(session=session, user_id=user.id, reminder_id=reminder_id)


@router.post(
    "/api/v1/reminders/{reminder_id}/ack",
    response_model=ReminderAckRead,
    responses=error_responses(401, 404, 409, 422),
)
def acknowledge_reminder(
    reminder_id: uuid.UUID,
    data: ReminderAck,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
) -> Any:
    """Record done / skip / snooze (snooze plans a new reminder before the original expiry)."""
    row, snoozed = service.acknowledge(
        session=session,
        user_id=user.id,
        reminder_id=reminder_id,
        action=data.action,
        now=clock.now(),
        snooze_minutes=data.snooze_minutes,
    )
    return ReminderAckRead(
        reminder=ReminderRead.model_validate(row),
        snoozed=ReminderRead.model_validate(snoozed) if snoozed else None,
    )


@router.patch(
    "/api/v1/reminders/{reminder_id}/session",
    response_model=AppointmentRead,
    responses=error_responses(401, 404, 409, 422),
)
def mark_reminder_session(
    reminder_id: uuid.UUID,
    data: ReminderSessionUpdate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
) -> Any:
    """Mark the session this reminder follows: notes done, ran over (flags kept across
    re-syncs; the reminders re-plan, so the notes backlog reminder stays true). Answers that
    session. Not yours or unknown: 404; the reminder belongs to no session, or its session is
    gone from your calendar: 409 ``no_session``."""
    row = service.get_reminder(session=session, user_id=user.id, reminder_id=reminder_id)
    return session_marks.mark_anchor_session(
        session=session, user=user, row=row, values=data.marks(), now=clock.now()
    )


@router.post(
    "/api/v1/reminders/{reminder_id}/receipt",
    response_model=ReminderReceiptRead,
    responses=error_responses(401, 404, 422),
)
def post_reminder_receipt(
    reminder_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    data: ReminderReceipt | None = None,
) -> Any:
    """The service worker showed this reminder on a device (idempotent: a replayed or second
    device's receipt changes nothing but that device's health). Not yours or unknown: 404."""
    row, known = receipts.record_receipt(
        session=session,
        user_id=user.id,
        reminder_id=reminder_id,
        device_hash=data.device if data else None,
        now=clock.now(),
    )
    return ReminderReceiptRead(
        id=row.id, state=row.state, delivered_at=row.delivered_at, device_known=known
    )


@router.get(
    ics_feed.FEED_PATH,
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {}}, "description": "The planned breaks"},
        **error_responses(404, 422),
    },
)
def breaks_feed(
    session: SessionDep,
    clock: ClockDep,
    keyring: KeyringDep,
    token: Annotated[str, Query(min_length=1, max_length=200)],
) -> Response:
    """The planned breaks as a calendar (public by its private token)."""
    user_id = ics_feed.user_for_token(session=session, keyring=keyring, token=token)
    if user_id is None:
        raise NotFound("This breaks feed does not exist or was revoked.")
    body = ics_feed.render_feed(session=session, user_id=user_id, now=clock.now())
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )


@router.get("/metrics", response_class=Response, tags=["health"], include_in_schema=False)
def prometheus_metrics(session: SessionDep, clock: ClockDep) -> Response:
    """Prometheus text format: delivery lateness, reminders by state, queue depth."""
    return Response(
        metrics.render_metrics(session=session, now=clock.now()),
        media_type="text/plain; version=0.0.4; charset=utf-8",
    )


# --- the planner's day preview ----------------------------------------------------------

planner_router = APIRouter(prefix="/api/v1/planner", tags=["planner"])

MAX_PREVIEW_DAYS = 366  # how far from today a preview may look, either way


@planner_router.get(
    "/preview", response_model=PlannerPreviewRead, responses=error_responses(401, 422)
)
def preview_planner_day(
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    day: date | None = Query(
        default=None,
        alias="date",
        description="Local date, YYYY-MM-DD; default: tomorrow in your time zone.",
    ),
) -> PlannerPreviewRead:
    """The day's sessions and the reminders the planner would send that day (local time)."""
    tz = user_zone(user)
    today = local_date(clock.now(), tz)
    target = day if day is not None else today + timedelta(days=1)
    if abs((target - today).days) > MAX_PREVIEW_DAYS:
        raise Unprocessable(
            f"date: choose a day within {MAX_PREVIEW_DAYS} days of today ({today.isoformat()}).",
            details=[{"field": "date", "message": "out of range"}],
        )
    result = planning.preview_day(session=session, user_id=user.id, tz=tz, day=target)
    return PlannerPreviewRead(
        date=result.day,
        timezone=result.timezone,
        sessions=[
            PreviewSessionRead(
                start=a.start,
                end=a.end,
                local_start=hhmm(a.start, tz),
                local_end=hhmm(a.end, tz),
                telehealth=a.telehealth,
                intense=a.intense,
            )
            for a in result.sessions
        ],
        reminders=[
            PlannedReminderRead(
                key=r.key,
                kind=r.kind,
                due_at=r.due_at,
                expires_at=r.expires_at,
                local_time=hhmm(r.due_at, tz),
                anchor=r.anchor,
                title=r.title,
                body=r.body,
                activity=r.activity,
                duration_minutes=r.duration_minutes,
                ritual_steps=list(r.ritual_steps),
                ritual_name=r.ritual_name,
                ritual_minutes=r.ritual_minutes,
                notes_minutes=r.notes_minutes,
            )
            for r in result.reminders
        ],
    )
