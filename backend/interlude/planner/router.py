"""``GET /api/v1/planner/preview``: what a day of sessions and reminders would look like."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query

from interlude.accounts.auth import CurrentUser
from interlude.core.deps import ClockDep, SessionDep
from interlude.core.errors import Unprocessable, error_responses
from interlude.planner import service
from interlude.planner.clock_math import local_date
from interlude.planner.schemas import (
    PlannedReminderRead,
    PlannerPreviewRead,
    PreviewSessionRead,
)

router = APIRouter(prefix="/api/v1/planner", tags=["planner"])

MAX_PREVIEW_DAYS = 366  # how far from today a preview may look, either way


def _hhmm(instant: datetime, tz: ZoneInfo) -> str:
    return instant.astimezone(tz).strftime("%H:%M")


@router.get("/preview", response_model=PlannerPreviewRead, responses=error_responses(401, 422))
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
    tz = ZoneInfo(user.timezone)
    today = local_date(clock.now(), tz)
    target = day if day is not None else today + timedelta(days=1)
    if abs((target - today).days) > MAX_PREVIEW_DAYS:
        raise Unprocessable(
            f"date: choose a day within {MAX_PREVIEW_DAYS} days of today ({today.isoformat()}).",
            details=[{"field": "date", "message": "out of range"}],
        )
    result = service.preview_day(session=session, user_id=user.id, tz=tz, day=target)
    return PlannerPreviewRead(
        date=result.day,
        timezone=result.timezone,
        sessions=[
            PreviewSessionRead(
                start=a.start,
                end=a.end,
                local_start=_hhmm(a.start, tz),
                local_end=_hhmm(a.end, tz),
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
                local_time=_hhmm(r.due_at, tz),
                anchor=r.anchor,
                title=r.title,
                body=r.body,
                activity=r.activity,
                duration_minutes=r.duration_minutes,
                ritual_steps=list(r.ritual_steps),
            )
            for r in result.reminders
        ],
    )
