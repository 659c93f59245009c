"""Recurring supervision / peer / personal-therapy commitments and their occurrences.

The interface for the planner and reminders (documented in docs/wellbeing.md)::

    upcoming_commitments(session=..., user_id=..., start=..., end=...) -> list[Occurrence]

returns every occurrence of the user's active commitments that starts in ``[start, end)``,
as aware UTC datetimes computed from the local wall time in the user's zone (so a weekly
10:00 stays at 10:00 across DST). ``occurrences(...)`` is the same rule as a pure function.
``as_planner_input`` gives them to reminders' re-planning as planner input (through
``core.hooks``, connected in ``interlude/wiring.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from interlude.accounts.models import User
from interlude.core import hooks
from interlude.core.errors import NotFound, Unprocessable
from interlude.core.timezones import local_date, local_to_utc, user_zone
from interlude.planner import CommitmentIn
from interlude.planner.types import CommitmentKind
from interlude.wellbeing.models import Commitment
from interlude.wellbeing.schemas import CommitmentCreate, CommitmentUpdate

KINDS = ("supervision", "peer", "personal_therapy")
FREQUENCIES = ("weekly", "biweekly", "monthly")


@dataclass(frozen=True, slots=True)
class CommitmentRule:
    id: str
    kind: str
    weekday: int
    start_time: time
    duration_minutes: int
    frequency: str
    starts_on: date
    label: str = ""


@dataclass(frozen=True, slots=True)
class Occurrence:
    commitment_id: str
    kind: str
    label: str
    local_date: date
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC


def first_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _week_of_month(day: date) -> int:
    """1-4 for the first to fourth such weekday of the month, 5 for a fifth (= "last")."""
    return (day.day - 1) // 7 + 1


def _is_last_of_month(day: date) -> bool:
    return (day + timedelta(days=7)).month != day.month


def occurs_on(rule: CommitmentRule, day: date) -> bool:
    """Whether the rule has an occurrence on the local date ``day``."""
    first = first_on_or_after(rule.starts_on, rule.weekday)
    if day < first or day.weekday() != rule.weekday:
        return False
    if rule.frequency == "weekly":
        return True
    if rule.frequency == "biweekly":
        return ((day - first).days // 7) % 2 == 0
    nth = _week_of_month(first)
    if nth == 5:  # the first occurrence was a fifth weekday: keep to the last one each month
        return _is_last_of_month(day)
    return _week_of_month(day) == nth


def occurrences(
    rules: Iterable[CommitmentRule], *, start: datetime, end: datetime, zone: ZoneInfo
) -> list[Occurrence]:
    """Every occurrence starting in ``[start, end)``, sorted by start."""
    first_day = local_date(start, zone) - timedelta(days=1)
    last_day = local_date(end, zone) + timedelta(days=1)
    found = []
    for rule in rules:
        day = first_on_or_after(max(first_day, rule.starts_on), rule.weekday)
        while day <= last_day:
            if occurs_on(rule, day):
                begins = local_to_utc(day, rule.start_time, zone)
                if start <= begins < end:
                    found.append(
                        Occurrence(
                            commitment_id=rule.id,
                            kind=rule.kind,
                            label=rule.label,
                            local_date=day,
                            start=begins,
                            end=begins + timedelta(minutes=rule.duration_minutes),
                        )
                    )
            day += timedelta(days=7)
    return sorted(found, key=lambda o: (o.start, o.commitment_id))


def count_by_kind(found: Iterable[Occurrence]) -> dict[str, int]:
    counts = dict.fromkeys(KINDS, 0)
    for item in found:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    return counts


def rule_of(row: Commitment) -> CommitmentRule:
    return CommitmentRule(
        id=str(row.id),
        kind=row.kind,
        weekday=row.weekday,
        start_time=row.start_time,
        duration_minutes=row.duration_minutes,
        frequency=row.frequency,
        starts_on=row.starts_on,
        label=row.label,
    )


def active_rules(*, session: Session, user_id: uuid.UUID) -> list[CommitmentRule]:
    rows = session.scalars(
        select(Commitment).where(Commitment.user_id == user_id, Commitment.active.is_(True))
    ).all()
    return [rule_of(row) for row in rows]


def upcoming_commitments(
    *, session: Session, user_id: uuid.UUID, start: datetime, end: datetime
) -> list[Occurrence]:
    """The planner's/reminders' view: occurrences in ``[start, end)`` in the user's zone."""
    user = session.get(User, user_id)
    if user is None:
        return []
    rules = active_rules(session=session, user_id=user_id)
    return occurrences(rules, start=start, end=end, zone=user_zone(user))


def as_planner_input(
    *, session: Session, user_id: uuid.UUID, start: datetime, end: datetime
) -> list[CommitmentIn]:
    """Occurrences starting in ``[start, end)`` as planner input, for reminders' re-planning.

    The identity is per occurrence (commitment id + local date), so a moved occurrence moves
    its reminder and a deleted commitment cancels them. The label is not passed on.
    """
    return [
        CommitmentIn(
            identity=f"commitment:{o.commitment_id}:{o.local_date.isoformat()}",
            start=o.start,
            end=o.end,
            kind=_planner_kind(o.kind),
        )
        for o in upcoming_commitments(session=session, user_id=user_id, start=start, end=end)
    ]


def _planner_kind(kind: str) -> CommitmentKind:
    return next((k for k in _PLANNER_KINDS if k == kind), "supervision")


_PLANNER_KINDS: tuple[CommitmentKind, ...] = ("supervision", "peer", "personal_therapy")


# --- stored commitments (CRUD for the API) -----------------------------------------------


def get_commitment(*, session: Session, user_id: uuid.UUID, commitment_id: uuid.UUID) -> Commitment:
    row = session.get(Commitment, commitment_id)
    if row is None or row.user_id != user_id:
        raise NotFound("No such commitment.")
    return row


def list_commitments(*, session: Session, user_id: uuid.UUID) -> list[Commitment]:
    query = select(Commitment).where(Commitment.user_id == user_id)
    return list(session.scalars(query.order_by(Commitment.weekday, Commitment.start_time)))


def create_commitment(
    *, session: Session, user: User, data: CommitmentCreate, now: datetime
) -> Commitment:
    row = Commitment(
        user_id=user.id,
        kind=data.kind,
        label=data.label,
        weekday=data.weekday,
        start_time=data.start_time.replace(tzinfo=None, microsecond=0),
        duration_minutes=data.duration_minutes,
        frequency=data.frequency,
        starts_on=data.starts_on or local_date(now, user_zone(user)),
        active=data.active,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    hooks.schedule_changed(session=session, user_id=user.id, now=now)
    return row


def update_commitment(
    *,
    session: Session,
    user: User,
    commitment_id: uuid.UUID,
    data: CommitmentUpdate,
    now: datetime,
) -> Commitment:
    row = get_commitment(session=session, user_id=user.id, commitment_id=commitment_id)
    for name in sorted(data.model_fields_set):
        value = getattr(data, name)
        if value is None:
            raise Unprocessable(f"{name}: give a value, or leave it out.")
        if name == "start_time":
            value = value.replace(tzinfo=None, microsecond=0)
        if name == "label":
            value = " ".join(value.split())
        setattr(row, name, value)
    row.updated_at = now
    session.flush()
    hooks.schedule_changed(session=session, user_id=user.id, now=now)
    return row


def delete_commitment(
    *, session: Session, user: User, commitment_id: uuid.UUID, now: datetime
) -> None:
    row = get_commitment(session=session, user_id=user.id, commitment_id=commitment_id)
    session.delete(row)
    session.flush()
    hooks.schedule_changed(session=session, user_id=user.id, now=now)


def next_occurrence(row: Commitment, *, now: datetime, zone: ZoneInfo) -> datetime | None:
    if not row.active:
        return None
    found = occurrences([rule_of(row)], start=now, end=now + timedelta(days=62), zone=zone)
    return found[0].start if found else None
