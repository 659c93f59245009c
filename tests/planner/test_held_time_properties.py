"""Property-based: held time, sessions, notes time and the wrap-up cue together.

Held time reaches the planner as reminders' re-planning passes it
(``reminders.planning.held_as_busy``: busy "other" appointments). For any calendar, care plan
(with notes time and the wrap-up cue drawn too) and held time:
- no reminder is due inside held time or inside a session -- except the wrap-up cue, in its
  own session's second half only, and never inside other busy time;
- no expiry passes the next start of a session, other event or held time;
- notes time never comes before the session it is for, and the gap holds the break and the
  notes together;
- the output does not depend on the order of the inputs, and re-planning later only drops
  what has expired.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from interlude.core.hooks import HeldInterval
from interlude.planner import AppointmentIn, CarePlanIn, PlannedReminder, plan
from interlude.reminders.planning import held_as_busy
from tests.planner.test_properties import PROFILE, scenarios

SCOPES = ["every", "intense", "telehealth"]
Case = tuple[list[AppointmentIn], CarePlanIn, ZoneInfo, datetime, datetime]


@st.composite
def with_held_time(draw: st.DrawFn) -> Case:
    """``test_properties``' scenarios, with notes and wrap-up settings, notes ticks, and held
    time where a suggestion holds it (right after a session, right before one) or anywhere."""
    appts, care_plan, tz, now, horizon = draw(scenarios())
    care_plan = replace(
        care_plan,
        notes_minutes=draw(st.sampled_from([0, 0, 5, 10, 20])),
        notes_applies_to=draw(st.sampled_from(SCOPES)),
        notes_order=draw(st.sampled_from(["break_first", "notes_first"])),
        notes_backlog_days=draw(st.integers(1, 30)),
        notes_end_of_day=draw(st.booleans()),
        wrap_up_minutes=draw(st.sampled_from([0, 0, 3, 5, 10, 12, 15])),
        wrap_up_applies_to=draw(st.sampled_from(SCOPES)),
    )
    # Short sessions now and then, where a wrap-up cue would fall in the session's first half.
    short = st.sampled_from([None, None, 16, 20, 24])
    appts = [
        replace(a, notes_done=draw(st.booleans()), end=a.start + timedelta(minutes=minutes))
        if (minutes := draw(short)) is not None
        else replace(a, notes_done=draw(st.booleans()))
        for a in appts
    ]
    if draw(st.booleans()):  # sessions with short gaps soon after now: notes may not fit
        at = now + timedelta(minutes=5 * draw(st.integers(0, 36)))
        for n in range(draw(st.integers(2, 4))):
            length = timedelta(minutes=draw(st.sampled_from([20, 45, 50])))
            intense, telehealth = draw(st.booleans()), draw(st.booleans())
            appts.append(
                AppointmentIn(f"gap{n}", at, at + length, intense=intense, telehealth=telehealth)
            )
            at += length + timedelta(minutes=draw(st.sampled_from([0, 2, 5, 10, 12, 15, 25])))
    sessions = [a for a in appts if a.kind == "session" and not a.all_day]
    held = []
    for n in range(draw(st.integers(0, 4))):
        length = timedelta(minutes=draw(st.sampled_from([5, 10, 10, 15, 30, 60])))
        where = draw(st.sampled_from(["after", "before", "anywhere"])) if sessions else "anywhere"
        if where == "after":
            start = draw(st.sampled_from(sessions)).end
        elif where == "before":
            start = draw(st.sampled_from(sessions)).start - length
        else:
            start = now + timedelta(minutes=5 * draw(st.integers(-12 * 12, 60 * 12)))
        held.append(HeldInterval(f"held:{n}", start, start + length))
    return [*appts, *held_as_busy(held)], care_plan, tz, now, horizon


def _timed(appts: list[AppointmentIn]) -> list[AppointmentIn]:
    return [a for a in appts if not a.all_day and a.end > a.start]


def _own_session(r: PlannedReminder, appts: list[AppointmentIn]) -> AppointmentIn:
    [own] = {(a.start, a.end): a for a in appts if a.identity == r.anchor}.values()
    assert own.kind == "session"
    return own


@PROFILE
@given(with_held_time())
def test_nothing_inside_held_time_or_a_session_and_no_expiry_past_the_next_start(
    case: Case,
) -> None:
    appts, care_plan, tz, now, horizon = case
    reminders = plan(appts, care_plan, tz, now, horizon)
    busy = _timed(appts)
    for r in reminders:
        if r.kind == "wrap_up":
            own = _own_session(r, busy)
            assert own.start + (own.end - own.start) / 2 <= r.due_at < own.end, r
            assert r.expires_at <= own.end
            others = [b for b in busy if (b.start, b.end) != (own.start, own.end)]
            assert not any(b.start <= r.due_at < b.end for b in others), r
        else:
            inside = [b for b in busy if b.start <= r.due_at < b.end]
            assert not inside, (r, inside)
        # Expiry: never after the next session, other event or held time begins.
        later = [b.start for b in busy if b.start > r.due_at]
        assert not later or r.expires_at <= min(later), r
        # Held time is busy time, never a session: it anchors nothing.
        assert r.anchor is None or not r.anchor.startswith("held:")
        if r.kind == "notes" or r.notes_minutes > 0:
            assert care_plan.notes_minutes > 0 and r.notes_minutes == care_plan.notes_minutes
            # Notes come after the session they are for, and the gap holds both segments.
            assert r.due_at >= _own_session(r, busy).end, r
            segments = timedelta(minutes=r.duration_minutes + r.notes_minutes)
            assert r.due_at + segments <= r.expires_at, r


@PROFILE
@given(with_held_time(), st.randoms(use_true_random=False))
def test_the_same_plan_whatever_the_order_of_sessions_events_and_held_time(
    case: Case, shuffler: random.Random
) -> None:
    appts, care_plan, tz, now, horizon = case
    first = plan(appts, care_plan, tz, now, horizon)
    shuffled = list(appts)
    shuffler.shuffle(shuffled)
    assert plan(shuffled, care_plan, tz, now, horizon) == first
    assert plan(tuple(reversed(appts)), care_plan, tz, now, horizon) == first
    reordered = replace(care_plan, rules=care_plan.rules[::-1], rituals=care_plan.rituals[::-1])
    assert plan(appts, reordered, tz, now, horizon) == first


@PROFILE
@given(with_held_time(), st.integers(1, 48 * 60))
def test_replanning_later_with_held_time_only_drops_expired_reminders(
    case: Case, minutes: int
) -> None:
    appts, care_plan, tz, now, horizon = case
    later = now + timedelta(minutes=minutes)
    end = max(horizon, later)
    early = plan(appts, care_plan, tz, now, end)
    assert plan(appts, care_plan, tz, later, end) == [r for r in early if r.expires_at > later]
