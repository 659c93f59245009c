"""Connects the domains' seams (core/hooks.py): called where the app and the worker are built.

Each seam lets a lower domain announce or ask without importing a higher one; connecting them
here, explicitly, means no module changes behaviour by being imported. Once per process.
"""

from __future__ import annotations

from interlude.autoresponder import service as autoresponder
from interlude.calendars import service as calendars
from interlude.care_plan import service as care_plan
from interlude.core import hooks
from interlude.push import service as push
from interlude.reminders import service as reminders
from interlude.week_ahead import service as week_ahead
from interlude.wellbeing import commitments, export

# GET /me/export: one section per domain that owns user data.
EXPORTERS: dict[str, hooks.Exporter] = {
    "autoresponder": autoresponder.export_user_data,
    "calendars": calendars.export,
    "care_plan": care_plan.export_plan,
    "push": push.export_subscriptions,
    "reminders": reminders.export_reminders,
    "wellbeing": export.export_json,
    "week_ahead": week_ahead.export_user_data,
}


def connect_domains() -> None:
    hooks.connect_once(_connect)


def _connect() -> None:
    hooks.on_user_registered(care_plan.create_default_plan)
    hooks.on_schedule_changed(reminders.replan_on_schedule_change)
    hooks.add_commitment_source(commitments.as_planner_input)
    hooks.add_held_time_source(week_ahead.held_intervals)
    for name, exporter in EXPORTERS.items():
        hooks.register_exporter(name, exporter)
