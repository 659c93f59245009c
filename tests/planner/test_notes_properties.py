"""Property-based tests for notes time, the wrap-up cue and the notes backlog (issue 21).

The scenarios of ``test_properties.py`` with notes time and the wrap-up cue switched on at
random, and random "notes done" ticks.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from interlude.planner import AppointmentIn, CarePlanIn, PlannedReminder, open_notes, plan
from tests.planner.test_properties import (
    BASE_DAYS,
    PROFILE,
    ZONES,
    _busy,
    _in_quiet,
    appointments,
    care_plans,
)

Scenario = tuple[list[AppointmentIn], CarePlanIn, ZoneInfo, datetime, datetime]
SCOPES = ["every", "every", "intense", "telehealth"]
SESSION_END_KINDS = ("micro_break", "transition_ritual", "end_of_day", "notes")


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    tz = draw(st.sampled_from(ZONES))
    base = draw(st.sampled_from(BASE_DAYS))
    appts = [replace(a, notes_done=draw(st.booleans())) for a in draw(appointments(tz, base))]
    care_plan = replace(
        draw(care_plans(base)),
        notes_minutes=draw(st.sampled_from([0, 5, 10, 10, 15, 30, 60])),
        notes_applies_to=draw(st.sampled_from(SCOPES)),
        notes_order=draw(st.sampled_from(["break_first", "notes_first"])),
        notes_backlog_days=draw(st.integers(1, 3)),
        notes_end_of_day=draw(st.booleans()),
        wrap_up_minutes=draw(st.sampled_from([0, 1, 5, 5, 10, 15])),
        wrap_up_applies_to=draw(st.sampled_from(SCOPES)),
    )
    midnight = datetime.combine(base, time(0)).replace(tzinfo=tz).astimezone(UTC)
    now = midnight + timedelta(minutes=draw(st.integers(-12 * 60, 36 * 60)))
    horizon = now + timedelta(hours=draw(st.integers(6, 72)))
    return appts, care_plan, tz, now, horizon


def _own_session(r: PlannedReminder, sessions: list[AppointmentIn]) -> AppointmentIn:
    [own] = {(s.start, s.end): s for s in sessions if s.identity == r.anchor}.values()
    return own


@PROFILE
@given(scenarios())
def test_invariants_with_notes_and_the_wrap_up_cue(scenario: Scenario) -> None:
    appts, care_plan, tz, now, horizon = scenario
    reminders = plan(appts, care_plan, tz, now, horizon)
    busy = _busy(appts)
    sessions = [a for a in busy if a.kind == "session"]
    for r in reminders:
        assert r.due_at < r.expires_at and r.expires_at > now and r.due_at < horizon
        assert not _in_quiet(r, care_plan, tz), r
        later = [a.start for a in busy if a.start > r.due_at]
        assert not later or r.expires_at <= min(later), r
        inside = [a for a in busy if a.start <= r.due_at < a.end]
        if r.kind == "wrap_up":
            # Only inside its own session, in its second half, and in no other busy time.
            own = _own_session(r, sessions)
            assert own.start + (own.end - own.start) / 2 <= r.due_at < own.end, r
            assert r.due_at == own.end - timedelta(minutes=care_plan.wrap_up_minutes)
            assert r.expires_at <= own.end
            assert all((a.start, a.end) == (own.start, own.end) for a in inside), r
        else:
            assert not inside, r
        # Notes never start before the break they follow ends and never run past the
        # next session start (nor past the reminder's expiry).
        if r.notes_minutes > 0:
            assert r.kind in ("micro_break", "end_of_day", "notes"), r
            assert r.notes_minutes == care_plan.notes_minutes
            segments = timedelta(minutes=r.duration_minutes + r.notes_minutes)
            assert r.due_at + segments <= r.expires_at, r
            assert not later or r.due_at + segments <= min(later), r
        if r.kind == "notes":
            assert r.notes_minutes > 0
        if r.kind == "notes_backlog":
            local = r.due_at.astimezone(tz)
            assert local.weekday() in care_plan.working_days
            start = datetime.combine(local.date(), care_plan.working_start).replace(tzinfo=tz)
            end = datetime.combine(local.date(), care_plan.working_end).replace(tzinfo=tz)
            assert start <= local < end and r.expires_at <= end
            count = len(open_notes(appts, care_plan, r.due_at))
            assert count > 0 and r.body.startswith(f"Notes still open for {count} session")
    assert care_plan.wrap_up_minutes > 0 or not any(r.kind == "wrap_up" for r in reminders)
    assert care_plan.notes_minutes > 0 or not any(
        r.notes_minutes or r.kind in ("notes", "notes_backlog") for r in reminders
    )
    # Still one notification per session end, and the cap (the silent cue is exempt).
    ends = Counter((r.anchor, r.due_at) for r in reminders if r.kind in SESSION_END_KINDS)
    assert all(n == 1 for n in ends.values())
    per_day = Counter(r.due_at.astimezone(tz).date() for r in reminders if r.kind != "wrap_up")
    assert all(n <= care_plan.daily_cap for n in per_day.values())
    assert len({r.key for r in reminders}) == len(reminders)


@PROFILE
@given(scenarios(), st.randoms(use_true_random=False))
def test_stable_under_input_order(scenario: Scenario, rnd: random.Random) -> None:
    appts, care_plan, tz, now, horizon = scenario
    first = plan(appts, care_plan, tz, now, horizon)
    shuffled = list(appts)
    rnd.shuffle(shuffled)
    assert plan(shuffled, care_plan, tz, now, horizon) == first
    reordered = replace(care_plan, rules=care_plan.rules[::-1], rituals=care_plan.rituals[::-1])
    assert plan(appts[::-1], reordered, tz, now, horizon) == first


@PROFILE
@given(scenarios(), st.integers(1, 48 * 60))
def test_replanning_later_only_drops_expired_reminders(scenario: Scenario, minutes: int) -> None:
    appts, care_plan, tz, now, horizon = scenario
    later = now + timedelta(minutes=minutes)
    end = max(horizon, later)
    early = plan(appts, care_plan, tz, now, end)
    assert plan(appts, care_plan, tz, later, end) == [r for r in early if r.expires_at > later]


@PROFILE
@given(scenarios())
def test_notes_time_off_plans_what_it_planned_before(scenario: Scenario) -> None:
    """With notes time and the cue off, the new settings change nothing at all."""
    appts, care_plan, tz, now, horizon = scenario
    off = replace(care_plan, notes_minutes=0, wrap_up_minutes=0)
    unticked = [replace(a, notes_done=False) for a in appts]
    baseline = replace(
        off,
        notes_applies_to="every",
        notes_order="break_first",
        notes_backlog_days=7,
        notes_end_of_day=True,
        wrap_up_applies_to="every",
    )
    assert plan(appts, off, tz, now, horizon) == plan(unticked, baseline, tz, now, horizon)
