"""Property-based: whatever the week holds, a suggestion is 10 free, future minutes right
next to the stretch it relieves, on a working day that needs it; the view is stable. The
expected notes backlog matches the gap rule, written out here as an oracle."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from interlude.planner import AppointmentIn, CarePlanIn, MicroBreakRuleIn
from interlude.week_ahead.analysis import (
    BREAK_AT_LEAST,
    HOLD_LENGTH,
    Interval,
    Week,
    notes_left_over,
    week_ahead,
)
from tests.planner.factories import LONDON, NY, SYDNEY
from tests.planner.test_properties import PROFILE

FIRST = date(2027, 3, 8)  # the week of New York's spring-forward (14 March)
DAYS = [FIRST + timedelta(days=n) for n in range(7)]


@st.composite
def weeks(draw: st.DrawFn):  # type: ignore[no-untyped-def]
    tz = draw(st.sampled_from([NY, LONDON, SYDNEY]))

    def interval(max_minutes: int) -> Interval:
        day = draw(st.sampled_from(DAYS))
        local = datetime.combine(day, time(7)) + timedelta(minutes=5 * draw(st.integers(0, 170)))
        start = local.replace(tzinfo=tz).astimezone(UTC)
        return Interval(start, start + timedelta(minutes=draw(st.integers(5, max_minutes))))

    sessions = [interval(60) for _ in range(draw(st.integers(0, 25)))]
    other = [interval(120) for _ in range(draw(st.integers(0, 5)))]
    off = frozenset(draw(st.sets(st.sampled_from(DAYS), max_size=2)))
    now = datetime.combine(FIRST, time(0), tzinfo=UTC) + timedelta(hours=draw(st.integers(-24, 96)))
    return tz, sessions, other, off, now


@PROFILE
@given(weeks(), st.randoms(use_true_random=False))
def test_suggestions_hold_free_future_time_next_to_their_stretch(case, shuffler) -> None:  # type: ignore[no-untyped-def]
    tz, sessions, other, off, now = case
    result = week_ahead(
        days=DAYS, zone=tz, now=now, sessions=sessions, other_busy=other, time_off=off, held=[]
    )
    busy = [*sessions, *other]
    by_day = {d.day: d for d in result.days}
    for s in result.suggestions:
        assert s.end - s.start == HOLD_LENGTH
        assert s.start >= now
        assert all(b.end <= s.start or b.start >= s.end for b in busy), s
        assert s.start == s.stretch_end if s.position == "after" else s.end == s.stretch_start
        day = by_day[s.day]
        assert not day.time_off
        assert day.runs or day.no_break
        assert s.held_id is None
    for day in result.days:
        if day.longest_break_minutes is not None:
            assert day.no_break == (day.longest_break_minutes < BREAK_AT_LEAST.seconds // 60)
        assert sum(r.session_count for r in day.runs) <= day.session_count
    assert sum(d.session_count for d in result.days) == sum(
        1 for s in sessions if s.start.astimezone(tz).date() in DAYS
    )
    # Stable: the same view whatever order the calendar lists its events in.
    shuffled = list(sessions)
    shuffler.shuffle(shuffled)
    again = week_ahead(
        days=DAYS, zone=tz, now=now, sessions=shuffled, other_busy=other, time_off=off, held=[]
    )
    assert again == result


@st.composite
def notes_weeks(draw: st.DrawFn) -> tuple[ZoneInfo, list[AppointmentIn], CarePlanIn]:
    """Sessions that never overlap, with gaps of every size, one care-plan break rule that
    fits any gap, notes time on, and nothing else that could take a reminder away."""
    tz = draw(st.sampled_from([NY, LONDON, SYDNEY]))
    sessions: list[AppointmentIn] = []
    for day in DAYS:
        local = datetime.combine(day, time(7)) + timedelta(minutes=5 * draw(st.integers(0, 60)))
        at = local.replace(tzinfo=tz).astimezone(UTC)
        for _ in range(draw(st.integers(0, 5))):
            length = timedelta(minutes=draw(st.sampled_from([30, 45, 50, 60])))
            sessions.append(AppointmentIn(f"s{len(sessions)}", at, at + length))
            gap = draw(st.sampled_from([0, 3, 5, 10, 12, 15, 20, 30, 45, 90]))
            at += length + timedelta(minutes=gap)
    care_plan = CarePlanIn(
        rules=(
            MicroBreakRuleIn(
                id="r", min_gap_minutes=0, duration_minutes=draw(st.sampled_from([1, 2, 5]))
            ),
        ),
        daily_cap=100,
        working_days=(0, 1, 2, 3, 4, 5, 6),
        working_start=time(0),
        working_end=draw(st.sampled_from([time(17), time(19), time(23, 59)])),
        notes_minutes=draw(st.sampled_from([5, 10, 20])),
        notes_end_of_day=draw(st.booleans()),
    )
    return tz, sessions, care_plan


@PROFILE
@given(notes_weeks(), st.randoms(use_true_random=False))
def test_the_expected_notes_backlog_is_every_session_whose_gap_cannot_hold_break_and_notes(
    case: tuple[ZoneInfo, list[AppointmentIn], CarePlanIn], shuffler: random.Random
) -> None:
    """An oracle written from the rule, against the planner's own answer: a session's notes
    fit when the break and the notes end by the next session (the day's last session: within
    the 30 minutes its break lives, and by the end of working hours)."""
    tz, sessions, care_plan = case
    need = timedelta(minutes=care_plan.rules[0].duration_minutes + care_plan.notes_minutes)
    expected = {d: 0 for d in DAYS}
    for s in sessions:
        day = s.start.astimezone(tz).date()
        later = [
            o.start for o in sessions if o.start >= s.end and o.start.astimezone(tz).date() == day
        ]
        if later:
            fits = s.end + need <= min(later)
        else:
            working_end = datetime.combine(day, care_plan.working_end).replace(tzinfo=tz)
            fits = need <= timedelta(minutes=30) and s.end + need <= working_end
        expected[day] += not fits

    def view(appointments: list[AppointmentIn], plan_of_care: CarePlanIn) -> Week:
        left = notes_left_over(
            appointments=appointments, commitments=[], care_plan=plan_of_care, zone=tz, days=DAYS
        )
        return week_ahead(
            days=DAYS,
            zone=tz,
            now=datetime.combine(FIRST, time(0), tzinfo=UTC) - timedelta(days=1),
            sessions=[Interval(s.start, s.end) for s in appointments],
            other_busy=[],
            time_off=frozenset(),
            held=[],
            notes_left=left,
        )

    result = view(sessions, care_plan)
    assert {d.day: d.expected_notes_backlog for d in result.days} == expected
    by_day = {d.day: d for d in result.days}
    for hold in result.suggestions:
        day_backlog = by_day[hold.day].expected_notes_backlog
        assert hold.expected_notes_backlog <= min(hold.session_count, day_backlog)
    shuffled = list(sessions)
    shuffler.shuffle(shuffled)
    assert view(shuffled, care_plan) == result
    off = view(sessions, replace(care_plan, notes_minutes=0))
    assert all(d.expected_notes_backlog == 0 for d in off.days)
    assert all(hold.expected_notes_backlog == 0 for hold in off.suggestions)
