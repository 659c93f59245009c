"""The expected notes backlog of the week ahead: the sessions whose notes time the planner
cannot reserve, per day, per suggestion's stretch, and through the API."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from interlude.accounts.models import User
from interlude.planner import AppointmentIn, CarePlanIn, CommitmentIn
from interlude.week_ahead.analysis import Interval, Week, notes_left_over, week_ahead
from tests.calendars.factories import add_appointments
from tests.planner.factories import NOW, NY, TUESDAY, at, care, rule, session

DAYS = [TUESDAY + timedelta(days=n) for n in range(7)]
WEDNESDAY = TUESDAY + timedelta(days=1)
RUN_OF_FOUR = ("13:00", "13:55", "14:50", "15:45")  # 50 minutes on, 5 off


def notes_care(**fields: Any) -> CarePlanIn:
    """A 5-minute gap rule with a 2-minute break, and 10 minutes of notes after each session."""
    return care(**{"rules": (rule(min_gap_minutes=5),), "notes_minutes": 10, **fields})


def left(
    appointments: Sequence[AppointmentIn],
    care_plan: CarePlanIn,
    commitments: Sequence[CommitmentIn] = (),
) -> list[Interval]:
    return notes_left_over(
        appointments=appointments,
        commitments=commitments,
        care_plan=care_plan,
        zone=NY,
        days=DAYS,
    )


def view(
    appointments: Sequence[AppointmentIn],
    care_plan: CarePlanIn,
    *,
    time_off: frozenset[date] = frozenset(),
) -> Week:
    return week_ahead(
        days=DAYS,
        zone=NY,
        now=NOW,
        sessions=[Interval(a.start, a.end) for a in appointments if a.kind == "session"],
        other_busy=[Interval(a.start, a.end) for a in appointments if a.kind == "other"],
        time_off=time_off,
        held=[],
        notes_left=left(appointments, care_plan),
    )


def starts(intervals: Sequence[Interval]) -> list[str]:
    return [i.start.astimezone(NY).strftime("%a %H:%M") for i in intervals]


def test_a_back_to_back_run_leaves_all_but_its_last_sessions_notes_for_later() -> None:
    # 5-minute gaps hold the 2-minute break but not 2 + 10 minutes; after the last session
    # (16:35, working hours until 18:00) the notes fit.
    run = [session(s) for s in RUN_OF_FOUR]
    assert starts(left(run, notes_care())) == ["Tue 13:00", "Tue 13:55", "Tue 14:50"]
    result = view(run, notes_care())
    assert [d.expected_notes_backlog for d in result.days] == [3, 0, 0, 0, 0, 0, 0]
    [suggestion] = result.suggestions
    assert suggestion.kind == "back_to_back" and suggestion.expected_notes_backlog == 3


def test_nothing_is_expected_when_notes_time_is_off_or_every_gap_holds_it() -> None:
    run = [session(s) for s in RUN_OF_FOUR]
    assert left(run, care(rules=(rule(min_gap_minutes=5),))) == []  # notes_minutes 0
    assert [d.expected_notes_backlog for d in view(run, care()).days] == [0] * 7
    roomy = [session(s) for s in ("09:00", "10:05", "11:10")]  # 15-minute gaps: 2 + 10 fit
    assert left(roomy, notes_care()) == []


def test_notes_time_alone_reserves_the_notes_when_no_break_rule_fits() -> None:
    # A 12-minute gap, a rule wanting 20: no break, but the kind "notes" reminder holds them.
    pair = [session("09:00"), session("10:02")]
    assert left(pair, notes_care(rules=(rule(min_gap_minutes=20),))) == []
    assert starts(left(pair, notes_care(notes_minutes=15))) == ["Tue 09:00"]


def test_only_the_sessions_notes_time_applies_to_are_counted() -> None:
    run = [session("13:00", intense=True), session("13:55"), session("14:50", telehealth=True)]
    run.append(session("15:45", intense=True))
    assert starts(left(run, notes_care(notes_applies_to="intense"))) == ["Tue 13:00"]
    assert starts(left(run, notes_care(notes_applies_to="telehealth"))) == ["Tue 14:50"]


def test_the_days_last_session_needs_its_notes_inside_working_hours() -> None:
    late = [session("17:00")]  # ends 17:50: 2 + 10 minutes run past 18:00
    assert starts(left(late, notes_care())) == ["Tue 17:00"]
    assert left(late, notes_care(working_end=time(18, 30))) == []


def test_a_notes_reminder_the_daily_cap_drops_reserves_nothing() -> None:
    # Three sessions with roomy gaps: each would get a break with notes. A cap of 2 keeps the
    # end-of-day backlog reminder (it ranks first) and the break with the most room (after
    # 11:10, 50 minutes): the other two sessions count.
    day = [session("09:00"), session("10:20"), session("12:00")]
    assert left(day, notes_care()) == []
    assert starts(left(day, notes_care(daily_cap=2))) == ["Tue 09:00", "Tue 12:00"]


def test_busy_time_in_the_gap_takes_the_notes_time_away() -> None:
    pair = [session("09:00"), session("10:10")]  # a 20-minute gap holds 2 + 10
    assert left(pair, notes_care()) == []
    meeting = AppointmentIn("meeting", at(TUESDAY, "09:55"), at(TUESDAY, "10:10"), kind="other")
    assert starts(left([*pair, meeting], notes_care())) == ["Tue 09:00"]
    supervision = CommitmentIn("commitment:s:1", at(TUESDAY, "09:55"), at(TUESDAY, "10:10"))
    assert starts(left(pair, notes_care(), [supervision])) == ["Tue 09:00"]


def test_a_day_off_expects_no_backlog_and_days_are_local() -> None:
    run = [session(s) for s in RUN_OF_FOUR]
    off = view(run, notes_care(), time_off=frozenset({TUESDAY}))
    assert off.days[0].expected_notes_backlog == 0 and off.days[0].session_count == 4
    # 23:30 in New York on Tuesday is Wednesday in UTC: it counts for Tuesday (its notes
    # cannot end inside working hours).
    night = [session("23:30", 20)]
    result = view(night, notes_care())
    assert [d.expected_notes_backlog for d in result.days] == [1, 0, 0, 0, 0, 0, 0]


def test_a_suggestion_counts_only_its_own_stretch() -> None:
    # Wednesday: a run of three in the morning, and two sessions 5 minutes apart in the
    # afternoon (no run): the day counts 09:00, 09:55 and 15:00, the run's suggestion two.
    morning = [session(s, day=WEDNESDAY) for s in ("09:00", "09:55", "10:50")]
    afternoon = [session(s, day=WEDNESDAY) for s in ("15:00", "15:55")]
    result = view([*morning, *afternoon], notes_care())
    assert result.days[1].expected_notes_backlog == 3  # 09:00, 09:55, 15:00
    [suggestion] = result.suggestions
    assert suggestion.stretch_start == at(WEDNESDAY, "09:00")
    assert suggestion.expected_notes_backlog == 2


# --- through the API -----------------------------------------------------------------------


URL = "/api/v1/week-ahead"


def iso(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


def test_the_week_reports_the_expected_backlog_per_day_in_total_and_per_suggestion(
    client: TestClient, db: Session, user: User, auth: dict[str, str]
) -> None:
    add_appointments(db, user.id, [at(TUESDAY, t) for t in RUN_OF_FOUR])
    body = client.get(URL, headers=auth).json()
    assert body["totals"]["expected_notes_backlog"] == 0  # notes time is off by default
    assert [d["expected_notes_backlog"] for d in body["days"]] == [0] * 7

    settings = client.patch("/api/v1/care-plan/settings", json={"notes_minutes": 10}, headers=auth)
    assert settings.status_code == 200, settings.text
    body = client.get(URL, headers=auth).json()
    assert [d["expected_notes_backlog"] for d in body["days"]] == [3, 0, 0, 0, 0, 0, 0]
    assert body["totals"]["expected_notes_backlog"] == 3
    assert body["suggestions"][0]["expected_notes_backlog"] == 3


def test_held_time_in_a_gap_is_busy_time_for_the_expected_backlog(
    client: TestClient, db: Session, user: User, auth: dict[str, str]
) -> None:
    # A 20-minute gap holds a 2-minute break and 10 minutes of notes; time held in the middle
    # of it cuts the break's reminder short, as it will during the week.
    add_appointments(db, user.id, [at(TUESDAY, "09:00"), at(TUESDAY, "10:10")])
    assert client.patch(
        "/api/v1/care-plan/settings", json={"notes_minutes": 10}, headers=auth
    ).is_success
    assert client.get(URL, headers=auth).json()["totals"]["expected_notes_backlog"] == 0
    hold = {"start": iso(at(TUESDAY, "09:55")), "end": iso(at(TUESDAY, "10:05"))}
    assert client.post(f"{URL}/held-time", json=hold, headers=auth).status_code == 201
    days = client.get(URL, headers=auth).json()["days"]
    assert [d["expected_notes_backlog"] for d in days] == [1, 0, 0, 0, 0, 0, 0]
