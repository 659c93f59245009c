"""Load and adherence indicators: pure functions, no database, no clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from interlude.core.timezones import week_start
from interlude.wellbeing.indicators import (
    AppointmentFact,
    BreakFact,
    CheckInFact,
    WorkingHours,
    daily_energy,
    daily_load,
    gaps_between,
    is_outside_hours,
    longest_back_to_back,
    ran_over_share,
    sessions_only,
    trailing_average,
    weekly_load,
)

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")


def local(day: date, hour: int, minute: int = 0, zone: ZoneInfo = NY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def session(day: date, hour: int, minute: int = 0, minutes: int = 50, zone: ZoneInfo = NY):
    start = local(day, hour, minute, zone)
    return AppointmentFact(start=start, end=start + timedelta(minutes=minutes))


MONDAY = date(2026, 11, 23)


def test_no_data_gives_empty_days():
    days = daily_load(
        start=MONDAY,
        end=MONDAY + timedelta(days=6),
        zone=NY,
        appointments=[],
        breaks=[],
        hours=WorkingHours(),
    )
    assert [d.date for d in days] == [MONDAY + timedelta(days=n) for n in range(7)]
    assert all(d.sessions == 0 and d.longest_run == 0 and d.breaks_planned == 0 for d in days)
    assert all(d.shortest_gap_minutes is None for d in days)
    assert longest_back_to_back([]) == 0
    assert gaps_between([]) == []
    assert weekly_load([]) == []


def test_one_day_of_sessions():
    # 9:00, 10:00, 11:00 (10-minute gaps: not back to back), 12:00 and 12:55 (5 minutes).
    appointments = [
        session(MONDAY, 9),
        session(MONDAY, 10),
        session(MONDAY, 11),
        session(MONDAY, 12),
        session(MONDAY, 12, 55),
    ]
    [day] = daily_load(
        start=MONDAY,
        end=MONDAY,
        zone=NY,
        appointments=appointments,
        breaks=[],
        hours=WorkingHours(),
    )
    assert day.sessions == 5
    assert day.session_minutes == 250
    assert day.longest_run == 2
    assert day.break_minutes == 10 + 10 + 10 + 5
    assert day.shortest_gap_minutes == 5
    assert day.outside_hours == 0


def test_back_to_back_counts_gaps_under_ten_minutes_and_overlaps():
    runs = sessions_only(
        [
            session(MONDAY, 9),
            session(MONDAY, 9, 55),
            session(MONDAY, 10, 50),
            session(MONDAY, 11, 30),
        ]  # overlaps the previous one
    )
    assert longest_back_to_back(runs) == 4
    assert gaps_between(runs) == [5, 5, 0]


def test_all_day_and_other_events_carry_no_load():
    other = AppointmentFact(start=local(MONDAY, 9), end=local(MONDAY, 10), kind="other")
    all_day = AppointmentFact(
        start=datetime(2026, 11, 23, tzinfo=UTC),
        end=datetime(2026, 11, 24, tzinfo=UTC),
        all_day=True,
    )
    assert sessions_only([other, all_day]) == []


def test_outside_working_hours():
    hours = WorkingHours(days=(0, 1, 2, 3), start=time(9), end=time(17))
    assert not is_outside_hours(session(MONDAY, 9), NY, hours)
    assert is_outside_hours(session(MONDAY, 8, 30), NY, hours)  # starts early
    assert is_outside_hours(session(MONDAY, 16, 30), NY, hours)  # ends 17:20
    assert is_outside_hours(session(MONDAY + timedelta(days=4), 10), NY, hours)  # Friday
    assert is_outside_hours(session(MONDAY, 23, 30), NY, hours)  # runs past midnight


def test_session_belongs_to_the_local_date_it_starts_on():
    # 23:30 New York on Monday is 04:30 UTC on Tuesday.
    late = session(MONDAY, 23, 30)
    days = daily_load(
        start=MONDAY,
        end=MONDAY + timedelta(days=1),
        zone=NY,
        appointments=[late],
        breaks=[],
        hours=WorkingHours(),
    )
    assert [d.sessions for d in days] == [1, 0]


def test_time_zone_change_rebuckets_sessions_by_the_zone_given():
    # 20:00 New York on Monday is 10:00 Tuesday in Tokyo: a user who moved sees it on Tuesday.
    evening = session(MONDAY, 20)
    in_ny = daily_load(
        start=MONDAY,
        end=MONDAY + timedelta(days=1),
        zone=NY,
        appointments=[evening],
        breaks=[],
        hours=WorkingHours(),
    )
    in_tokyo = daily_load(
        start=MONDAY,
        end=MONDAY + timedelta(days=1),
        zone=TOKYO,
        appointments=[evening],
        breaks=[],
        hours=WorkingHours(),
    )
    assert [d.sessions for d in in_ny] == [1, 0]
    assert [d.outside_hours for d in in_ny] == [1, 0]
    assert [d.sessions for d in in_tokyo] == [0, 1]
    assert [d.outside_hours for d in in_tokyo] == [0, 0]


def test_dst_week_durations_are_real_minutes():
    # Europe/London falls back on Sunday 25 October 2026: a 01:30 session there is in the
    # repeated hour; every session is still 50 real minutes and lands on the right day.
    sunday = date(2026, 10, 25)
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 01:30 GMT, an hour later
    appointments = [
        AppointmentFact(start=first, end=first + timedelta(minutes=50)),
        AppointmentFact(start=second, end=second + timedelta(minutes=50)),
    ]
    days = daily_load(
        start=sunday - timedelta(days=6),
        end=sunday,
        zone=LONDON,
        appointments=appointments,
        breaks=[],
        hours=WorkingHours(),
    )
    assert days[-1].sessions == 2
    assert days[-1].session_minutes == 100
    assert days[-1].break_minutes == 10  # real minutes, though the wall clock repeats
    [week] = weekly_load(days)
    assert week.week_start == date(2026, 10, 19)
    assert week.sessions == 2


def test_dst_spring_forward_week_in_new_york():
    # 8 March 2026: clocks jump from 02:00 to 03:00. A 09:00 session that day is 13:00 UTC.
    sunday = date(2026, 3, 8)
    appointments = [session(sunday, 9), session(date(2026, 3, 9), 9)]
    days = daily_load(
        start=date(2026, 3, 2),
        end=date(2026, 3, 15),
        zone=NY,
        appointments=appointments,
        breaks=[],
        hours=WorkingHours(),
    )
    weeks = weekly_load(days)
    assert [w.week_start for w in weeks] == [date(2026, 3, 2), date(2026, 3, 9)]
    assert [w.sessions for w in weeks] == [1, 1]
    assert [w.outside_hours for w in weeks] == [1, 0]  # the Sunday one is not a working day
    assert appointments[0].start.hour == 13


def test_breaks_planned_taken_skipped_snoozed():
    due = local(MONDAY, 10)
    breaks = [
        BreakFact("micro_break", due, delivered=True, outcome="taken"),
        BreakFact("fixed_break", due, delivered=True, outcome="skipped"),
        BreakFact("interval_break", due, delivered=True, outcome="snoozed"),
        BreakFact("transition_ritual", due, delivered=False, outcome="unanswered"),
        BreakFact("response_window_open", due, delivered=True, outcome="taken"),  # not a break
        BreakFact("micro_break", local(MONDAY + timedelta(days=9), 10), delivered=True),
    ]
    sent = [due, due, local(MONDAY, 18), local(MONDAY + timedelta(days=1), 9)]
    days = daily_load(
        start=MONDAY,
        end=MONDAY + timedelta(days=1),
        zone=NY,
        appointments=[],
        breaks=breaks,
        hours=WorkingHours(),
        delivered_reminders=sent,
    )
    monday = days[0]
    assert (
        monday.breaks_planned,
        monday.breaks_taken,
        monday.breaks_skipped,
        monday.breaks_snoozed,
        monday.breaks_unanswered,
    ) == (4, 1, 1, 1, 1)
    assert [d.reminders_delivered for d in days] == [3, 1]
    [week] = weekly_load(days)
    assert week.breaks_planned == 4 and week.reminders_delivered == 4


def test_week_start_is_monday():
    assert week_start(date(2026, 11, 29)) == MONDAY
    assert week_start(MONDAY) == MONDAY


def test_daily_energy_averages_several_check_ins_and_trailing_average_skips_gaps():
    checkins = [
        CheckInFact(MONDAY, 4),
        CheckInFact(MONDAY, 6),
        CheckInFact(MONDAY + timedelta(days=2), 8),
    ]
    energy = daily_energy(checkins)
    assert energy == {MONDAY: 5.0, MONDAY + timedelta(days=2): 8.0}
    assert trailing_average(energy, MONDAY + timedelta(days=2)) == 6.5
    assert trailing_average(energy, MONDAY + timedelta(days=2), min_days=3) is None
    assert trailing_average(energy, MONDAY - timedelta(days=1)) is None
    assert trailing_average({}, MONDAY) is None


def test_ran_over_counts_per_day_and_the_share_of_ended_sessions():
    over = AppointmentFact(start=local(MONDAY, 9), end=local(MONDAY, 9, 50), ran_over=True)
    later = AppointmentFact(
        start=local(MONDAY, 15), end=local(MONDAY, 15, 50), ran_over=True
    )  # marked ahead of time: counted for its day, not in the share until it has ended
    other = AppointmentFact(
        start=local(MONDAY, 12), end=local(MONDAY, 13), kind="other", ran_over=True
    )
    appointments = [over, session(MONDAY, 10), session(MONDAY, 11), later, other]
    [day] = daily_load(
        start=MONDAY,
        end=MONDAY,
        zone=NY,
        appointments=appointments,
        breaks=[],
        hours=WorkingHours(),
    )
    assert day.ran_over == 2
    assert weekly_load([day])[0].ran_over == 2
    assert ran_over_share(appointments, until=local(MONDAY, 14)) == (3, 1, 0.33)
    assert ran_over_share(appointments, until=local(MONDAY, 16)) == (4, 2, 0.5)
    assert ran_over_share(appointments, until=local(MONDAY, 9)) == (0, 0, None)
