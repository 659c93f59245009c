"""Example-based tests for the care plan's own clock and the global rules."""

from __future__ import annotations

from datetime import date, time, timedelta

from interlude.planner import ResponseWindowIn, TimeOffIn, plan
from interlude.planner.candidates import reminder_key
from tests.planner.factories import NY, TUESDAY, at, care, local, ritual, rule, run, session

WEDNESDAY = TUESDAY + timedelta(days=1)
SATURDAY = date(2026, 11, 28)


def test_fixed_time_break_on_working_days_inside_working_hours_only() -> None:
    lunch = rule(id="lunch", trigger="fixed_time", at_time=time(12, 30), activity="step_outside")
    reminders = run([], care(rules=(lunch,)), days=6)  # Mon 09:00 .. Sun 09:00
    assert local(reminders) == [
        ("fixed_break", f"{d} 12:30", f"{d} 13:00") for d in ("Mon", "Tue", "Wed", "Thu", "Fri")
    ]
    assert reminders[0].body == "Step outside for a little fresh air."
    assert reminders[0].anchor is None
    evening = rule(id="evening", trigger="fixed_time", at_time=time(18, 30))
    assert run([], care(rules=(evening,))) == []


def test_fixed_time_break_inside_a_session_slides_to_its_end() -> None:
    lunch = rule(id="lunch", trigger="fixed_time", at_time=time(12, 30))
    reminders = run([session("12:00", 50)], care(rules=(lunch,)), now=at(TUESDAY, "08:00"), days=1)
    assert local(reminders) == [("fixed_break", "Tue 12:50", "Tue 13:20")]


def test_fixed_time_break_that_slides_out_of_working_hours_is_dropped() -> None:
    late = rule(id="late", trigger="fixed_time", at_time=time(17, 30))
    reminders = run([session("17:15", 50)], care(rules=(late,)), now=at(TUESDAY, "08:00"), days=1)
    assert reminders == []


def test_fixed_break_close_to_a_micro_break_is_dropped() -> None:
    lunch = rule(id="lunch", trigger="fixed_time", at_time=time(12, 30))
    reminders = run(
        [session("11:30", 50)], care(rules=(rule(), lunch)), now=at(TUESDAY, "08:00"), days=1
    )
    assert local(reminders) == [("micro_break", "Tue 12:20", "Tue 12:50")]


def test_interval_break_ticks_inside_working_hours_and_skips_busy_ticks() -> None:
    every = rule(id="every", trigger="interval", every_minutes=120, activity="water")
    plan_ = care(rules=(every,), working_start=time(9, 0), working_end=time(17, 0))
    reminders = run([session("12:45", 50)], plan_, now=at(TUESDAY, "08:00"), days=1)
    assert local(reminders) == [
        ("interval_break", "Tue 11:00", "Tue 11:30"),
        # 13:00 is inside the session: skipped, not moved.
        ("interval_break", "Tue 15:00", "Tue 15:30"),
    ]


def test_response_window_open_and_close() -> None:
    window = ResponseWindowIn(weekday=1, start=time(12, 0), end=time(12, 30))
    reminders = run([], care(windows=(window,), notify_window_close=True))
    assert local(reminders) == [
        ("response_window_open", "Tue 12:00", "Tue 12:30"),
        ("response_window_close", "Tue 12:30", "Tue 12:45"),
    ]
    assert reminders[0].title == "Response window open"
    assert reminders[0].body == "Messages: 30 minutes, then you're off"
    assert reminders[1].body == "That's it for messages — you're off."
    assert [r.kind for r in run([], care(windows=(window,)))] == ["response_window_open"]


def test_response_window_may_run_past_midnight() -> None:
    window = ResponseWindowIn(weekday=1, start=time(20, 0), end=time(0, 30))
    assert local(run([], care(windows=(window,), notify_window_close=True))) == [
        ("response_window_open", "Tue 20:00", "Wed 00:30"),
        ("response_window_close", "Wed 00:30", "Wed 00:45"),
    ]


def test_custom_activity_text_is_the_therapists_own_and_clipped() -> None:
    custom = rule(activity="custom", custom_text="  Look at the   tree outside.  ")
    (reminder,) = run([session("09:00")], care(rules=(custom,)))
    assert reminder.body == "Look at the tree outside."
    long = rule(activity="custom", custom_text="x" * 500)
    (reminder,) = run([session("09:00")], care(rules=(long,)))
    assert len(reminder.body) == 120
    assert reminder.body.endswith("…")


def test_response_window_opening_during_a_session_opens_when_it_ends() -> None:
    window = ResponseWindowIn(weekday=1, start=time(12, 0), end=time(13, 0))
    reminders = run([session("11:30", 45)], care(rules=(), windows=(window,)))
    assert local(reminders) == [("response_window_open", "Tue 12:15", "Tue 13:00")]
    assert reminders[0].body == "Messages: 45 minutes, then you're off"


def test_quiet_hours_wrapping_midnight_drop_reminders_and_cut_expiry() -> None:
    quiet = care(quiet_start=time(21, 0), quiet_end=time(7, 0))
    appointments = [session("06:00"), session("20:00", 50), session("22:00")]
    assert local(run(appointments, quiet)) == [
        # 06:50 is quiet (dropped); 20:50 expires when quiet hours begin at 21:00.
        ("micro_break", "Tue 20:50", "Tue 21:00"),
    ]


def test_time_off_days_get_no_reminders_at_all() -> None:
    appointments = [session("09:00"), session("10:00"), session("09:00", day=WEDNESDAY)]
    off = care(time_off=(TimeOffIn(start_date=TUESDAY, end_date=TUESDAY),))
    assert local(run(appointments, off)) == [("micro_break", "Wed 09:50", "Wed 10:20")]


def test_heads_up_for_the_day_after_time_off_moves_to_that_morning() -> None:
    appointments = [session("13:00"), session("13:50"), session("14:40")]
    off = care(
        rules=(), time_off=(TimeOffIn(start_date=date(2026, 11, 23), end_date=date(2026, 11, 23)),)
    )
    assert local(run(appointments, off)) == [("back_to_back", "Tue 08:00", "Tue 13:00")]


def test_daily_cap_keeps_the_longest_gaps() -> None:
    # Gaps after each session: 10, 70, 25, 5 minutes, then the day's last (30 minutes).
    appointments = [
        session("09:00"),
        session("10:00"),
        session("12:00"),
        session("13:15"),
        session("14:10"),
    ]
    assert local(run(appointments, care(daily_cap=3))) == [
        ("micro_break", "Tue 10:50", "Tue 12:00"),
        ("micro_break", "Tue 12:50", "Tue 13:15"),
        ("micro_break", "Tue 15:00", "Tue 15:30"),
    ]
    assert run(appointments, care(daily_cap=0)) == []


def test_daily_cap_keeps_heads_up_end_of_day_and_windows_before_breaks() -> None:
    window = ResponseWindowIn(weekday=1, start=time(16, 0), end=time(16, 30))
    shutdown = ritual("end_of_day")
    appointments = [session("09:00"), session("10:00"), session("11:00")]
    reminders = run(appointments, care(daily_cap=2, windows=(window,), rituals=(shutdown,)))
    assert local(reminders) == [
        ("end_of_day", "Tue 11:50", "Tue 12:50"),
        ("response_window_open", "Tue 16:00", "Tue 16:30"),
    ]


def test_past_but_live_reminders_are_kept_unchanged_and_expired_ones_dropped() -> None:
    appointments = [session("09:00"), session("10:00"), session("11:00")]
    before = run(appointments, now=at(TUESDAY, "08:00"))
    during = run(appointments, now=at(TUESDAY, "10:55"))
    assert local(during) == [
        ("micro_break", "Tue 10:50", "Tue 11:00"),  # due 5 minutes ago, still useful
        ("micro_break", "Tue 11:50", "Tue 12:20"),
    ]
    assert during == before[1:]  # same keys, same values: the outbox sees no change


def test_horizon_end_is_exclusive() -> None:
    appointments = [session("09:00"), session("10:00")]
    morning = at(TUESDAY, "08:00")
    plan_ = care()
    assert local(plan(appointments, plan_, NY, morning, at(TUESDAY, "10:50"))) == [
        ("micro_break", "Tue 09:50", "Tue 10:00")
    ]
    assert len(plan(appointments, plan_, NY, morning, at(TUESDAY, "10:51"))) == 2
    assert plan(appointments, plan_, NY, morning, morning) == []


def test_key_is_a_deterministic_hash_of_kind_anchor_and_due_time() -> None:
    appointments = [session("09:00", identity="abc")]
    (reminder,) = run(appointments)
    assert reminder.key == reminder_key("micro_break", "abc", at(TUESDAY, "09:50"))
    assert len(reminder.key) == 32
    assert reminder_key("micro_break", "abc", at(TUESDAY, "09:51")) != reminder.key
    assert reminder_key("end_of_day", "abc", at(TUESDAY, "09:50")) != reminder.key
