"""Plain-words correlations: shown only with 3+ days on each side."""

from __future__ import annotations

from datetime import date, timedelta

from interlude.wellbeing.correlations import build_days, find
from interlude.wellbeing.indicators import CheckInFact, DayLoad

START = date(2026, 11, 1)


def _days(runs_and_energy):
    checkins, loads = [], {}
    for n, (run, energy) in enumerate(runs_and_energy):
        day = START + timedelta(days=n)
        checkins.append(CheckInFact(day, energy))
        loads[day] = DayLoad(date=day, sessions=run, longest_run=run)
    return build_days(checkins, loads)


def test_back_to_back_sentence_with_day_count():
    days = _days([(3, 4), (4, 4), (3, 5), (1, 7), (0, 6), (2, 6)])
    [found] = [c for c in find(days) if c.factor == "back_to_back"]
    assert found.sentence == (
        "On days with 3+ back-to-back sessions, your energy averaged 4.3, "
        "against 6.3 on other days (6 days)."
    )
    assert (found.days_with, found.days_without) == (3, 3)


def test_two_days_on_one_side_is_not_enough():
    days = _days([(3, 4), (4, 4), (1, 7), (0, 6), (2, 6), (1, 6)])
    assert [c for c in find(days) if c.factor == "back_to_back"] == []


def test_no_data_no_correlations():
    assert find([]) == []
    assert find(_days([(3, 4)])) == []


def test_unknown_days_are_left_out_and_several_check_ins_merge():
    day = START
    checkins = [
        CheckInFact(day, 4, moved=False),
        CheckInFact(day, 6, moved=True),  # merged: moved, 5
        CheckInFact(day + timedelta(days=1), 8, moved=None),  # unknown: left out
    ]
    days = build_days(checkins, {})
    assert days[0].energy == 5 and days[0].moved is True
    assert days[1].moved is None
    assert days[0].load is None


def test_factors_from_check_ins_and_breaks():
    checkins = []
    loads = {}
    for n in range(8):
        day = START + timedelta(days=n)
        good = n % 2 == 0
        checkins.append(
            CheckInFact(
                day, 8 if good else 4, sleep_quality=5 if good else 2, moved=good, connected=good
            )
        )
        loads[day] = DayLoad(date=day, breaks_planned=4, breaks_taken=3 if good else 0)
    found = {c.factor: c for c in find(build_days(checkins, loads))}
    assert set(found) >= {"moved", "connected", "slept_well", "breaks_taken"}
    assert found["moved"].energy_with == 8 and found["moved"].energy_without == 4
    assert found["moved"].days == 8
