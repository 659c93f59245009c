"""Notes time, the wrap-up cue and the end-of-day notes backlog: hand-written expectations."""

from __future__ import annotations

from datetime import date, time, timedelta

from interlude.planner import AppointmentIn, TimeOffIn, open_notes
from tests.planner.factories import (
    LONDON,
    NY,
    TUESDAY,
    at,
    care,
    local,
    ritual,
    rule,
    run,
    session,
)

MONDAY = TUESDAY - timedelta(days=1)


def _notes(**fields: object):  # type: ignore[no-untyped-def]
    return care(**{"notes_minutes": 10, "notes_end_of_day": False, **fields})


def _split(reminders):  # type: ignore[no-untyped-def]
    pairs = zip(reminders, local(reminders), strict=True)
    return [(kind, due, r.notes_minutes) for r, (kind, due, _) in pairs]


# --- the gap split -----------------------------------------------------------------------


def test_a_gap_holding_the_break_and_the_notes_is_one_notification_break_first() -> None:
    first, *_ = run([session("09:00"), session("10:05")], _notes())
    assert (first.kind, first.notes_minutes, first.duration_minutes) == ("micro_break", 10, 2)
    assert first.title == "Time for a 2-minute break"
    assert first.body == (
        "2-minute break, then notes for your 09:00 session. "
        "Box breathing: in 4, hold 4, out 4, hold 4. Next session in 15 minutes."
    )
    assert local([first]) == [("micro_break", "Tue 09:50", "Tue 10:05")]


def test_notes_first_says_so() -> None:
    first, *_ = run([session("13:00"), session("14:10")], _notes(notes_order="notes_first"))
    assert first.title == "Time for 10 minutes of notes"
    assert first.body.startswith(
        "10 minutes of notes for your 13:00 session, then a 2-minute break. Box breathing"
    )
    assert first.notes_minutes == 10


def test_the_gap_must_hold_both_else_the_break_alone_and_nothing_when_it_holds_neither() -> None:
    # Gaps: 12 minutes (exactly 2 + 10), 11 minutes (break only), 3 minutes (neither).
    appointments = [session("09:00"), session("10:02"), session("11:03"), session("11:56")]
    assert _split(run(appointments, _notes())) == [
        ("micro_break", "Tue 09:50", 10),
        ("micro_break", "Tue 10:52", 0),
        ("micro_break", "Tue 12:46", 10),  # the day's last: 30 minutes of room, hours to 18:00
    ]
    plain = run(appointments, _notes())[1]
    assert plain.body == "Box breathing: in 4, hold 4, out 4, hold 4. Next session in 11 minutes."


def test_the_rules_min_gap_still_decides_the_break() -> None:
    wide = rule(min_gap_minutes=20, duration_minutes=5)
    # A 15-minute gap holds 5 + 10 but not the rule's 20-minute minimum: notes time alone.
    first, *_ = run([session("09:00"), session("10:05")], _notes(rules=(wide,)))
    assert (first.kind, first.notes_minutes, first.duration_minutes) == ("notes", 10, 0)


def test_notes_time_alone_when_no_break_fits_but_the_notes_do() -> None:
    appointments = [session("09:00"), session("10:05")]
    first, *_ = run(appointments, _notes(rules=()))
    assert local([first]) == [("notes", "Tue 09:50", "Tue 10:05")]
    assert first.title == "Time for 10 minutes of notes"
    assert first.body == "10 minutes of notes for your 09:00 session. Next session in 15 minutes."
    assert first.activity is None and first.notes_minutes == 10


def test_notes_time_alone_carries_the_sessions_ritual_when_both_fit() -> None:
    wash = ritual("after_every_session", duration_minutes=3)
    appointments = [session("09:00"), session("10:05")]
    first, *_ = run(appointments, _notes(rules=(), rituals=(wash,)))
    assert (first.kind, first.duration_minutes, first.notes_minutes) == ("notes", 3, 10)
    assert first.ritual_steps == ("Wash", "Breathe") and first.ritual_name == "Wash hands"
    assert "Then your ritual: Wash hands." in first.body
    # A gap too short for ritual + notes: the ritual alone, as without notes time.
    tight = run([session("09:00"), session("10:02")], _notes(rules=(), rituals=(wash,)))[0]
    assert (tight.kind, tight.notes_minutes) == ("transition_ritual", 0)


def test_notes_apply_only_to_the_sessions_chosen() -> None:
    appointments = [
        session("09:00", intense=True),
        session("10:05"),
        session("11:10", telehealth=True),
        session("12:15"),
    ]
    intense = _split(run(appointments, _notes(notes_applies_to="intense")))
    assert [n for _, _, n in intense] == [10, 0, 0, 0]
    telehealth = _split(run(appointments, _notes(notes_applies_to="telehealth")))
    assert [n for _, _, n in telehealth] == [0, 0, 10, 0]


def test_after_the_days_last_session_the_notes_must_end_inside_working_hours() -> None:
    late = [session("16:55")]  # ends 17:45: 2 + 10 minutes end at 17:57
    assert _split(run(late, _notes())) == [("micro_break", "Tue 17:45", 10)]
    later = [session("17:00")]  # ends 17:50: they would end at 18:02
    assert _split(run(later, _notes())) == [("micro_break", "Tue 17:50", 0)]
    # ... and inside the last break's 30 minutes of room.
    long_notes = _notes(notes_minutes=30)
    assert _split(run([session("09:00")], long_notes)) == [("micro_break", "Tue 09:50", 0)]


def test_the_shutdown_ritual_carries_the_last_sessions_notes() -> None:
    shutdown = ritual("end_of_day", name="Shutdown", duration_minutes=5)
    [last] = run([session("15:00")], _notes(rituals=(shutdown,)))
    assert (last.kind, last.notes_minutes, last.duration_minutes) == ("end_of_day", 10, 5)
    assert (
        last.body
        == "10 minutes of notes for your 15:00 session, then your shutdown ritual: Shutdown."
    )
    [late] = run([session("17:00")], _notes(rituals=(shutdown,)))
    assert (late.kind, late.notes_minutes) == ("end_of_day", 0)
    assert late.body == "Time for your shutdown ritual: Shutdown."


def test_a_meeting_in_the_gap_cuts_the_room_for_notes() -> None:
    meeting = session("10:00", 10, kind="other")  # gap 09:50-10:20, but busy from 10:00
    first, *_ = run([session("09:00"), meeting, session("10:20")], _notes())
    assert (first.kind, first.notes_minutes) == ("micro_break", 0)
    assert local([first]) == [("micro_break", "Tue 09:50", "Tue 10:00")]


def test_notes_name_the_local_start_of_the_session_ending_the_block() -> None:
    # A double booking: the block ends with the session that started at 09:30.
    appointments = [session("09:00", 50), session("09:30", 40), session("10:30")]
    first, *_ = run(appointments, _notes())
    assert first.body.startswith("2-minute break, then notes for your 09:30 session.")


# --- the wrap-up cue ---------------------------------------------------------------------


def _wrap(**fields: object):  # type: ignore[no-untyped-def]
    return care(**{"rules": (), "wrap_up_minutes": 5, **fields})


def test_the_wrap_up_cue_comes_before_the_session_ends_and_expires_then() -> None:
    [cue] = run([session("13:00", identity="s")], _wrap())
    assert local([cue]) == [("wrap_up", "Tue 13:45", "Tue 13:50")]
    assert cue.title == "5 minutes left in this session"
    assert cue.body == "Time to begin wrapping up: it ends at 13:50."
    assert (cue.anchor, cue.duration_minutes, cue.notes_minutes, cue.activity) == ("s", 5, 0, None)


def test_the_wrap_up_cue_never_comes_in_the_sessions_first_half() -> None:
    assert local(run([session("13:00", 10)], _wrap())) == [("wrap_up", "Tue 13:05", "Tue 13:10")]
    assert run([session("13:00", 9)], _wrap()) == []  # 13:04 is before the midpoint 13:04:30
    assert run([session("13:00", 50)], _wrap(wrap_up_minutes=15))[0].due_at == at(TUESDAY, "13:35")


def test_the_wrap_up_cue_is_never_inside_another_busy_block() -> None:
    overlapped = [session("13:00", 50, identity="a"), session("13:40", 50, identity="b")]
    # a's cue at 13:45 falls inside b: none; b's at 14:25 is inside b alone.
    assert [(r.anchor, *local([r])[0]) for r in run(overlapped, _wrap())] == [
        ("b", "wrap_up", "Tue 14:25", "Tue 14:30")
    ]
    meeting = [session("13:00", identity="a"), session("13:44", 3, kind="other")]
    assert run(meeting, _wrap()) == []  # the meeting 13:44-13:47 covers 13:45
    # Touching sessions are separate: each gets its cue.
    touching = [session("13:00", identity="a"), session("13:50", identity="b")]
    assert [r.anchor for r in run(touching, _wrap())] == ["a", "b"]


def test_the_wrap_up_cue_respects_scope_quiet_hours_and_time_off() -> None:
    both = [session("09:00", intense=True, identity="i"), session("11:00", identity="p")]
    assert [r.anchor for r in run(both, _wrap(wrap_up_applies_to="intense"))] == ["i"]
    assert [r.anchor for r in run(both, _wrap(wrap_up_applies_to="telehealth"))] == []
    evening = [session("21:00")]
    assert run(evening, _wrap(quiet_start=time(21, 30), quiet_end=time(7))) == []
    off = (TimeOffIn(TUESDAY, TUESDAY),)
    assert run([session("13:00")], _wrap(time_off=off)) == []


def test_the_wrap_up_cue_is_exempt_from_the_daily_cap() -> None:
    appointments = [session(f"{h:02d}:00") for h in (9, 10, 11, 12)]
    reminders = run(appointments, care(wrap_up_minutes=5, daily_cap=2))
    kinds = [r.kind for r in reminders if r.due_at.astimezone(NY).date() == TUESDAY]
    assert kinds.count("wrap_up") == 4
    assert len(kinds) - kinds.count("wrap_up") == 2  # the cap still holds for the rest


# --- the end-of-day backlog reminder -------------------------------------------------------


def _backlog(**fields: object):  # type: ignore[no-untyped-def]
    return care(rules=(), notes_minutes=10, **fields)


def _backlog_reminders(reminders):  # type: ignore[no-untyped-def]
    return [(*local([r])[0], r.body) for r in reminders if r.kind == "notes_backlog"]


def test_the_backlog_reminder_counts_open_notes_before_working_end() -> None:
    appointments = [
        session("09:00", day=MONDAY, notes_done=True),
        session("11:00", day=MONDAY),
        session("10:00"),
        session("14:00"),
    ]
    got = _backlog_reminders(run(appointments, _backlog()))
    assert got[:2] == [
        ("notes_backlog", "Mon 17:30", "Mon 18:00", "Notes still open for 1 session."),
        ("notes_backlog", "Tue 17:30", "Tue 18:00", "Notes still open for 3 sessions."),
    ]
    reminder = next(r for r in run(appointments, _backlog()) if r.kind == "notes_backlog")
    assert (reminder.anchor, reminder.title) == (None, "Before you finish today")


def test_the_backlog_looks_back_only_notes_backlog_days() -> None:
    old = [session("10:00", day=TUESDAY - timedelta(days=n)) for n in (1, 2, 3)]
    got = _backlog_reminders(run(old, _backlog(notes_backlog_days=2)))
    # Tue 17:30 looks back to Sun 17:30: Monday's session only (Sunday's ended at 10:50).
    assert ("notes_backlog", "Tue 17:30", "Tue 18:00", "Notes still open for 1 session.") in got


def test_no_backlog_reminder_at_zero_when_off_or_on_days_without_work() -> None:
    done = [session("10:00", notes_done=True)]
    assert _backlog_reminders(run(done, _backlog())) == []
    open_one = [session("10:00")]
    assert _backlog_reminders(run(open_one, _backlog(notes_end_of_day=False))) == []
    assert _backlog_reminders(run(open_one, care(notes_minutes=0))) == []
    weekend_only = _backlog(working_days=(5, 6))  # Tuesday is not a working day
    assert all(
        not got[1].startswith("Tue") for got in _backlog_reminders(run(open_one, weekend_only))
    )
    off = _backlog(time_off=(TimeOffIn(TUESDAY, TUESDAY),))
    assert all(not got[1].startswith("Tue") for got in _backlog_reminders(run(open_one, off)))


def test_a_session_running_at_the_backlog_time_pushes_it_after_the_session() -> None:
    appointments = [session("10:00"), session("17:00", 45)]
    got = _backlog_reminders(run(appointments, _backlog()))
    assert got[0] == ("notes_backlog", "Tue 17:45", "Tue 18:00", "Notes still open for 2 sessions.")
    # Busy until working_end: no reminder that day.
    late = [session("10:00"), session("17:00", 60)]
    assert all(not g[1].startswith("Tue") for g in _backlog_reminders(run(late, _backlog())))


def test_the_backlog_on_a_dst_day_stays_on_the_wall_clock() -> None:
    fall_back = date(2026, 10, 25)  # Sunday: London leaves BST at 02:00
    plan = _backlog(working_days=(6,))
    appointments = [session("09:00", day=fall_back, tz=LONDON, identity="s")]
    now = at(fall_back, "00:30", LONDON)
    reminders = run(appointments, plan, tz=LONDON, now=now, days=1)
    got = [r for r in reminders if r.kind == "notes_backlog"]
    assert [r.due_at for r in got] == [at(fall_back, "17:30", LONDON)]
    assert local(got, LONDON) == [("notes_backlog", "Sun 17:30", "Sun 18:00")]
    # The 23-hour spring-forward day in New York: notes name the local start.
    spring = date(2027, 3, 14)
    morning = [session("09:00", day=spring, identity="a"), session("10:05", day=spring)]
    first = run(morning, _notes(), now=at(spring, "00:00"), days=1)[0]
    assert first.body.startswith("2-minute break, then notes for your 09:00 session.")
    assert first.due_at == at(spring, "09:50")


def test_open_notes_is_the_backlog_at_an_instant() -> None:
    plan = care(notes_minutes=10, notes_backlog_days=1)
    s1, s2, s3 = (
        session("09:00", identity="s1"),
        session("10:00", identity="s2"),
        session("11:00", identity="s3", notes_done=True),
    )
    other = AppointmentIn("o", s1.start, s1.end, kind="other")
    assert [a.identity for a in open_notes([s3, s2, other, s1], plan, s2.end)] == ["s1", "s2"]
    assert open_notes([s1], plan, s1.end - timedelta(seconds=1)) == []
    assert open_notes([s1], care(notes_minutes=0), s1.end) == []
