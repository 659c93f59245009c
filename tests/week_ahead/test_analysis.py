"""The week ahead as a pure function: runs, days without a break, suggestions."""

from __future__ import annotations

from datetime import date, timedelta

from interlude.week_ahead.analysis import Held, Interval, week_ahead
from tests.planner.factories import NOW, NY, TUESDAY, at

DAYS = [TUESDAY + timedelta(days=n) for n in range(7)]
WEDNESDAY = TUESDAY + timedelta(days=1)


def sessions(day: date, *starts: str, minutes: int = 50) -> list[Interval]:
    return [Interval(at(day, s), at(day, s) + timedelta(minutes=minutes)) for s in starts]


def week(
    found: list[Interval],
    *,
    other: list[Interval] | None = None,
    held: list[Held] | None = None,
    time_off: frozenset[date] = frozenset(),
):  # type: ignore[no-untyped-def]
    return week_ahead(
        days=DAYS,
        zone=NY,
        now=NOW,
        sessions=found,
        other_busy=other or [],
        time_off=time_off,
        held=held or [],
    )


def test_a_run_of_four_gets_a_hold_right_after_its_last_session() -> None:
    # 13:00-16:50 in four 50-minute sessions 5 minutes apart, then nothing.
    result = week(sessions(TUESDAY, "13:00", "13:55", "14:50", "15:45"))
    tuesday = result.days[0]
    assert tuesday.session_count == 4
    assert [(r.session_count, r.start, r.end) for r in tuesday.runs] == [
        (4, at(TUESDAY, "13:00"), at(TUESDAY, "16:35"))
    ]
    assert tuesday.no_break is True and tuesday.longest_break_minutes == 5
    [suggestion] = result.suggestions
    assert suggestion.kind == "back_to_back" and suggestion.position == "after"
    assert (suggestion.start, suggestion.end) == (at(TUESDAY, "16:35"), at(TUESDAY, "16:45"))
    assert suggestion.anchor_start == at(TUESDAY, "15:45")
    assert (suggestion.stretch_start, suggestion.session_count) == (at(TUESDAY, "13:00"), 4)
    assert suggestion.held_id is None


def test_a_hold_goes_before_the_run_when_the_time_after_it_is_busy() -> None:
    found = sessions(TUESDAY, "09:00", "09:55", "10:50")
    busy_after = [Interval(at(TUESDAY, "11:40"), at(TUESDAY, "12:30"))]  # a meeting
    [suggestion] = week(found, other=busy_after).suggestions
    assert suggestion.position == "before"
    assert (suggestion.start, suggestion.end) == (at(TUESDAY, "08:50"), at(TUESDAY, "09:00"))
    assert suggestion.anchor_start == at(TUESDAY, "09:00")


def test_no_suggestion_when_neither_side_of_the_run_is_free() -> None:
    found = sessions(TUESDAY, "09:00", "09:55", "10:50")
    other = [
        Interval(at(TUESDAY, "08:00"), at(TUESDAY, "09:00")),
        Interval(at(TUESDAY, "11:40"), at(TUESDAY, "12:30")),
    ]
    assert week(found, other=other).suggestions == ()


def test_two_sessions_without_a_break_are_a_no_break_day_not_a_run() -> None:
    result = week(sessions(WEDNESDAY, "10:00", "10:55"))
    wednesday = result.days[1]
    assert wednesday.runs == () and wednesday.no_break is True
    [suggestion] = result.suggestions
    assert suggestion.kind == "no_break" and suggestion.start == at(WEDNESDAY, "11:45")


def test_a_ten_minute_gap_is_a_break() -> None:
    result = week(sessions(TUESDAY, "09:00", "10:00", "11:00"))  # 50 minutes on, 10 off
    tuesday = result.days[0]
    assert tuesday.runs == () and tuesday.no_break is False
    assert tuesday.longest_break_minutes == 10
    assert result.suggestions == ()


def test_a_commitment_in_the_gap_takes_the_break_away() -> None:
    found = sessions(TUESDAY, "09:00", "11:00")
    supervision = [Interval(at(TUESDAY, "09:50"), at(TUESDAY, "11:00"))]
    assert week(found, other=supervision).days[0].no_break is True
    assert week(found).days[0].longest_break_minutes == 70


def test_held_time_covering_a_suggestion_marks_it_held() -> None:
    found = sessions(TUESDAY, "13:00", "13:55", "14:50")
    hold = Held("h1", at(TUESDAY, "15:40"), at(TUESDAY, "15:50"))
    result = week(found, held=[hold])
    [suggestion] = result.suggestions
    assert suggestion.held_id == "h1"
    assert result.days[0].held == (hold,)
    # The suggestion is stable: same id whether or not it is held.
    assert week(found).suggestions[0].id == suggestion.id


def test_time_off_days_get_no_suggestion_and_past_holds_are_not_offered() -> None:
    found = sessions(TUESDAY, "13:00", "13:55", "14:50")
    assert week(found, time_off=frozenset({TUESDAY})).suggestions == ()
    assert week(found, time_off=frozenset({TUESDAY})).days[0].time_off is True
    late = week_ahead(
        days=DAYS,
        zone=NY,
        now=at(TUESDAY, "15:45"),
        sessions=found,
        other_busy=[],
        time_off=frozenset(),
        held=[],
    )
    assert late.suggestions == ()


def test_sessions_are_counted_on_their_local_day() -> None:
    # 23:30 in New York on Tuesday is Wednesday in UTC: it still counts for Tuesday.
    result = week(sessions(TUESDAY, "23:30", minutes=20))
    assert [d.session_count for d in result.days] == [1, 0, 0, 0, 0, 0, 0]
