"""Properties of the day indicators over random session layouts (any zone, any day)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from interlude.wellbeing.indicators import (
    AppointmentFact,
    BreakFact,
    WorkingHours,
    daily_load,
    weekly_load,
)

ZONES = st.sampled_from(["America/New_York", "Europe/London", "Asia/Tokyo", "Australia/Lord_Howe"])
BASE = datetime(2026, 3, 1, tzinfo=UTC)  # spans the March DST changes
sessions = st.lists(
    st.tuples(st.integers(0, 60 * 24 * 20), st.integers(10, 120)).map(
        lambda t: AppointmentFact(
            start=BASE + timedelta(minutes=t[0]),
            end=BASE + timedelta(minutes=t[0] + t[1]),
        )
    ),
    max_size=40,
)
outcomes = st.sampled_from(["taken", "skipped", "snoozed", "unanswered"])
breaks = st.lists(
    st.tuples(st.integers(0, 60 * 24 * 20), outcomes).map(
        lambda t: BreakFact("micro_break", BASE + timedelta(minutes=t[0]), True, t[1])
    ),
    max_size=40,
)


@given(sessions, breaks, ZONES)
def test_every_session_and_break_is_counted_once(appointments, planned, zone_name):
    zone = ZoneInfo(zone_name)
    days = daily_load(
        start=date(2026, 2, 27),
        end=date(2026, 3, 23),
        zone=zone,
        appointments=appointments,
        breaks=planned,
        hours=WorkingHours(),
    )
    assert sum(d.sessions for d in days) == len(appointments)
    assert sum(d.session_minutes for d in days) == sum(
        round((a.end - a.start).total_seconds() / 60) for a in appointments
    )
    assert sum(d.breaks_planned for d in days) == len(planned)
    for day in days:
        assert 0 <= day.longest_run <= day.sessions
        assert (day.longest_run == 0) == (day.sessions == 0)
        assert day.outside_hours <= day.sessions
        assert day.break_minutes >= 0
        assert day.breaks_planned == (
            day.breaks_taken + day.breaks_skipped + day.breaks_snoozed + day.breaks_unanswered
        )
    weeks = weekly_load(days)
    assert sum(w.sessions for w in weeks) == len(appointments)
    assert all(w.week_start.weekday() == 0 for w in weeks)
