"""Property-based: whatever the week holds, a suggestion is 10 free, future minutes right
next to the stretch it relieves, on a working day that needs it; the view is stable."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from interlude.week_ahead.analysis import BREAK_AT_LEAST, HOLD_LENGTH, Interval, week_ahead
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
