"""Seams between domains, so a lower domain never imports a higher one.

- ``schedule_changed``: calendars and care_plan announce that a user's inputs to the planner
  changed; reminders subscribes and re-plans.
- ``exporters``: every domain that owns user data registers a function for ``GET /me/export``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

ScheduleListener = Callable[..., None]  # (*, session, user_id, now) -> None
Exporter = Callable[..., Any]  # (*, session, user_id, keyring) -> JSON-able

_schedule_listeners: list[ScheduleListener] = []
_exporters: dict[str, Exporter] = {}


def on_schedule_changed(listener: ScheduleListener) -> ScheduleListener:
    if listener not in _schedule_listeners:
        _schedule_listeners.append(listener)
    return listener


def schedule_changed(*, session: Session, user_id: uuid.UUID, now: datetime) -> None:
    for listener in list(_schedule_listeners):
        listener(session=session, user_id=user_id, now=now)


def register_exporter(name: str, exporter: Exporter) -> None:
    _exporters[name] = exporter


def exporters() -> dict[str, Exporter]:
    return dict(_exporters)
