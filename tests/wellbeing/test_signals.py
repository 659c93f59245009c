"""Early-warning rules, each at its boundary, with the clock injected."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from interlude.wellbeing.signals import (
    BreakWeek,
    SignalFacts,
    breaks_skipped,
    caseload,
    energy_drop,
    evaluate,
    warning_signs,
)

TODAY = date(2026, 11, 25)  # a Wednesday
THIS_WEEK = date(2026, 11, 23)
LAST_WEEK = THIS_WEEK - timedelta(days=7)
DIAGNOSTIC_WORDS = ("burnout", "burned out", "depress", "disorder", "diagnos", "symptom")


def facts(**overrides) -> SignalFacts:
    values = {"daily_energy": {}, "warning_signs": {}, "breaks": {}, "sessions": {}}
    values.update(overrides)
    return SignalFacts(**values)


def energy_series(recent: float, baseline: float, *, recent_days=7, baseline_days=28):
    series = {TODAY - timedelta(days=n): recent for n in range(recent_days)}
    series.update({TODAY - timedelta(days=7 + n): baseline for n in range(baseline_days)})
    return series


def test_no_data_no_signals():
    assert evaluate(facts(), now=datetime(2026, 11, 25, 15, tzinfo=UTC), zone=ZoneInfo("UTC")) == []


def test_energy_drop_at_exactly_two_points():
    signal = energy_drop(facts(daily_energy=energy_series(4.0, 6.0)), TODAY)
    assert signal is not None
    assert signal.code == "energy_drop"
    assert "4.0" in signal.detail and "6.0" in signal.detail
    assert "break" in signal.nudge
    assert energy_drop(facts(daily_energy=energy_series(4.1, 6.0)), TODAY) is None


def test_energy_drop_needs_enough_days():
    assert energy_drop(facts(daily_energy=energy_series(2, 8, recent_days=2)), TODAY) is None
    assert energy_drop(facts(daily_energy=energy_series(2, 8, recent_days=3)), TODAY) is not None
    assert energy_drop(facts(daily_energy=energy_series(2, 8, baseline_days=6)), TODAY) is None
    # One day of data only.
    assert energy_drop(facts(daily_energy={TODAY: 1.0}), TODAY) is None


def test_energy_baseline_excludes_the_recent_week():
    # Old days from more than 35 days ago do not count in the baseline.
    series = {TODAY - timedelta(days=n): 3.0 for n in range(7)}
    series.update({TODAY - timedelta(days=36 + n): 9.0 for n in range(10)})
    assert energy_drop(facts(daily_energy=series), TODAY) is None


def test_energy_nudge_mentions_support_only_when_none_is_booked():
    without = energy_drop(facts(daily_energy=energy_series(3, 7)), TODAY)
    with_support = energy_drop(
        facts(daily_energy=energy_series(3, 7), has_upcoming_support=True), TODAY
    )
    assert without and "book a peer check-in" in without.nudge
    assert with_support and "next supervision" in with_support.nudge


def test_warning_signs_two_weeks_running():
    two_weeks = {LAST_WEEK - timedelta(days=7): 3, LAST_WEEK: 4}
    signal = warning_signs(facts(warning_signs=two_weeks), TODAY)
    assert signal is not None and signal.evidence["counts"] == [3, 4]
    assert "supervision" in signal.nudge and "personal therapy" in signal.nudge
    # This week reviewed with fewer signs: the latest week is fine, no signal.
    calmer = {**two_weeks, THIS_WEEK: 1}
    assert warning_signs(facts(warning_signs=calmer), TODAY) is None
    # This week and last week both at 3.
    assert warning_signs(facts(warning_signs={LAST_WEEK: 3, THIS_WEEK: 3}), TODAY) is not None
    # Only one week, or a gap between the weeks.
    assert warning_signs(facts(warning_signs={LAST_WEEK: 5}), TODAY) is None
    gap = {LAST_WEEK: 5, LAST_WEEK - timedelta(days=14): 5}
    assert warning_signs(facts(warning_signs=gap), TODAY) is None
    assert warning_signs(facts(warning_signs={LAST_WEEK: 2, THIS_WEEK: 9}), TODAY) is None


def test_breaks_skipped_more_than_half_of_last_week():
    assert breaks_skipped(facts(breaks={LAST_WEEK: BreakWeek(10, 6)}), TODAY) is not None
    assert breaks_skipped(facts(breaks={LAST_WEEK: BreakWeek(10, 5)}), TODAY) is None  # half
    assert breaks_skipped(facts(breaks={LAST_WEEK: BreakWeek(3, 3)}), TODAY) is None  # too few
    assert breaks_skipped(facts(breaks={LAST_WEEK: BreakWeek(4, 3)}), TODAY) is not None
    # The current, unfinished week is not judged.
    assert breaks_skipped(facts(breaks={THIS_WEEK: BreakWeek(10, 10)}), TODAY) is None


def test_caseload_three_weeks_running():
    weeks = {THIS_WEEK - timedelta(days=7 * n): 26 for n in range(3)}
    signal = caseload(facts(sessions=weeks), TODAY)
    assert signal is not None and signal.evidence["counts"] == [26, 26, 26]
    at_limit = {**weeks, LAST_WEEK: 25}
    assert caseload(facts(sessions=at_limit), TODAY) is None
    assert caseload(facts(sessions=weeks, caseload_limit=30), TODAY) is None
    two_weeks = {THIS_WEEK: 30, LAST_WEEK: 30}
    assert caseload(facts(sessions=two_weeks), TODAY) is None


@pytest.mark.parametrize(
    ("instant", "zone", "fires"),
    [
        # Sunday 29 November 23:30 in New York is already Monday 30 November in UTC: in New
        # York "last week" is still the week of 16 November, so its skipped breaks count.
        (datetime(2026, 11, 30, 4, 30, tzinfo=UTC), "America/New_York", True),
        (datetime(2026, 11, 30, 4, 30, tzinfo=UTC), "UTC", False),
    ],
)
def test_the_clock_and_zone_decide_which_week_is_last(instant, zone, fires):
    data = facts(breaks={LAST_WEEK: BreakWeek(8, 8)})
    found = evaluate(data, now=instant, zone=ZoneInfo(zone))
    assert bool(found) is fires


def test_signals_never_use_diagnostic_language():
    data = facts(
        daily_energy=energy_series(2, 8),
        warning_signs={LAST_WEEK - timedelta(days=7): 6, LAST_WEEK: 6},
        breaks={LAST_WEEK: BreakWeek(10, 9)},
        sessions={THIS_WEEK - timedelta(days=7 * n): 40 for n in range(3)},
    )
    found = evaluate(data, now=datetime(2026, 11, 25, 15, tzinfo=UTC), zone=ZoneInfo("UTC"))
    assert {s.code for s in found} == {"energy_drop", "warning_signs", "breaks_skipped", "caseload"}
    for signal in found:
        text = f"{signal.title} {signal.detail} {signal.nudge}".lower()
        assert not any(word in text for word in DIAGNOSTIC_WORDS), text
