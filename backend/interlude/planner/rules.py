"""Reminders from the care plan's own clock: fixed-time and interval breaks, response windows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from interlude.core.timezones import local_to_utc
from interlude.planner import texts
from interlude.planner.candidates import ROOM, Candidate
from interlude.planner.types import (
    CarePlanIn,
    MicroBreakRuleIn,
    ReminderKind,
    ResponseWindowIn,
)

RULE_BREAK_ROOM = timedelta(minutes=30)  # a fixed/interval break is stale after this
WINDOW_CLOSE_ROOM = timedelta(minutes=15)
MIN_INTERVAL_MINUTES = 15  # an interval rule never ticks more often than this


def _working_hours(day: date, care_plan: CarePlanIn, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return (
        local_to_utc(day, care_plan.working_start, tz),
        local_to_utc(day, care_plan.working_end, tz),
    )


def _rule_break(
    kind: ReminderKind,
    rule: MicroBreakRuleIn,
    due: datetime,
    room: timedelta,
    within: tuple[datetime, datetime],
    *,
    shift: bool,
) -> Candidate:
    return Candidate(
        kind=kind,
        anchor=None,
        due=due,
        title=texts.break_title(rule),
        body=texts.activity_text(rule.activity, rule.custom_text),
        lifetime=room,
        shift=shift,
        within=within,
        activity=rule.activity,
        duration_minutes=rule.duration_minutes,
    )


def rule_candidates(care_plan: CarePlanIn, tz: ZoneInfo, days: Sequence[date]) -> list[Candidate]:
    """Fixed-time and interval breaks on working days, inside working hours only."""
    rules = [r for r in care_plan.rules if r.enabled]
    out: list[Candidate] = []
    for day in days:
        if day.weekday() not in care_plan.working_days:
            continue
        hours = _working_hours(day, care_plan, tz)
        if hours[1] <= hours[0]:
            continue
        for rule in rules:
            if rule.trigger == "fixed_time" and rule.at_time is not None:
                due = local_to_utc(day, rule.at_time, tz)
                out.append(
                    _rule_break("fixed_break", rule, due, RULE_BREAK_ROOM, hours, shift=True)
                )
            elif rule.trigger == "interval" and rule.every_minutes:
                out.extend(_interval_ticks(rule, day, care_plan, tz, hours))
    return out


def _interval_ticks(
    rule: MicroBreakRuleIn,
    day: date,
    care_plan: CarePlanIn,
    tz: ZoneInfo,
    hours: tuple[datetime, datetime],
) -> list[Candidate]:
    """Every N wall-clock minutes after the start of working hours; a busy tick is skipped."""
    every = timedelta(minutes=max(rule.every_minutes or 0, MIN_INTERVAL_MINUTES))
    start = datetime.combine(day, care_plan.working_start)  # naive local wall clock
    end = datetime.combine(day, care_plan.working_end)
    out = []
    tick = start + every
    while tick < end:
        due = local_to_utc(tick.date(), tick.time(), tz)
        room = min(every, RULE_BREAK_ROOM)
        out.append(_rule_break("interval_break", rule, due, room, hours, shift=False))
        tick += every
    return out


def _window_bounds(window: ResponseWindowIn, day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    end_day = day if window.end > window.start else day + timedelta(days=1)
    return local_to_utc(day, window.start, tz), local_to_utc(end_day, window.end, tz)


def window_candidates(care_plan: CarePlanIn, tz: ZoneInfo, days: Sequence[date]) -> list[Candidate]:
    """A reminder when each response window opens and, if asked for, when it closes."""
    out: list[Candidate] = []
    for day in days:
        for window in care_plan.windows:
            if window.weekday != day.weekday() or window.start == window.end:
                continue
            opens, closes = _window_bounds(window, day, tz)
            if closes <= opens:
                continue
            out.append(
                Candidate(
                    kind="response_window_open",
                    anchor=None,
                    due=opens,
                    title=texts.window_open_title(),
                    body=texts.window_open_body_template(ROOM),
                    expires_at=closes,
                    room_until=closes,
                    activity=None,
                    duration_minutes=int((closes - opens).total_seconds() // 60),
                )
            )
            if care_plan.notify_window_close:
                out.append(
                    Candidate(
                        kind="response_window_close",
                        anchor=None,
                        due=closes,
                        title=texts.window_close_title(),
                        body=texts.window_close_body(),
                        lifetime=WINDOW_CLOSE_ROOM,
                        activity=None,
                        duration_minutes=0,
                    )
                )
    return out
