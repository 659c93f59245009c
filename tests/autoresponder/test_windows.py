"""The next reply window and closed periods: DST, midnight, week boundaries, time off."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from interlude.autoresponder.windows import (
    Interval,
    Schedule,
    closed_periods,
    current_or_next_closed,
    is_open,
    next_window,
    offset_periods,
)
from interlude.planner.types import ResponseWindowIn, TimeOffIn

NY = ZoneInfo("America/New_York")
WEEKDAY_MORNINGS = tuple(ResponseWindowIn(d, time(9), time(9, 30)) for d in range(5))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone)


def test_inside_a_window_the_next_window_is_the_current_one() -> None:
    schedule = Schedule(WEEKDAY_MORNINGS, (), NY)
    now = local(NY, 2026, 11, 23, 9, 10)
    window = next_window(schedule, now)
    assert window == Interval(utc(2026, 11, 23, 14), utc(2026, 11, 23, 14, 30))
    assert is_open(schedule, now)


def test_window_end_is_exclusive() -> None:
    schedule = Schedule(WEEKDAY_MORNINGS, (), NY)
    closing = local(NY, 2026, 11, 23, 9, 30)
    assert not is_open(schedule, closing)
    assert next_window(schedule, closing) == Interval(
        utc(2026, 11, 24, 14), utc(2026, 11, 24, 14, 30)
    )


def test_friday_evening_skips_the_weekend() -> None:
    schedule = Schedule(WEEKDAY_MORNINGS, (), NY)
    window = next_window(schedule, local(NY, 2026, 11, 27, 17, 5))
    assert window is not None and window.start == local(NY, 2026, 11, 30, 9)


def test_spring_forward_moves_the_utc_start_by_an_hour() -> None:
    schedule = Schedule(WEEKDAY_MORNINGS, (), NY)
    window = next_window(schedule, local(NY, 2027, 3, 12, 18))
    assert window is not None
    assert window.start == utc(2027, 3, 15, 13)  # 09:00 EDT
    before = next_window(schedule, local(NY, 2027, 3, 11, 18))
    assert before is not None and before.start == utc(2027, 3, 12, 14)  # 09:00 EST


def test_fall_back_and_a_window_in_the_repeated_hour() -> None:
    schedule = Schedule((ResponseWindowIn(6, time(1, 15), time(1, 45)),), (), NY)
    window = next_window(schedule, local(NY, 2026, 10, 31, 12))
    # 01:15 happens twice on 1 Nov 2026; the first (EDT) occurrence is used.
    assert window == Interval(utc(2026, 11, 1, 5, 15), utc(2026, 11, 1, 5, 45))


def test_a_window_in_the_skipped_hour_moves_past_the_gap() -> None:
    schedule = Schedule((ResponseWindowIn(6, time(2, 15), time(3, 30)),), (), NY)
    window = next_window(schedule, local(NY, 2027, 3, 13, 12))
    assert window is not None
    assert window.start == utc(2027, 3, 14, 7, 15)  # 02:15 does not exist: 03:15 EDT
    assert window.end == utc(2027, 3, 14, 7, 30)  # 03:30 EDT


def test_adjacent_windows_across_midnight_merge() -> None:
    schedule = Schedule(
        (ResponseWindowIn(6, time(23, 0), time(23, 59)), ResponseWindowIn(0, time(0), time(0, 30))),
        (),
        NY,
    )
    window = next_window(schedule, local(NY, 2026, 11, 29, 12))
    assert window is not None
    assert window.start == local(NY, 2026, 11, 29, 23)
    assert window.end == local(NY, 2026, 11, 30, 0, 30)


def test_time_off_removes_windows_and_next_window_waits() -> None:
    schedule = Schedule(
        WEEKDAY_MORNINGS, (TimeOffIn(date(2026, 12, 21), date(2027, 1, 1), "pto"),), NY
    )
    window = next_window(schedule, local(NY, 2026, 12, 18, 12))
    assert window is not None and window.start == local(NY, 2027, 1, 4, 9)
    assert not is_open(schedule, local(NY, 2026, 12, 22, 9, 10))


def test_no_windows_means_no_next_window() -> None:
    schedule = Schedule((), (), NY)
    assert next_window(schedule, utc(2026, 11, 23, 14)) is None
    assert current_or_next_closed(schedule, utc(2026, 11, 23, 14)) is None


def test_current_or_next_closed_period() -> None:
    schedule = Schedule(WEEKDAY_MORNINGS, (), NY)
    # Inside Monday's window: the period after it, until Tuesday's window.
    period = current_or_next_closed(schedule, local(NY, 2026, 11, 23, 9, 10))
    assert period == Interval(local(NY, 2026, 11, 23, 9, 30), local(NY, 2026, 11, 24, 9))
    # Saturday: the period that began Friday 09:30 and ends Monday 09:00.
    period = current_or_next_closed(schedule, local(NY, 2026, 11, 28, 12))
    assert period == Interval(local(NY, 2026, 11, 27, 9, 30), local(NY, 2026, 11, 30, 9))


def test_closed_periods_are_the_gaps() -> None:
    schedule = Schedule(WEEKDAY_MORNINGS, (), NY)
    start, end = local(NY, 2026, 11, 27, 0), local(NY, 2026, 11, 30, 12)
    gaps = closed_periods(schedule, start, end)
    assert gaps == [
        Interval(start, local(NY, 2026, 11, 27, 9)),
        Interval(local(NY, 2026, 11, 27, 9, 30), local(NY, 2026, 11, 30, 9)),
        Interval(local(NY, 2026, 11, 30, 9, 30), end),
    ]


def test_offset_periods_find_dst_changes() -> None:
    periods = offset_periods(NY, utc(2026, 11, 23), utc(2026, 11, 23) + timedelta(days=400))
    assert [p.start for p in periods] == [None, utc(2027, 3, 14, 7), utc(2027, 11, 7, 6)]
    assert [p.offset for p in periods] == [
        timedelta(hours=-5),
        timedelta(hours=-4),
        timedelta(hours=-5),
    ]
    southern = offset_periods(ZoneInfo("Australia/Sydney"), utc(2026, 11, 23), utc(2027, 11, 1))
    assert [p.start for p in southern][1:] == [utc(2027, 4, 3, 16), utc(2027, 10, 2, 16)]
    assert len(offset_periods(ZoneInfo("Asia/Kolkata"), utc(2026, 1, 1), utc(2027, 1, 1))) == 1
