"""Example-based tests for session-driven reminders, with hand-written expected output."""

from __future__ import annotations

from datetime import time

from interlude.planner import AppointmentIn
from tests.planner.factories import TUESDAY, at, care, local, ritual, rule, run, session


def test_micro_break_after_each_session_expires_at_next_start_or_thirty_minutes_later() -> None:
    appointments = [session("09:00"), session("10:00"), session("11:00")]
    assert local(run(appointments)) == [
        ("micro_break", "Tue 09:50", "Tue 10:00"),
        ("micro_break", "Tue 10:50", "Tue 11:00"),
        ("micro_break", "Tue 11:50", "Tue 12:20"),  # the day's last: 30 minutes
    ]


def test_micro_break_text_is_friendly_and_says_how_long_until_the_next_session() -> None:
    first, *_ = run([session("09:00"), session("10:00")])
    assert first.title == "Time for a 2-minute break"
    assert first.body == "Box breathing: in 4, hold 4, out 4, hold 4. Next session in 10 minutes."
    assert first.activity == "box_breathing"
    assert first.ritual_steps == ()


def test_back_to_back_sessions_get_no_micro_break() -> None:
    # 09:00-09:50, 09:53-10:43 (3-minute gap < 5), then 11:00.
    appointments = [session("09:00"), session("09:53"), session("11:00")]
    assert local(run(appointments)) == [
        ("micro_break", "Tue 10:43", "Tue 11:00"),
        ("micro_break", "Tue 11:50", "Tue 12:20"),
    ]


def test_min_gap_comes_from_the_rule_and_the_most_generous_fitting_rule_wins() -> None:
    short = rule(id="a-short", min_gap_minutes=5, activity="water")
    long = rule(id="b-long", min_gap_minutes=20, activity="step_outside", duration_minutes=10)
    appointments = [session("09:00"), session("10:00"), session("11:30")]
    reminders = run(appointments, care(rules=(short, long)))
    assert [(r.activity, r.duration_minutes) for r in reminders] == [
        ("water", 2),  # 10-minute gap: only the 5-minute rule fits
        ("step_outside", 10),  # 40-minute gap
        ("step_outside", 10),  # last of the day
    ]


def test_disabled_or_missing_after_session_rule_plans_no_micro_break() -> None:
    appointments = [session("09:00"), session("10:00")]
    assert run(appointments, care(rules=(rule(enabled=False),))) == []
    assert run(appointments, care(rules=())) == []


def test_back_to_back_heads_up_the_evening_before_for_a_run_of_four() -> None:
    appointments = [session("13:00"), session("13:50"), session("14:45"), session("15:40")]
    reminders = run(appointments, care(rules=()))
    # It says "tomorrow", so it expires at midnight (or earlier, when quiet hours begin).
    assert local(reminders) == [("back_to_back", "Mon 19:00", "Tue 00:00")]
    heads_up = reminders[0]
    assert heads_up.title == "Busy day tomorrow"
    assert (
        heads_up.body == "Tomorrow 13:00\u201316:30 has four sessions back to back — add a buffer?"
    )
    assert heads_up.anchor == appointments[0].identity


def test_heads_up_needs_three_sessions_without_a_ten_minute_gap() -> None:
    # Gaps of exactly 10 minutes break the run.
    spaced = [session("09:00"), session("10:00"), session("11:00")]
    assert [r.kind for r in run(spaced, care(rules=()))] == []
    two = [session("09:00"), session("09:50")]
    assert run(two, care(rules=())) == []


def test_heads_up_expires_at_quiet_hours_and_moves_to_the_morning_when_evening_is_quiet() -> None:
    appointments = [session("13:00"), session("13:50"), session("14:40")]
    evening_quiet_later = care(rules=(), quiet_start=time(21, 0), quiet_end=time(7, 0))
    assert local(run(appointments, evening_quiet_later)) == [
        ("back_to_back", "Mon 19:00", "Mon 21:00")
    ]
    evening_quiet = care(rules=(), quiet_start=time(18, 0), quiet_end=time(8, 30))
    reminders = run(appointments, evening_quiet)
    assert local(reminders) == [("back_to_back", "Tue 08:30", "Tue 13:00")]
    assert reminders[0].body.startswith("Today 13:00\u201315:30 has three sessions")


def test_ritual_after_intense_session_merges_into_the_micro_break() -> None:
    appointments = [session("09:00", intense=True), session("10:00"), session("11:00")]
    reminders = run(appointments, care(rituals=(ritual("after_intense"),)))
    assert local(reminders) == [
        ("micro_break", "Tue 09:50", "Tue 10:00"),
        ("micro_break", "Tue 10:50", "Tue 11:00"),
        ("micro_break", "Tue 11:50", "Tue 12:20"),
    ]
    assert [r.ritual_steps for r in reminders] == [("Wash", "Breathe"), (), ()]
    # The break says which ritual rides on it, and for how long (Today and the Break screen).
    assert [(r.ritual_name, r.ritual_minutes) for r in reminders] == [
        ("Wash hands", 5),
        (None, 0),
        (None, 0),
    ]
    assert reminders[0].body == (
        "Box breathing: in 4, hold 4, out 4, hold 4. Then your ritual: Wash hands. "
        "Next session in 10 minutes."
    )


def test_ritual_alone_when_the_gap_is_too_short_for_a_micro_break() -> None:
    appointments = [session("09:00", telehealth=True), session("09:53"), session("11:00")]
    reminders = run(appointments, care(rituals=(ritual("after_telehealth", name="Log off"),)))
    assert local(reminders)[0] == ("transition_ritual", "Tue 09:50", "Tue 09:53")
    assert reminders[0].title == "Transition: Log off"
    assert (reminders[0].ritual_name, reminders[0].ritual_minutes) == ("Log off", 5)
    assert reminders[0].body == "Wash · Breathe"
    assert reminders[0].activity is None


def test_ritual_after_every_session_and_specificity() -> None:
    every = ritual("after_every_session", name="Reset")
    intense = ritual("after_intense", name="Heavy reset", steps=("Walk",))
    appointments = [session("09:00", intense=True), session("10:00")]
    reminders = run(appointments, care(rules=(), rituals=(every, intense)))
    assert [(r.kind, r.title) for r in reminders] == [
        ("transition_ritual", "Transition: Heavy reset"),
        ("transition_ritual", "Transition: Reset"),
    ]


def test_end_of_day_ritual_replaces_the_last_micro_break() -> None:
    shutdown = ritual("end_of_day", name="Close the day", steps=("Write notes", "Lights off"))
    appointments = [session("09:00"), session("10:00")]
    reminders = run(appointments, care(rituals=(shutdown,)))
    assert local(reminders) == [
        ("micro_break", "Tue 09:50", "Tue 10:00"),
        ("end_of_day", "Tue 10:50", "Tue 11:50"),
    ]
    assert reminders[1].title == "Last session done for today"
    assert reminders[1].body == "Time for your shutdown ritual: Close the day."
    assert reminders[1].ritual_steps == ("Write notes", "Lights off")


def test_disabled_end_of_day_ritual_is_ignored() -> None:
    shutdown = ritual("end_of_day", enabled=False)
    assert [r.kind for r in run([session("09:00")], care(rituals=(shutdown,)))] == ["micro_break"]


def test_other_busy_events_block_but_do_not_drive_session_logic() -> None:
    meeting = AppointmentIn(
        identity="meeting", start=at(TUESDAY, "09:50"), end=at(TUESDAY, "10:10"), kind="other"
    )
    lunch = AppointmentIn(
        identity="lunch", start=at(TUESDAY, "12:00"), end=at(TUESDAY, "13:00"), kind="other"
    )
    appointments = [session("09:00"), meeting, session("10:30"), lunch]
    assert local(run(appointments)) == [
        # Slides to the end of the meeting; still before the next session.
        ("micro_break", "Tue 10:10", "Tue 10:30"),
        ("micro_break", "Tue 11:20", "Tue 11:50"),
    ]


def test_reminder_that_would_slide_past_its_expiry_is_dropped() -> None:
    meeting = AppointmentIn(
        identity="m", start=at(TUESDAY, "09:50"), end=at(TUESDAY, "10:00"), kind="other"
    )
    assert local(run([session("09:00"), meeting, session("10:00")])) == [
        ("micro_break", "Tue 10:50", "Tue 11:20")
    ]


def test_all_day_appointments_are_ignored() -> None:
    all_day = AppointmentIn(
        identity="conf", start=at(TUESDAY, "00:00"), end=at(TUESDAY, "23:59"), all_day=True
    )
    assert local(run([all_day, session("09:00")])) == [("micro_break", "Tue 09:50", "Tue 10:20")]


def test_overlapping_sessions_end_together() -> None:
    appointments = [
        session("09:00", 60, identity="long"),
        session("09:30", 20, identity="inside"),
        session("10:30"),
    ]
    reminders = run(appointments)
    assert local(reminders)[0] == ("micro_break", "Tue 10:00", "Tue 10:30")
    assert reminders[0].anchor == "long"
