"""Seams between domains, so a lower domain never imports a higher one.

Nothing registers itself on import: ``interlude.wiring.connect_domains()`` connects every
seam when the app or the worker is built.

- ``user_registered``: accounts announces a new user; care_plan gives them the default plan.
- ``schedule_changed``: calendars, care_plan, accounts (a new time zone) and wellbeing
  (commitments) announce that a user's inputs to the planner changed; reminders re-plans.
- ``planned_commitments``: reminders asks for the user's commitment occurrences (planner
  input) without importing wellbeing, which owns them and reads reminders' rows.
- ``held_time``: reminders asks for the time the user held for breaks (planner busy time,
  breaks.ics events) without importing week_ahead, which owns it and reads reminders' layer.
- ``exporters``: every domain that owns user data provides a function for ``GET /me/export``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

UserListener = Callable[..., None]  # (*, session, user_id, now) -> None
ScheduleListener = Callable[..., None]  # (*, session, user_id, now) -> None
# (*, session, user_id, start, end) -> list[planner.CommitmentIn]
CommitmentSource = Callable[..., Sequence[Any]]
Exporter = Callable[..., Any]  # (*, session, user_id, keyring) -> JSON-able


class HeldInterval(NamedTuple):
    """Time the user held for a break: a stable identity and aware UTC instants."""

    identity: str
    start: datetime
    end: datetime


# (*, session, user_id, start, end) -> list[HeldInterval]
HeldTimeSource = Callable[..., Sequence[HeldInterval]]

# Set once interlude.wiring has connected the seams in this process: every later app or
# worker shares them (and a test that swapped a hook list for its own keeps it).
_connected = False
_user_listeners: list[UserListener] = []
_schedule_listeners: list[ScheduleListener] = []
_commitment_sources: list[CommitmentSource] = []
_held_time_sources: list[HeldTimeSource] = []
_exporters: dict[str, Exporter] = {}


def connect_once(connect: Callable[[], None]) -> None:
    global _connected
    if not _connected:
        connect()
        _connected = True


def on_user_registered(listener: UserListener) -> None:
    if listener not in _user_listeners:
        _user_listeners.append(listener)


def user_registered(*, session: Session, user_id: uuid.UUID, now: datetime) -> None:
    for listener in list(_user_listeners):
        listener(session=session, user_id=user_id, now=now)


def on_schedule_changed(listener: ScheduleListener) -> None:
    if listener not in _schedule_listeners:
        _schedule_listeners.append(listener)


def schedule_changed(*, session: Session, user_id: uuid.UUID, now: datetime) -> None:
    for listener in list(_schedule_listeners):
        listener(session=session, user_id=user_id, now=now)


def add_commitment_source(source: CommitmentSource) -> None:
    if source not in _commitment_sources:
        _commitment_sources.append(source)


def planned_commitments(
    *, session: Session, user_id: uuid.UUID, start: datetime, end: datetime
) -> list[Any]:
    """Every source's commitment occurrences starting in ``[start, end)``, as planner input."""
    found: list[Any] = []
    for source in list(_commitment_sources):
        found.extend(source(session=session, user_id=user_id, start=start, end=end))
    return found


def add_held_time_source(source: HeldTimeSource) -> None:
    if source not in _held_time_sources:
        _held_time_sources.append(source)


def held_time(
    *, session: Session, user_id: uuid.UUID, start: datetime, end: datetime
) -> list[HeldInterval]:
    """Every source's held time overlapping ``[start, end)``, sorted by start."""
    found: list[HeldInterval] = []
    for source in list(_held_time_sources):
        found.extend(source(session=session, user_id=user_id, start=start, end=end))
    return sorted(found, key=lambda h: (h.start, h.end, h.identity))


def register_exporter(name: str, exporter: Exporter) -> None:
    _exporters[name] = exporter


def exporters() -> dict[str, Exporter]:
    return dict(_exporters)
