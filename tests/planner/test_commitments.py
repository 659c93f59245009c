"""Commitments (supervision, peer check-ins, own therapy) in the planner, by example."""

from __future__ import annotations

from datetime import date, time, timedelta

from interlude.planner import CommitmentIn, PlannedReminder, TimeOffIn, plan
from tests.planner.factories import NOW, NY, TUESDAY, at, care, local, rule, session


def commitment(
    start: str, minutes: int = 60, *, kind: str = "supervision", day: date = TUESDAY
) -> CommitmentIn:
    begin = at(day, start)
    return CommitmentIn(
        identity=f"commitment:c1:{day.isoformat()}",
        start=begin,
        end=begin + timedelta(minutes=minutes),
        kind=kind,  # type: ignore[arg-type]
    )


def run(
    appointments: list, held: list[CommitmentIn], **care_fields: object
) -> list[PlannedReminder]:
    return plan(
        appointments, care(**care_fields), NY, NOW, NOW + timedelta(days=3), commitments=held
    )


def announced(reminders: list[PlannedReminder]) -> list[PlannedReminder]:
    return [r for r in reminders if r.kind == "commitment"]


def test_a_commitment_is_announced_ten_minutes_before_and_expires_at_its_start() -> None:
    reminders = run([session("09:00"), session("11:00")], [commitment("10:00")])

    assert local(reminders) == [
        ("commitment", "Tue 09:50", "Tue 10:00"),
        # The break after the 09:00 session ends when supervision starts, like before a session.
        ("micro_break", "Tue 09:50", "Tue 10:00"),
        ("micro_break", "Tue 11:50", "Tue 12:20"),
    ]
    [reminder] = announced(reminders)
    assert reminder.title == "Supervision in 10 minutes"
    assert reminder.body == "Supervision at 10:00. Time to wrap up and get ready."
    assert reminder.anchor == "commitment:c1:2026-11-24"
    assert reminder.duration_minutes == 60
    assert reminder.activity is None and reminder.ritual_steps == ()


def test_titles_name_the_kind_only() -> None:
    peer = announced(run([], [commitment("14:00", kind="peer")]))
    own = announced(run([], [commitment("14:00", kind="personal_therapy")]))
    assert [r.title for r in peer] == ["Peer check-in in 10 minutes"]
    assert [r.title for r in own] == ["Your own therapy session in 10 minutes"]


def test_no_break_buzzes_inside_a_commitment() -> None:
    fixed = rule(id="fixed", trigger="fixed_time", at_time=time(12, 15))
    reminders = run([], [commitment("12:00")], rules=(fixed,))

    assert [x for x in local(reminders) if x[1].startswith("Tue")] == [
        ("commitment", "Tue 11:50", "Tue 12:00"),
        ("fixed_break", "Tue 13:00", "Tue 13:30"),  # slid to the end, as after a session
    ]


def test_a_session_running_into_the_lead_time_moves_the_reminder_to_its_end() -> None:
    reminders = announced(run([session("11:00", 55)], [commitment("12:00")]))

    assert local(reminders) == [("commitment", "Tue 11:55", "Tue 12:00")]
    assert reminders[0].title == "Supervision in 5 minutes"


def test_sessions_right_up_to_the_start_get_the_heads_up_before_them() -> None:
    reminders = announced(run([session("10:10"), session("11:00", 60)], [commitment("12:00")]))

    # 10:10-11:00 and 11:00-12:00 are one busy stretch: never buzz inside a session.
    assert local(reminders) == [("commitment", "Tue 10:00", "Tue 10:10")]
    assert reminders[0].title == "Supervision at 12:00"
    assert reminders[0].body == "It starts right after this stretch of sessions."


def test_neither_the_daily_cap_nor_quiet_hours_drop_a_commitment_reminder() -> None:
    sessions = [session(f"{h:02d}:00") for h in range(8, 17) if h != 12]
    reminders = run(
        sessions,
        [commitment("07:30", kind="peer"), commitment("12:00", day=TUESDAY)],
        quiet_start=time(22),
        quiet_end=time(8),
        daily_cap=2,
    )
    tuesday = [r for r in reminders if r.due_at.astimezone(NY).date() == TUESDAY]
    assert [x for x in local(announced(tuesday))] == [
        ("commitment", "Tue 07:20", "Tue 07:30"),  # inside quiet hours: sent anyway
        ("commitment", "Tue 11:50", "Tue 12:00"),
    ]
    assert len([r for r in tuesday if r.kind != "commitment"]) == 2  # the cap still holds


def test_no_commitment_reminder_on_time_off_but_the_time_stays_busy() -> None:
    off = (TimeOffIn(TUESDAY, TUESDAY),)
    fixed = rule(id="fixed", trigger="fixed_time", at_time=time(12, 15))
    wednesday = TUESDAY + timedelta(days=1)
    reminders = run(
        [], [commitment("12:00"), commitment("12:00", day=wednesday)], time_off=off, rules=(fixed,)
    )

    assert [x for x in local(reminders) if not x[1].startswith("Mon")] == [
        ("commitment", "Wed 11:50", "Wed 12:00"),
        ("fixed_break", "Wed 13:00", "Wed 13:30"),
    ]


def test_moving_a_commitment_moves_its_reminder_under_a_new_key() -> None:
    before = announced(run([], [commitment("12:00")]))
    after = announced(run([], [commitment("15:00")]))
    again = announced(run([], [commitment("12:00")]))

    assert [r.key for r in before] == [r.key for r in again]
    assert {r.key for r in before}.isdisjoint(r.key for r in after)
    assert local(after) == [("commitment", "Tue 14:50", "Tue 15:00")]


def test_a_commitment_that_started_is_no_longer_announced() -> None:
    held = [commitment("12:00")]
    started = at(TUESDAY, "12:00")
    assert (
        announced(plan([], care(), NY, started, started + timedelta(days=1), commitments=held))
        == []
    )
    just_before = at(TUESDAY, "11:55")
    [still] = announced(
        plan([], care(), NY, just_before, just_before + timedelta(days=1), commitments=held)
    )
    assert local([still]) == [("commitment", "Tue 11:50", "Tue 12:00")]  # due, not yet expired
