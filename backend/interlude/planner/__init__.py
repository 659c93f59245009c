"""The planner: a pure function from appointments and a care plan to planned reminders."""

from interlude.planner.engine import plan
from interlude.planner.notes import notes_apply, open_notes
from interlude.planner.types import (
    AppointmentIn,
    CarePlanIn,
    CommitmentIn,
    MicroBreakRuleIn,
    PlannedReminder,
    ResponseWindowIn,
    RitualIn,
    TimeOffIn,
)

__all__ = [
    "AppointmentIn",
    "CarePlanIn",
    "CommitmentIn",
    "MicroBreakRuleIn",
    "PlannedReminder",
    "ResponseWindowIn",
    "RitualIn",
    "TimeOffIn",
    "notes_apply",
    "open_notes",
    "plan",
]
