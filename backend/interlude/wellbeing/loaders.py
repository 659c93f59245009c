"""The thin layer that reads other domains' rows into the wellbeing input dataclasses.

Reads: ``calendars.models.Appointment`` (times and flags only), ``reminders.models.Reminder``
(kind, due/sent times, state, acknowledgement, snooze chain) and
``care_plan.models.CarePlanSettings`` (working days and hours).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from interlude.calendars.models import Appointment
from interlude.care_plan.models import CarePlanSettings
from interlude.core.timezones import week_start
from interlude.reminders.models import Reminder
from interlude.wellbeing.indicators import (
    AppointmentFact,
    BreakFact,
    BreakOutcome,
    CheckInFact,
    WorkingHours,
)
from interlude.wellbeing.models import CheckIn, WeeklyReview

# A snoozed reminder is due again within its break; a day of slack finds every child.
_SNOOZE_SLACK = timedelta(days=1)
_OUTCOMES: dict[str, BreakOutcome] = {"done": "taken", "skip": "skipped", "snooze": "snoozed"}


@dataclass(frozen=True, slots=True)
class ReminderRow:
    """The columns of an outbox row that adherence needs."""

    id: str
    kind: str
    due_at: datetime
    state: str  # planned | sending | sent | failed | expired | cancelled
    sent_at: datetime | None = None
    ack_action: str | None = None
    snoozed_from_id: str | None = None


def fold_breaks(rows: Iterable[ReminderRow]) -> list[BreakFact]:
    """One ``BreakFact`` per originally planned reminder, following its snooze chain.

    - Rows created by a snooze are folded into the reminder they came from.
    - A cancelled row without an acknowledgement was re-planned away: not counted.
      (Done or skipped ahead of time also cancels a row; those count, by their action.)
    - The outcome is the chain's last acknowledgement: done -> taken, skip -> skipped,
      snooze with no later answer -> snoozed, none -> unanswered.
    """
    rows = list(rows)
    children: dict[str, ReminderRow] = {
        r.snoozed_from_id: r for r in rows if r.snoozed_from_id is not None
    }
    facts = []
    for root in rows:
        if root.snoozed_from_id is not None:
            continue
        if root.state == "cancelled" and root.ack_action is None:
            continue
        chain = [root]
        seen = {root.id}
        while chain[-1].id in children and children[chain[-1].id].id not in seen:
            chain.append(children[chain[-1].id])
            seen.add(chain[-1].id)
        actions = [r.ack_action for r in chain if r.ack_action is not None]
        outcome: BreakOutcome = (
            _OUTCOMES.get(actions[-1], "unanswered") if actions else "unanswered"
        )
        facts.append(
            BreakFact(
                kind=root.kind,
                due_at=root.due_at,
                delivered=any(r.sent_at is not None for r in chain),
                outcome=outcome,
            )
        )
    return facts


def load_appointments(
    *, session: Session, user_id: uuid.UUID, start: datetime, end: datetime
) -> list[AppointmentFact]:
    rows = session.execute(
        select(
            Appointment.start,
            Appointment.end,
            Appointment.all_day,
            Appointment.kind,
            Appointment.intense,
            Appointment.ran_over,
        ).where(Appointment.user_id == user_id, Appointment.start >= start, Appointment.start < end)
    ).all()
    return [
        AppointmentFact(
            start=r.start,
            end=r.end,
            all_day=r.all_day,
            kind=r.kind,
            intense=r.intense,
            ran_over=r.ran_over,
        )
        for r in rows
    ]


def load_reminders(
    *, session: Session, user_id: uuid.UUID, start: datetime, end: datetime
) -> tuple[list[BreakFact], list[datetime]]:
    """Folded break facts due in ``[start, end)`` and the send times of all reminders."""
    rows = session.execute(
        select(
            Reminder.id,
            Reminder.kind,
            Reminder.due_at,
            Reminder.state,
            Reminder.sent_at,
            Reminder.ack_action,
            Reminder.snoozed_from_id,
        ).where(
            Reminder.user_id == user_id,
            Reminder.due_at >= start,
            Reminder.due_at < end + _SNOOZE_SLACK,
        )
    ).all()
    found = [
        ReminderRow(
            id=str(r.id),
            kind=r.kind,
            due_at=r.due_at,
            state=r.state,
            sent_at=r.sent_at,
            ack_action=r.ack_action,
            snoozed_from_id=str(r.snoozed_from_id) if r.snoozed_from_id else None,
        )
        for r in rows
    ]
    breaks = [b for b in fold_breaks(found) if b.due_at < end]
    delivered = [r.sent_at for r in found if r.sent_at is not None and start <= r.sent_at < end]
    return breaks, delivered


def load_working_hours(*, session: Session, user_id: uuid.UUID) -> WorkingHours:
    plan = session.get(CarePlanSettings, user_id)
    if plan is None:
        return WorkingHours()
    return WorkingHours(
        days=tuple(sorted(int(d) for d in plan.working_days or ())),
        start=plan.working_start,
        end=plan.working_end,
    )


def load_checkins(
    *, session: Session, user_id: uuid.UUID, start: date, end: date
) -> list[CheckInFact]:
    rows = session.execute(
        select(
            CheckIn.local_date,
            CheckIn.energy,
            CheckIn.sleep_quality,
            CheckIn.moved,
            CheckIn.connected,
        ).where(CheckIn.user_id == user_id, CheckIn.local_date >= start, CheckIn.local_date <= end)
    ).all()
    return [
        CheckInFact(
            local_date=r.local_date,
            energy=r.energy,
            sleep_quality=r.sleep_quality,
            moved=r.moved,
            connected=r.connected,
        )
        for r in rows
    ]


def load_reviews(
    *, session: Session, user_id: uuid.UUID, start: date, end: date
) -> dict[date, WeeklyReview]:
    rows = session.scalars(
        select(WeeklyReview).where(
            WeeklyReview.user_id == user_id,
            WeeklyReview.week_start >= week_start(start),
            WeeklyReview.week_start <= end,
        )
    ).all()
    return {row.week_start: row for row in rows}
