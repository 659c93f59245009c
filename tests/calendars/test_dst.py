"""Weekly sessions keep their local wall-clock time across DST changes (9:00 stays 9:00).

Series: every Monday 09:00-09:50 local from Monday 2026-09-07. Expected UTC instants are
written out by hand for each zone and transition; the clock is set just before each one.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from interlude.accounts.models import User
from interlude.core.clock import FrozenClock
from tests.factories import login_headers

from .conftest import add_feed, appointments
from .feedserver import FeedServer, Route

CASES = {
    # zone, clock (UTC), expected session starts (UTC)
    "new-york-autumn": (
        "America/New_York",
        datetime(2026, 10, 25, 12, tzinfo=UTC),
        ["2026-10-26T13:00:00Z", "2026-11-02T14:00:00Z"],  # EDT -> EST on 1 Nov
    ),
    "new-york-spring": (
        "America/New_York",
        datetime(2027, 3, 7, 12, tzinfo=UTC),
        ["2027-03-08T14:00:00Z", "2027-03-15T13:00:00Z"],  # EST -> EDT on 14 Mar
    ),
    "london-autumn": (
        "Europe/London",
        datetime(2026, 10, 18, 12, tzinfo=UTC),
        ["2026-10-19T08:00:00Z", "2026-10-26T09:00:00Z", "2026-11-02T09:00:00Z"],
    ),
    "london-spring": (
        "Europe/London",
        datetime(2027, 3, 20, 12, tzinfo=UTC),
        ["2027-03-22T09:00:00Z", "2027-03-29T08:00:00Z"],  # GMT -> BST on 28 Mar
    ),
    "sydney-spring": (
        "Australia/Sydney",
        datetime(2026, 9, 26, 0, tzinfo=UTC),
        ["2026-09-27T23:00:00Z", "2026-10-04T22:00:00Z"],  # AEST -> AEDT on 4 Oct
    ),
    "sydney-autumn": (
        "Australia/Sydney",
        datetime(2027, 3, 27, 0, tzinfo=UTC),
        ["2027-03-28T22:00:00Z", "2027-04-04T23:00:00Z"],  # AEDT -> AEST on 4 Apr
    ),
}


def weekly_feed(zone: str) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//DST//EN\r\n"
        "BEGIN:VEVENT\r\nUID:weekly-dst@example.test\r\nDTSTAMP:20260901T000000Z\r\n"
        f"DTSTART;TZID={zone}:20260907T090000\r\nDTEND;TZID={zone}:20260907T095000\r\n"
        "RRULE:FREQ=WEEKLY;BYDAY=MO\r\nSUMMARY:ZZSENTINEL Client Name\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


@pytest.mark.parametrize("case", sorted(CASES))
def test_weekly_session_keeps_wall_clock_time(
    case: str, client: TestClient, user: User, feeds: FeedServer, clock: FrozenClock
) -> None:
    zone, now, expected = CASES[case]
    clock.set(now)
    auth = login_headers(client, user.email)  # a login valid at the new instant
    add_feed(client, auth, feeds.add("/weekly.ics", Route(body=weekly_feed(zone))))
    rows = appointments(client, auth, "2026-09-01T00:00:00Z", "2027-06-01T00:00:00Z")
    assert [r["start"] for r in rows] == expected
    assert all(r["kind"] == "session" for r in rows)
