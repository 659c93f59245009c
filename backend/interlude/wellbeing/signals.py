"""Early-warning signals: pure rules over facts, with the clock passed in.

Each rule is written down, word for word, in docs/wellbeing.md. A signal never names a
condition: it says what the numbers did and suggests one specific, kind step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from interlude.core.timezones import days_between, local_date, week_start
from interlude.wellbeing.indicators import trailing_average

SignalCode = Literal["energy_drop", "warning_signs", "breaks_skipped", "caseload"]
SIGNAL_CODES: tuple[SignalCode, ...] = (
    "energy_drop",
    "warning_signs",
    "breaks_skipped",
    "caseload",
)

ENERGY_DROP_POINTS = 2.0
ENERGY_RECENT_DAYS = 7
ENERGY_BASELINE_DAYS = 28
ENERGY_MIN_RECENT_DAYS = 3  # days with a check-in in the last 7
ENERGY_MIN_BASELINE_DAYS = 7  # days with a check-in in the 28 before them
WARNING_SIGNS_THRESHOLD = 3
BREAKS_MIN_PLANNED = 4  # one skipped break out of one planned is not a pattern
CASELOAD_WEEKS = 3


@dataclass(frozen=True, slots=True)
class BreakWeek:
    planned: int
    skipped: int


@dataclass(frozen=True, slots=True)
class SignalFacts:
    """Everything the rules look at, already reduced to per-day and per-week numbers."""

    daily_energy: Mapping[date, float]  # mean energy per local date with a check-in
    warning_signs: Mapping[date, int]  # week start -> signs ticked in that week's review
    breaks: Mapping[date, BreakWeek]  # week start -> planned and skipped breaks
    sessions: Mapping[date, int]  # week start -> sessions in the calendar that week
    caseload_limit: int = 25
    has_upcoming_support: bool = False  # an active supervision/peer/therapy commitment


@dataclass(frozen=True, slots=True)
class Signal:
    code: SignalCode
    title: str
    detail: str  # what the numbers did, in plain words
    nudge: str  # one specific, kind suggestion
    evidence: dict[str, Any]


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def energy_drop(facts: SignalFacts, today: date) -> Signal | None:
    """7-day average (today and the 6 days before) at least 2 points below the 28-day
    baseline (the 28 days before those 7); needs 3 recent days and 7 baseline days."""
    recent = trailing_average(
        dict(facts.daily_energy),
        today,
        days=ENERGY_RECENT_DAYS,
        min_days=ENERGY_MIN_RECENT_DAYS,
    )
    baseline_end = today - timedelta(days=ENERGY_RECENT_DAYS)
    baseline = trailing_average(
        dict(facts.daily_energy),
        baseline_end,
        days=ENERGY_BASELINE_DAYS,
        min_days=ENERGY_MIN_BASELINE_DAYS,
    )
    if recent is None or baseline is None or baseline - recent < ENERGY_DROP_POINTS:
        return None
    support = (
        "Could you book a peer check-in this week?"
        if not facts.has_upcoming_support
        else "Your next supervision or peer check-in is a good place to talk it through."
    )
    return Signal(
        code="energy_drop",
        title="Your energy has dipped",
        detail=(
            f"Your energy over the last 7 days averaged {_fmt(recent)}, "
            f"{_fmt(baseline - recent)} points below your usual {_fmt(baseline)}."
        ),
        nudge=f"Try protecting a longer break tomorrow. {support}",
        evidence={"recent_average": round(recent, 2), "baseline_average": round(baseline, 2)},
    )


def warning_signs(facts: SignalFacts, today: date) -> Signal | None:
    """3+ warning signs in the latest reviewed week (this week, else last week) and in the
    week before it."""
    this_week = week_start(today)
    latest = this_week if this_week in facts.warning_signs else this_week - timedelta(days=7)
    previous = latest - timedelta(days=7)
    counts = [facts.warning_signs.get(previous), facts.warning_signs.get(latest)]
    if any(c is None or c < WARNING_SIGNS_THRESHOLD for c in counts):
        return None
    ticked = [int(c or 0) for c in counts]
    return Signal(
        code="warning_signs",
        title="Warning signs two weeks running",
        detail=(
            f"You ticked {ticked[0]} warning signs in the week of {previous.isoformat()} "
            f"and {ticked[1]} in the week of {latest.isoformat()}."
        ),
        nudge=(
            "This is a good moment to book supervision or a peer check-in. If it keeps up, "
            "personal therapy can be a place for you too."
        ),
        evidence={"weeks": [previous.isoformat(), latest.isoformat()], "counts": ticked},
    )


def breaks_skipped(facts: SignalFacts, today: date) -> Signal | None:
    """More than half of the planned breaks skipped in the last complete week (Monday to
    Sunday before this week), when at least 4 breaks were planned."""
    last_week = week_start(today) - timedelta(days=7)
    week = facts.breaks.get(last_week)
    if week is None or week.planned < BREAKS_MIN_PLANNED or week.skipped * 2 <= week.planned:
        return None
    return Signal(
        code="breaks_skipped",
        title="Most breaks were skipped last week",
        detail=f"Last week you skipped {week.skipped} of {week.planned} planned breaks.",
        nudge=(
            "Pick one break tomorrow and protect it, a longer one if you can: "
            "put it in your calendar like a session."
        ),
        evidence={
            "week": last_week.isoformat(),
            "planned": week.planned,
            "skipped": week.skipped,
        },
    )


def caseload(facts: SignalFacts, today: date) -> Signal | None:
    """Sessions above the weekly limit in this week (its whole calendar, including sessions
    still ahead) and each of the two weeks before it."""
    this_week = week_start(today)
    weeks = [this_week - timedelta(days=7 * n) for n in range(CASELOAD_WEEKS - 1, -1, -1)]
    counts = [facts.sessions.get(w, 0) for w in weeks]
    if any(c <= facts.caseload_limit for c in counts):
        return None
    return Signal(
        code="caseload",
        title="Above your caseload limit three weeks running",
        detail=(
            f"Your weeks held {', '.join(str(c) for c in counts)} sessions, "
            f"above the {facts.caseload_limit} you set as your limit."
        ),
        nudge=(
            "Consider bringing your caseload to supervision, and protect a longer break tomorrow."
        ),
        evidence={"weeks": [w.isoformat() for w in weeks], "counts": counts},
    )


RULES = (energy_drop, warning_signs, breaks_skipped, caseload)


def evaluate(facts: SignalFacts, *, now: datetime, zone: ZoneInfo) -> list[Signal]:
    """Every signal whose rule holds at ``now`` (the user's local date in ``zone``)."""
    return evaluate_on(facts, local_date(now, zone))


def evaluate_on(facts: SignalFacts, today: date) -> list[Signal]:
    found = (rule(facts, today) for rule in RULES)
    return [signal for signal in found if signal is not None]


def energy_window(today: date) -> list[date]:
    """The dates the energy rule reads: the 7 recent days and the 28-day baseline before."""
    return days_between(
        today - timedelta(days=ENERGY_RECENT_DAYS + ENERGY_BASELINE_DAYS - 1), today
    )
