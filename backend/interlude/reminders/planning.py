"""The planner's inputs, loaded from the domains that own them, and the day preview.

The planner (``interlude.planner``) is a pure function; its caller loads what it needs:
appointments (calendars: times and flags only), the care plan (care_plan) and commitment
occurrences (wellbeing, asked through ``core.hooks.planned_commitments``: wellbeing reads this
domain's rows, so it is the one above).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from interlude.calendars.models import Appointment
from interlude.care_plan.service import load_plan_input
from interlude.core import hooks
from interlude.core.timezones import local_midnight
from interlude.planner import AppointmentIn, CarePlanIn, CommitmentIn, PlannedReminder, plan


@dataclass(frozen=True, slots=True)
class PlanInputs:
    appointments: list[AppointmentIn]
    commitments: list[CommitmentIn]
    care_plan: CarePlanIn


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
            Appointment.notes_done,
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
            notes_done=row.notes_done,
        )
        for row in rows
    ]


def held_as_busy(held: Sequence[hooks.HeldInterval]) -> list[AppointmentIn]:
    """Held time (week_ahead's, through a seam) as busy time: no reminder falls inside it."""
    return [
        AppointmentIn(identity=h.identity, start=h.start, end=h.end, kind="other") for h in held
    ]


def notes_look_back(care_plan: CarePlanIn) -> timedelta:
    """How much further back than its reminders the planner needs sessions: the end-of-day
    notes backlog reminder counts the sessions of the last ``notes_backlog_days`` days."""
    if care_plan.notes_minutes > 0 and care_plan.notes_end_of_day:
        return timedelta(days=care_plan.notes_backlog_days)
    return timedelta(0)


def load_plan_inputs(
    *, session: Session, user_id: uuid.UUID, start: datetime, end: datetime
) -> PlanInputs:
    """Everything the planner needs for appointments and commitments in ``[start, end)``
    (and, for the notes backlog, the sessions before ``start`` it counts)."""
    care_plan = load_plan_input(session=session, user_id=user_id)
    return PlanInputs(
        appointments=[
            *load_appointments_input(
                session=session,
                user_id=user_id,
                start=start - notes_look_back(care_plan),
                end=end,
            ),
            *held_as_busy(hooks.held_time(session=session, user_id=user_id, start=start, end=end)),
        ],
        commitments=hooks.planned_commitments(
            session=session, user_id=user_id, start=start, end=end
        ),
        care_plan=care_plan,
    )


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
    day_start = local_midnight(day, tz)
    day_end = local_midnight(day + timedelta(days=1), tz)
    # Neighbouring days matter: tomorrow's runs are announced tonight, a late session can
    # spill past midnight, and the next session caps an expiry.
    inputs = load_plan_inputs(
        session=session,
        user_id=user_id,
        start=day_start - timedelta(days=1),
        end=day_end + timedelta(days=2),
    )
    planned = plan(
        inputs.appointments,
        inputs.care_plan,
        tz,
        day_start,
        day_end,
        commitments=inputs.commitments,
    )
    reminders = [r for r in planned if r.due_at >= day_start]
    sessions = [
        a
        for a in inputs.appointments
        if a.kind == "session" and not a.all_day and day_start <= a.start < day_end
    ]
    return DayPreview(day=day, timezone=tz.key, sessions=sessions, reminders=reminders)
