"""The planner's contract: plain, immutable inputs and outputs, no ORM, no I/O.

``interlude.planner.plan(...)`` turns (appointments, care plan, zone, now) into
``PlannedReminder`` values; the reminders package stores them as outbox rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Literal

AppointmentKind = Literal["session", "other"]
BreakTrigger = Literal["after_session", "fixed_time", "interval"]
Activity = Literal["box_breathing", "breathing_478", "stretch", "water", "step_outside", "custom"]
RitualTrigger = Literal["after_every_session", "after_intense", "after_telehealth", "end_of_day"]
ReminderKind = Literal[
    "micro_break",  # after a session, before the next one (may carry merged ritual steps)
    "transition_ritual",  # a ritual after a matching session, when no micro-break falls then
    "end_of_day",  # shutdown ritual after the day's last session
    "back_to_back",  # evening-before heads-up for a run of 3+ sessions without a 10-min gap
    "response_window_open",
    "response_window_close",
    "fixed_break",  # micro-break rule at a fixed local time
    "interval_break",  # micro-break rule every N minutes inside working hours
    "commitment",  # shortly before a supervision / peer / personal-therapy commitment
    "notes",  # notes time after a session, when no after-session break fits the gap
    "wrap_up",  # silent cue shortly before a session ends (the one kind inside a session)
    "notes_backlog",  # end of the working day, while notes are still open
]
# Which sessions notes time (or the wrap-up cue) is for.
SessionScope = Literal["every", "intense", "telehealth"]
NotesOrder = Literal["break_first", "notes_first"]
CommitmentKind = Literal["supervision", "peer", "personal_therapy"]


@dataclass(frozen=True, slots=True)
class AppointmentIn:
    identity: str  # keyed hash of UID + RECURRENCE-ID: stable across syncs
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC
    all_day: bool = False
    kind: AppointmentKind = "session"
    telehealth: bool = False
    intense: bool = False
    notes_done: bool = False  # the therapist ticked "notes done" for this occurrence


@dataclass(frozen=True, slots=True)
class CommitmentIn:
    """One occurrence of a recurring commitment (supervision, peer check-in, own therapy).

    Treated like a client appointment: busy time that is never skipped, capped or silenced;
    it gets its own ``commitment`` reminder shortly before it starts.
    """

    identity: str  # stable per occurrence, e.g. "commitment:<id>:<local date>"
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC
    kind: CommitmentKind = "supervision"


@dataclass(frozen=True, slots=True)
class MicroBreakRuleIn:
    id: str
    trigger: BreakTrigger = "after_session"
    min_gap_minutes: int = 5
    at_time: time | None = None  # fixed_time: local wall-clock time
    every_minutes: int | None = None  # interval
    duration_minutes: int = 2
    activity: Activity = "box_breathing"
    custom_text: str | None = None
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class RitualIn:
    id: str
    name: str
    steps: tuple[str, ...]
    trigger: RitualTrigger
    duration_minutes: int = 5
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class ResponseWindowIn:
    weekday: int  # 0 = Monday
    start: time  # local wall-clock
    end: time


@dataclass(frozen=True, slots=True)
class TimeOffIn:
    start_date: date  # inclusive, local dates
    end_date: date
    kind: Literal["pto", "holiday"] = "pto"


@dataclass(frozen=True, slots=True)
class CarePlanIn:
    rules: tuple[MicroBreakRuleIn, ...] = ()
    rituals: tuple[RitualIn, ...] = ()
    windows: tuple[ResponseWindowIn, ...] = ()
    time_off: tuple[TimeOffIn, ...] = ()
    quiet_start: time | None = None  # local; may wrap midnight (22:00-07:00)
    quiet_end: time | None = None
    daily_cap: int = 12
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    working_start: time = time(8, 0)
    working_end: time = time(18, 0)
    notify_window_close: bool = False
    notes_minutes: int = 0  # notes time after each applicable session; 0 = off
    notes_applies_to: SessionScope = "every"
    notes_order: NotesOrder = "break_first"
    notes_backlog_days: int = 7  # the backlog looks this far back
    notes_end_of_day: bool = True  # a reminder before working_end while notes are open
    wrap_up_minutes: int = 0  # silent wrap-up cue this long before a session ends; 0 = off
    wrap_up_applies_to: SessionScope = "every"


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    key: str  # deterministic: hash of (kind, anchor, due_at); the outbox's idempotency key
    kind: ReminderKind
    due_at: datetime  # aware, UTC
    expires_at: datetime  # aware, UTC; never after the next session starts
    anchor: str | None  # identity of the appointment it hangs on, if any
    title: str  # never contains calendar text: no client data exists here to leak
    body: str
    activity: Activity | None = None
    duration_minutes: int = 2
    ritual_steps: tuple[str, ...] = field(default=())
    ritual_name: str | None = None  # the care plan's ritual this reminder carries, if any
    ritual_minutes: int = 0  # that ritual's own length (a merged break has its own)
    notes_minutes: int = 0  # the notes time this reminder's gap reserves (0: none)
    url: str = "/"  # PWA route the notification opens, e.g. "/break?r=<id>" filled by outbox
