"""Daylight-saving time: local wall-clock rules stay local, gaps and repeats are handled."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from interlude.core.timezones import local_to_utc
from interlude.planner import AppointmentIn, plan
from tests.planner.factories import LONDON, NY, SYDNEY, care, rule, session

ALL_WEEK = (0, 1, 2, 3, 4, 5, 6)


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "before", "after"),
    [
        (NY, date(2027, 3, 12), date(2027, 3, 15)),  # spring forward on Sunday 14 March
        (NY, date(2026, 10, 30), date(2026, 11, 2)),  # fall back on Sunday 1 November
        (LONDON, date(2027, 3, 26), date(2027, 3, 29)),  # 28 March
        (LONDON, date(2026, 10, 23), date(2026, 10, 26)),  # 25 October
        (SYDNEY, date(2026, 10, 2), date(2026, 10, 5)),  # 4 October
        (SYDNEY, date(2027, 4, 2), date(2027, 4, 5)),  # 4 April
    ],
)
def test_fixed_time_break_stays_at_local_wall_clock_across_a_transition(
    tz: ZoneInfo, before: date, after: date
) -> None:
    lunch = rule(id="lunch", trigger="fixed_time", at_time=time(12, 30))
    now = local_to_utc(before, time(0), tz)
    reminders = plan([], care(rules=(lunch,)), tz, now, local_to_utc(after, time(23), tz))
    local_dues = [r.due_at.astimezone(tz) for r in reminders]
    assert [d.date() for d in local_dues] == [before, after]
    assert {(d.hour, d.minute) for d in local_dues} == {(12, 30)}
    # The UTC instants differ by the change of offset, not by exactly N days.
    offsets = {d.utcoffset() for d in local_dues}
    assert len(offsets) == 2


def test_nonexistent_local_time_is_moved_forward_by_the_gap() -> None:
    # New York, Sunday 14 March 2027: 02:00 -> 03:00. 02:30 does not exist.
    early = rule(id="early", trigger="fixed_time", at_time=time(2, 30))
    plan_ = care(rules=(early,), working_days=ALL_WEEK, working_start=time(0), working_end=time(6))
    reminders = plan([], plan_, NY, _utc(2027, 3, 14, 0), _utc(2027, 3, 14, 12))
    assert [r.due_at for r in reminders] == [_utc(2027, 3, 14, 7, 30)]  # 03:30 EDT
    assert reminders[0].due_at.astimezone(NY).strftime("%H:%M %Z") == "03:30 EDT"


def test_ambiguous_local_time_is_its_first_occurrence() -> None:
    # New York, Sunday 1 November 2026: 01:00-02:00 happens twice; 01:30 is the EDT one.
    early = rule(id="early", trigger="fixed_time", at_time=time(1, 30))
    plan_ = care(rules=(early,), working_days=ALL_WEEK, working_start=time(0), working_end=time(6))
    reminders = plan([], plan_, NY, _utc(2026, 11, 1, 0), _utc(2026, 11, 1, 12))
    assert [r.due_at for r in reminders] == [_utc(2026, 11, 1, 5, 30)]  # 01:30 EDT


def test_interval_ticks_follow_the_wall_clock_through_the_spring_gap() -> None:
    hourly = rule(id="hourly", trigger="interval", every_minutes=60)
    plan_ = care(rules=(hourly,), working_days=ALL_WEEK, working_start=time(0), working_end=time(5))
    reminders = plan([], plan_, NY, _utc(2027, 3, 14, 0), _utc(2027, 3, 14, 12))
    # 01:00 EST, 02:00 (nonexistent -> 03:00 EDT, the same instant as 03:00), 04:00 EDT.
    assert [r.due_at.astimezone(NY).strftime("%H:%M") for r in reminders] == [
        "01:00",
        "03:00",
        "04:00",
    ]
    assert len({r.key for r in reminders}) == 3


def test_micro_break_across_fall_back_uses_real_elapsed_time() -> None:
    # New York falls back at 02:00 EDT on Sunday 1 November 2026: 01:00-02:00 happens twice.
    first = session("00:30", 60, day=date(2026, 11, 1), tz=NY)  # 00:30 EDT - 01:30 EDT
    # 01:00 EST, the second 01:00: on the wall clock it starts "before" the first one ends.
    second = AppointmentIn(
        identity="second", start=_utc(2026, 11, 1, 6, 0), end=_utc(2026, 11, 1, 6, 50)
    )
    plan_ = care(working_days=ALL_WEEK)
    reminders = plan([first, second], plan_, NY, _utc(2026, 11, 1, 0), _utc(2026, 11, 2, 0))
    assert reminders[0].due_at == _utc(2026, 11, 1, 5, 30)
    assert reminders[0].expires_at == _utc(2026, 11, 1, 6, 0)
    assert reminders[0].body.endswith("Next session in 30 minutes.")


def test_heads_up_at_19_local_on_the_evening_of_a_transition() -> None:
    run_ = [session(t, 50, day=date(2026, 11, 2), tz=NY) for t in ("13:00", "13:50", "14:40")]
    reminders = plan(run_, care(rules=()), NY, _utc(2026, 10, 31, 12), _utc(2026, 11, 3, 0))
    assert [r.due_at for r in reminders] == [_utc(2026, 11, 2, 0, 0)]  # 19:00 EST on 1 Nov
    assert reminders[0].due_at.astimezone(NY).strftime("%a %H:%M") == "Sun 19:00"
    assert reminders[0].expires_at - reminders[0].due_at == timedelta(hours=5)
