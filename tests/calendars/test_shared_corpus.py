"""An extra check against real-world exports kept next to the repository
(../shared/calendars, read-only). The project's own fixtures are the main tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from interlude.calendars.classify import Rule
from interlude.calendars.parse import Window, decode, read_calendars

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "calendars"
pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="optional real-world corpus ../shared/calendars not present"
)


def read(name: str, start: datetime, days: int = 60, zone: str = "America/New_York"):  # type: ignore[no-untyped-def]
    window = Window(start, start + timedelta(days=days), ZoneInfo(zone))
    return read_calendars([decode((CORPUS / name).read_bytes())], window=window, rule=Rule())


def test_exchange_multi_exdate_on_one_line() -> None:
    result = read(
        "icalevents_exchange2010_eastern_multi_exdate.ics", datetime(2022, 3, 1, tzinfo=UTC)
    )
    # Fridays 11 Mar .. 29 Apr 2022 at 11:00 Eastern, minus 18 Mar, 1 Apr and 8 Apr
    assert len(result.instances) == 5
    assert all(i.telehealth for i in result.instances)  # "Microsoft Teams Meeting"
    assert {i.start.astimezone(ZoneInfo("America/New_York")).hour for i in result.instances} == {11}


def test_cdo_nonstandard_tzid_and_spaced_rrule_are_not_dropped() -> None:
    result = read("icalendar_ms_cdo_nonstandard_tzid.ics", datetime(2015, 7, 1, tzinfo=UTC))
    # weekdays 3..22 July 2015 at 10:00 (+02:00 in summer) = 08:00 UTC
    assert len(result.instances) == 14
    assert {i.start.hour for i in result.instances} == {8}
    assert any("stray spaces" in w for w in result.warnings)


def test_icloud_malformed_offset_is_repaired() -> None:
    result = read("icalevents_icloud_us_pacific_exdate.ics", datetime(2020, 10, 20, tzinfo=UTC))
    assert result.instances
    assert any("TZOFFSETFROM" in w for w in result.warnings)


def test_every_corpus_file_reads_without_error() -> None:
    for path in sorted(CORPUS.glob("*.ics")):
        for year in range(2011, 2024):
            read(path.name, datetime(year, 1, 1, tzinfo=UTC), days=366)
