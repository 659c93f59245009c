"""Recurring commitments: weekly, biweekly, monthly occurrences across DST and zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from interlude.wellbeing.commitments import CommitmentRule, count_by_kind, occurrences, occurs_on

NY = ZoneInfo("America/New_York")


def rule(frequency: str, starts_on: date, weekday: int = 1, kind: str = "supervision"):
    return CommitmentRule(
        id="c1",
        kind=kind,
        weekday=weekday,
        start_time=time(10, 0),
        duration_minutes=60,
        frequency=frequency,
        starts_on=starts_on,
    )


def test_weekly_keeps_local_time_across_dst():
    found = occurrences(
        [rule("weekly", date(2026, 10, 20))],
        start=datetime(2026, 10, 26, tzinfo=UTC),
        end=datetime(2026, 11, 11, tzinfo=UTC),
        zone=NY,
    )
    assert [o.local_date for o in found] == [
        date(2026, 10, 27),
        date(2026, 11, 3),
        date(2026, 11, 10),
    ]
    # 10:00 EDT is 14:00 UTC; after 1 November 10:00 EST is 15:00 UTC.
    assert [o.start.hour for o in found] == [14, 15, 15]
    assert all((o.end - o.start).total_seconds() == 3600 for o in found)


def test_biweekly_parity_follows_the_first_occurrence():
    biweekly = rule("biweekly", date(2026, 11, 1))  # first Tuesday on/after: 3 November
    assert occurs_on(biweekly, date(2026, 11, 3))
    assert not occurs_on(biweekly, date(2026, 11, 10))
    assert occurs_on(biweekly, date(2026, 11, 17))
    assert not occurs_on(biweekly, date(2026, 10, 20))  # before it starts


def test_monthly_same_week_of_the_month_and_fifth_means_last():
    second_tuesday = rule("monthly", date(2026, 11, 10))
    assert occurs_on(second_tuesday, date(2026, 12, 8))
    assert not occurs_on(second_tuesday, date(2026, 12, 15))
    fifth = rule("monthly", date(2026, 12, 29))  # the fifth Tuesday of December 2026
    assert occurs_on(fifth, date(2027, 1, 26))  # January's last Tuesday is its fourth
    assert not occurs_on(fifth, date(2027, 1, 19))


def test_count_by_kind_and_empty():
    assert count_by_kind([]) == {"supervision": 0, "peer": 0, "personal_therapy": 0}
    found = occurrences(
        [rule("weekly", date(2026, 11, 1)), rule("weekly", date(2026, 11, 1), 3, "peer")],
        start=datetime(2026, 11, 23, 5, tzinfo=UTC),
        end=datetime(2026, 11, 30, 5, tzinfo=UTC),
        zone=NY,
    )
    assert count_by_kind(found) == {"supervision": 1, "peer": 1, "personal_therapy": 0}
