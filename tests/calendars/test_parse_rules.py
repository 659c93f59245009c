"""Parse-level rules that are awkward to reach through a whole feed: caps, the far-event
pre-filter, unknown zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from interlude.calendars.classify import Rule
from interlude.calendars.parse import (
    MAX_INSTANCES_PER_CALENDAR,
    MAX_INSTANCES_PER_SERIES,
    Window,
    read_calendars,
)

NOW = datetime(2026, 11, 23, 14, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(days=1), NOW + timedelta(days=15), ZoneInfo("America/New_York"))


def calendar(*events: str) -> str:
    body = "".join(
        f"BEGIN:VEVENT\r\nUID:e{i}@example.test\r\nDTSTAMP:20261101T000000Z\r\n{e}END:VEVENT\r\n"
        for i, e in enumerate(events)
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//T//T//EN\r\n{body}END:VCALENDAR\r\n"


def test_calendar_cap_applies_across_series() -> None:
    bomb = "DTSTART:20261101T000000Z\r\nDURATION:PT1M\r\nRRULE:FREQ=MINUTELY\r\n"
    result = read_calendars([calendar(*[bomb] * 7)], window=WINDOW, rule=Rule())
    assert len(result.instances) == MAX_INSTANCES_PER_CALENDAR
    assert any("more than 5000 events" in w for w in result.warnings)


def test_minutely_count_is_honoured_after_fast_forward() -> None:
    # Started 2026-11-22 13:00Z, 120 instances: the first 60 fall before the window start
    # (14:00Z), so 60 remain.
    event = "DTSTART:20261122T130000Z\r\nDURATION:PT1M\r\nRRULE:FREQ=MINUTELY;COUNT=120\r\n"
    result = read_calendars([calendar(event)], window=WINDOW, rule=Rule())
    assert len(result.instances) == 60
    assert result.instances[0].start == datetime(2026, 11, 22, 14, 0, tzinfo=UTC)
    assert len(result.instances) < MAX_INSTANCES_PER_SERIES


def test_far_single_events_are_skipped_but_long_and_recurring_ones_kept() -> None:
    events = [
        "DTSTART:20250101T100000Z\r\nDTEND:20250101T110000Z\r\n",  # long ago: skipped
        "DTSTART;VALUE=DATE:20261101\r\nDTEND;VALUE=DATE:20261201\r\n",  # spans the window
        "DTSTART:20200106T150000Z\r\nDTEND:20200106T155000Z\r\nRRULE:FREQ=WEEKLY\r\n",
        "DTSTART:20200101T000000Z\r\nDURATION:P3000D\r\n",  # kept for the parser to judge
    ]
    result = read_calendars([calendar(*events)], window=WINDOW, rule=Rule())
    kinds = sorted((i.all_day, i.start.isoformat()) for i in result.instances)
    # The all-day month starts before the window, so only what starts inside is stored:
    # the two Mondays of the weekly series.
    assert kinds == [
        (False, "2026-11-23T15:00:00+00:00"),
        (False, "2026-11-30T15:00:00+00:00"),
        (False, "2026-12-07T15:00:00+00:00"),
    ]


def test_unknown_zone_without_definition_means_the_users_zone() -> None:
    event = (
        "DTSTART;TZID=Mars/Olympus:20261124T110000\r\nDTEND;TZID=Mars/Olympus:20261124T115000\r\n"
    )
    result = read_calendars([calendar(event)], window=WINDOW, rule=Rule())
    assert [i.start for i in result.instances] == [datetime(2026, 11, 24, 16, tzinfo=UTC)]
    assert any("not recognised" in w for w in result.warnings)


def test_positions_count_every_event_in_the_file_even_those_skipped_as_far() -> None:
    far = "DTSTART:20200101T090000Z\r\nDTEND:20200101T100000Z\r\n"
    bad = "DTSTART:notadate\r\n"
    good = "DTSTART:20261125T150000Z\r\nDTEND:20261125T155000Z\r\n"
    events = [far, far, bad, good, *[bad] * 7]
    result = read_calendars([calendar(*events)], window=WINDOW, rule=Rule())
    assert len(result.instances) == 1
    assert result.warnings == [
        "Events 3, 5, 6, 7, 8 and 3 more have an unreadable start time; they were skipped."
    ]


def test_a_repeating_warning_only_for_events_that_repeat() -> None:
    lone = "DTSTART:20261125T150000Z\r\nDTEND:20261125T155000Z\r\nRRULE:FREQ=FORTNIGHTLY\r\n"
    result = read_calendars([calendar(lone, "SUMMARY:no start\r\n")], window=WINDOW, rule=Rule())
    assert result.warnings == [
        "Event 2 has no start time; it was skipped.",
        "Event 1 repeats by a rule that cannot be read: only its first occurrence is shown. "
        "Check its repeat settings in your calendar.",
    ]
    assert len(result.instances) == 1
