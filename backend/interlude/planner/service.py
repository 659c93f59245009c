"""Loading the planner's inputs from the database, and the day preview."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from interlude.calendars.models import Appointment
from interlude.care_plan.service import load_plan_input
from interlude.planner.clock_math import local_to_utc
from interlude.planner.engine import plan
from interlude.planner.types import AppointmentIn, CommitmentIn, CommitmentKind, PlannedReminder
from interlude.wellbeing.commitments import upcoming_commitments

_COMMITMENT_KINDS: tuple[CommitmentKind, ...] = ("supervision", "peer", "personal_therapy")


def load_appointments_input(
    *, session: Session, user_id: uuid.UUID, start: datetime, end: datetime
) -> list[AppointmentIn]:
    """The user's appointments overlapping ``[start, end)``, as planner input (times and flags)."""
    rows = session.execute(
        select(
            Appointment.identity_hash,
            Appointment.start,
            Appointment.end,
            Appointment.all_day,
            Appointment.kind,
            Appointment.telehealth,
            Appointment.intense,
        )
        .where(Appointment.user_id == user_id, Appointment.end > start, Appointment.start < end)
        .order_by(Appointment.start, Appointment.end, Appointment.identity_hash)
    ).all()
    return [
        AppointmentIn(
            identity=row.identity_hash,
            start=row.start,
            end=row.end,
            all_day=row.all_day,
            kind="session" if row.kind == "session" else "other",
            telehealth=row.telehealth,
            intense=row.intense,
        )
        for row in rows
    ]


def load_commitments_input(
    *, session: Session, user_id: uuid.UUID, start: datetime, end: datetime
) -> list[CommitmentIn]:
    """Occurrences of the user's active commitments starting in ``[start, end)``.

    The identity is per occurrence (commitment id + local date), so a moved occurrence moves
    its reminder and a deleted commitment cancels them. The label is not passed on.
    """
    return [
        CommitmentIn(
            identity=f"commitment:{o.commitment_id}:{o.local_date.isoformat()}",
            start=o.start,
            end=o.end,
            kind=next((k for k in _COMMITMENT_KINDS if k == o.kind), "supervision"),
        )
        for o in upcoming_commitments(session=session, user_id=user_id, start=start, end=end)
    ]


@dataclass(frozen=True, slots=True)
class DayPreview:
    day: date
    timezone: str
    sessions: list[AppointmentIn]
    reminders: list[PlannedReminder]


def preview_day(*, session: Session, user_id: uuid.UUID, tz: ZoneInfo, day: date) -> DayPreview:
    """What ``day`` (a local date) would look like: its sessions and every reminder due on it.

    The plan is made as of the start of that day, so the whole day shows even when part of it
    has passed; the day's daily cap is applied exactly as the worker applies it.
    """
    day_start = local_to_utc(day, time(0), tz)
    day_end = local_to_utc(day + timedelta(days=1), time(0), tz)
    # Neighbouring days matter: tomorrow's runs are announced tonight, a late session can
    # spill past midnight, and the next session caps an expiry.
    appointments = load_appointments_input(
        session=session,
        user_id=user_id,
        start=day_start - timedelta(days=1),
        end=day_end + timedelta(days=2),
    )
    commitments = load_commitments_input(
        session=session,
        user_id=user_id,
        start=day_start - timedelta(days=1),
        end=day_end + timedelta(days=2),
    )
    care_plan = load_plan_input(session=session, user_id=user_id)
    planned = plan(appointments, care_plan, tz, day_start, day_end, commitments=commitments)
    reminders = [r for r in planned if r.due_at >= day_start]
    sessions = [
        a
        for a in appointments
        if a.kind == "session" and not a.all_day and day_start <= a.start < day_end
    ]
    return DayPreview(day=day, timezone=tz.key, sessions=sessions, reminders=reminders)
