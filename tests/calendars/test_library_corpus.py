"""Every .ics file the installed icalendar and recurring-ical-events ship in their test folders,
read by Interlude and by the bare libraries under the documented rules (docs/calendars.md).

The oracle (``_bare``) is the libraries as their documentation shows them used:
``icalendar.Calendar.from_ical`` + ``x_wr_timezone.to_standard`` +
``recurring_ical_events.of(..., skip_bad_series=True).between``, plus the documented rules
written out small: an event whose start cannot be read is skipped; busy means not cancelled,
not transparent, not "free"; floating and all-day times are in the user's zone; an instance
belongs to the window it starts in. Busy intervals must be equal, except for the files in
``INTENDED``, each with its reason (the list is checked both ways: a difference that
disappears must leave it too). Parsing is in-process here (a pass over ~260 files takes a
few seconds); the files that fail or warn also go through the upload API (no 5xx).
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
import recurring_ical_events
import x_wr_timezone
from fastapi.testclient import TestClient
from icalendar import Component

from interlude.calendars.classify import Rule
from interlude.calendars.parse import CalendarParseError, Window, decode, read_calendars

ZONE = "America/New_York"
_ICALENDAR_TESTS = Path(icalendar.__file__).parent / "tests"
_RIE_TESTS = Path(recurring_ical_events.__file__).parent / "test"
FILES = sorted([*_ICALENDAR_TESTS.rglob("*.ics"), *_RIE_TESTS.rglob("*.ics")])

_UNREADABLE_RULE = "the rule cannot be read: Interlude shows the first instance, with a warning"
_UNKNOWN_ZONE = (
    "a TZID with no VTIMEZONE and no known meaning: Interlude uses the user's zone, "
    "icalendar reads it as UTC"
)
# file (relative to its package) -> why Interlude's busy intervals differ from the bare ones
INTENDED = {
    "icalendar/tests/calendars/issue_1081_invalid_rrule_freq.ics": _UNREADABLE_RULE,
    "recurring_ical_events/test/calendars/bad_rrule_missing_until_event.ics": _UNREADABLE_RULE,
    "icalendar/tests/calendars/rfc_7529.ics": _UNREADABLE_RULE + " (RSCALE)",
    "icalendar/tests/calendars/issue_165_missing_event.ics": (
        "BYDAY=MO, TU, ... with spaces: Interlude repairs the rule, the bare call drops the series"
    ),
    "icalendar/tests/calendars/parsing_error.ics": (
        "an empty EXDATE: Interlude ignores that value (warning), the bare call drops the series"
    ),
    "icalendar/tests/events/issue_464_invalid_rdate.ics": (
        "an unreadable RDATE: Interlude ignores that value (warning) and shows the event, the "
        "bare call drops it"
    ),
    "icalendar/tests/calendars/issue_526_calendar_with_different_events.ics": _UNKNOWN_ZONE,
    "icalendar/tests/calendars/issue_526_calendar_with_event_subset.ics": _UNKNOWN_ZONE,
    "icalendar/tests/calendars/issue_526_calendar_with_events.ics": _UNKNOWN_ZONE,
    "icalendar/tests/calendars/issue_526_calendar_with_shuffeled_events.ics": _UNKNOWN_ZONE,
}
# Files the bare libraries cannot read at all (whole-calendar errors) are only checked for
# "no crash, no 5xx": there is nothing to compare.


def _name(path: Path) -> str:
    return str(path).split("site-packages/", 1)[1]


def _utc(value: date | datetime, zone: Any) -> datetime:
    if isinstance(value, datetime):
        return (value.replace(tzinfo=zone) if value.tzinfo is None else value).astimezone(UTC)
    return datetime(value.year, value.month, value.day, tzinfo=zone).astimezone(UTC)


def _placeable(event: Component) -> bool:
    """The documented rule: an event whose start, end or override id cannot be read is
    skipped (the bare call would fail the whole calendar on it)."""
    broken = {str(name).upper() for name, _ in event.errors}
    return "DTSTART" in event and not broken & {"DTSTART", "DTEND", "DURATION", "RECURRENCE-ID"}


def _busy(component: Component) -> bool:
    return not (
        str(component.get("STATUS", "")).upper() == "CANCELLED"
        or str(component.get("TRANSP", "")).upper() == "TRANSPARENT"
        or str(component.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper() == "FREE"
    )


@dataclass
class Bare:
    window: Window | None  # None: the bare libraries cannot read the file
    busy: Counter[tuple[datetime, datetime]]


def _bare(data: bytes) -> Bare:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(ZONE)
    try:
        parsed = icalendar.Calendar.from_ical(data, multiple=True)
    except Exception:
        return Bare(None, Counter())
    calendar = icalendar.Calendar()
    for part in parsed:
        for sub in part.subcomponents if part.name == "VCALENDAR" else [part]:
            calendar.add_component(sub)
    for part in parsed[:1]:
        for key, value in part.items():
            calendar[key] = value
    events = [e for e in calendar.walk("VEVENT") if _placeable(e)]
    starts = []
    for event in events:
        try:
            starts.append(_utc(event["DTSTART"].dt, zone))
        except Exception:
            continue
    first = min(starts, default=datetime(2026, 1, 1, tzinfo=UTC))
    window = Window(first - timedelta(days=1), first + timedelta(days=60), zone)
    calendar.subcomponents = [
        c for c in calendar.subcomponents if c.name != "VEVENT" or _placeable(c)
    ]
    try:
        standard = x_wr_timezone.to_standard(calendar)
        query = recurring_ical_events.of(standard, skip_bad_series=True)
        occurrences = list(query.between(window.start - timedelta(days=1), window.end))
    except Exception:
        return Bare(None, Counter())
    busy: Counter[tuple[datetime, datetime]] = Counter()
    for occurrence in occurrences:
        if occurrence.name != "VEVENT" or not _busy(occurrence):
            continue
        start = _utc(occurrence.start, zone)
        end = max(_utc(occurrence.end, zone), start)
        if window.start <= start < window.end:
            busy[(start, end)] += 1
    return Bare(window, busy)


@dataclass
class Ours:
    busy: Counter[tuple[datetime, datetime]] | None  # None: refused as unreadable
    warnings: list[str]
    error: str | None = None


def _ours(data: bytes, window: Window) -> Ours:
    try:
        result = read_calendars([decode(data)], window=window, rule=Rule())
    except CalendarParseError as exc:
        return Ours(None, [], exc.message)
    return Ours(Counter((i.start, i.end) for i in result.instances), result.warnings)


def test_the_corpus_is_there() -> None:
    assert len(FILES) >= 200, "icalendar / recurring-ical-events test calendars not found"


@pytest.fixture(scope="module")
def corpus() -> dict[str, tuple[Bare, Ours]]:
    readings = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # icalendar's GloballyUniqueTZIDGuessed and the like
        for path in FILES:
            data = path.read_bytes()
            bare = _bare(data)
            window = bare.window or Window(
                datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC), _zone()
            )
            readings[_name(path)] = (bare, _ours(data, window))
    return readings


def _zone() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(ZONE)


def test_no_whole_calendar_failure_where_the_bare_libraries_read_events(
    corpus: dict[str, tuple[Bare, Ours]],
) -> None:
    failures = {
        name: ours.error
        for name, (bare, ours) in corpus.items()
        if bare.window is not None and bare.busy and ours.busy is None
    }
    assert failures == {}


def test_busy_intervals_equal_the_bare_libraries_except_the_listed_differences(
    corpus: dict[str, tuple[Bare, Ours]],
) -> None:
    differing = {}
    for name, (bare, ours) in corpus.items():
        if bare.window is None or ours.busy is None:
            continue
        if bare.busy != ours.busy:
            only_bare = sorted(bare.busy - ours.busy)[:2]
            only_ours = sorted(ours.busy - bare.busy)[:2]
            differing[name] = f"only bare {only_bare}, only ours {only_ours}"
    unexpected = {k: v for k, v in differing.items() if k not in INTENDED}
    assert unexpected == {}
    assert sorted(INTENDED) == sorted(differing), "an intended difference is gone: update it"


def test_warnings_never_quote_the_feed(corpus: dict[str, tuple[Bare, Ours]]) -> None:
    for name, (_bare_reading, ours) in corpus.items():
        for warning in ours.warnings:
            assert "X-" not in warning.replace("(e.g. TZOFFSETFROM", ""), (name, warning)
            assert "None" not in warning, (name, warning)


def test_files_that_fail_or_warn_upload_without_a_server_error(
    corpus: dict[str, tuple[Bare, Ours]], client: TestClient, auth: dict[str, str]
) -> None:
    """Through the path a user takes (upload: parse process, database), for the files where
    something is refused, repaired or skipped: a 201 or a 4xx with a message, never a 5xx."""
    by_name = {_name(p): p for p in FILES}
    picked = [n for n, (bare, ours) in corpus.items() if ours.busy is None or ours.warnings]
    picked += [n for n, (bare, _ours) in corpus.items() if bare.window is None]
    assert len(picked) >= 20
    statuses: Counter[int] = Counter()
    for name in dict.fromkeys(picked):
        response = client.post(
            "/api/v1/calendars/upload",
            files={"file": ("corpus.ics", by_name[name].read_bytes(), "text/calendar")},
            headers=auth,
        )
        statuses[response.status_code] += 1
        assert response.status_code in (201, 422), (name, response.status_code, response.text)
        if response.status_code == 422:
            message = response.json()["error"]["message"]
            assert message and "could not be read: The calendar" not in message, name
    assert statuses[201] and statuses[422]
