"""Builders for planner inputs: sessions in local wall-clock time, care plans, readable output."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from interlude.planner import AppointmentIn, CarePlanIn, PlannedReminder, plan
from interlude.planner.types import MicroBreakRuleIn, RitualIn

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
SYDNEY = ZoneInfo("Australia/Sydney")
TUESDAY = date(2026, 11, 24)
# Monday 23 November 2026, 09:00 in New York: the day before TUESDAY.
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
_ids = itertools.count(1)


def at(day: date, hh_mm: str, tz: ZoneInfo = NY) -> datetime:
    """The UTC instant of a local wall-clock time (fold=0)."""
    hour, minute = (int(p) for p in hh_mm.split(":"))
    return datetime.combine(day, time(hour, minute)).replace(tzinfo=tz).astimezone(UTC)


def session(
    start: str,
    minutes: int = 50,
    *,
    day: date = TUESDAY,
    tz: ZoneInfo = NY,
    identity: str | None = None,
    **fields: Any,
) -> AppointmentIn:
    begin = at(day, start, tz)
    return AppointmentIn(
        identity=identity or f"appt-{next(_ids)}",
        start=begin,
        end=begin + timedelta(minutes=minutes),
        **fields,
    )


def rule(**fields: Any) -> MicroBreakRuleIn:
    return MicroBreakRuleIn(**{"id": "rule-default", **fields})


def ritual(trigger: str, name: str = "Wash hands", **fields: Any) -> RitualIn:
    return RitualIn(
        **{"id": f"ritual-{trigger}", "name": name, "steps": ("Wash", "Breathe"), **fields},
        trigger=trigger,  # type: ignore[arg-type]
    )


def care(**fields: Any) -> CarePlanIn:
    """A care plan with one default after-session rule unless ``rules`` is given."""
    fields.setdefault("rules", (rule(),))
    return CarePlanIn(**fields)


def run(
    appointments: Sequence[AppointmentIn],
    care_plan: CarePlanIn | None = None,
    *,
    tz: ZoneInfo = NY,
    now: datetime = NOW,
    days: int = 3,
) -> list[PlannedReminder]:
    return plan(appointments, care_plan or care(), tz, now, now + timedelta(days=days))


def local(reminders: Sequence[PlannedReminder], tz: ZoneInfo = NY) -> list[tuple[str, str, str]]:
    """(kind, local due 'Tue 09:50', local expiry 'Tue 10:00') for readable assertions."""
    fmt = "%a %H:%M"
    return [
        (r.kind, r.due_at.astimezone(tz).strftime(fmt), r.expires_at.astimezone(tz).strftime(fmt))
        for r in reminders
    ]
