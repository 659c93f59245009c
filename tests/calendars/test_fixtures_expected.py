"""Each fixture calendar, served over HTTP and read through the API, gives exactly the
instances written out here by hand (clock: Monday 2026-11-23 14:00 UTC, user in New York;
sync window 2026-11-22 14:00Z .. 2026-12-08 14:00Z)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from .conftest import add_feed, appointments, slots
from .feedserver import FeedServer

S, OTHER = "session", "other"

EXPECTED = {
    "busy_rules.ics": (
        # all-day: never a session, placed at the user's local midnight (EST = UTC-5)
        [
            ("2026-11-24T05:00Z", "2026-11-25T05:00Z", OTHER, False, True),
            # Zoom link: telehealth
            ("2026-11-24T15:00Z", "2026-11-24T15:50Z", S, True, False),
            ("2026-11-24T16:00Z", "2026-11-24T16:50Z", S, False, False),
        ],
        # cancelled, transparent, declined-by-the-owner and CDO "FREE" events are not busy
        [],
    ),
    "custom_tzid_plus1.ics": ([("2026-11-24T09:00Z", "2026-11-24T09:50Z", S, False, False)], []),
    "custom_tzid_minus5.ics": ([("2026-11-24T15:00Z", "2026-11-24T15:50Z", S, False, False)], []),
    "floating_and_xwr.ics": (
        # floating 11:00 means 11:00 in the user's zone (New York, EST)
        [
            ("2026-11-24T16:00Z", "2026-11-24T16:50Z", S, False, False),
            ("2026-11-25T18:00Z", "2026-11-25T18:50Z", S, False, False),
        ],
        [],
    ),
    "windows_zones.ics": (
        [
            ("2026-11-24T17:00Z", "2026-11-24T17:50Z", S, False, False),  # Pacific Standard Time
            ("2026-11-25T13:00Z", "2026-11-25T13:50Z", S, False, False),  # W. Europe Standard Time
            # weekly Fridays 11:00 Eastern; 27 Nov and 11 Dec excluded on one folded EXDATE line
            ("2026-12-04T16:00Z", "2026-12-04T16:30Z", S, True, False),
        ],
        [],
    ),
    "overrides.ics": (
        [
            ("2026-11-23T14:00Z", "2026-11-23T14:50Z", S, False, False),
            # THISANDFUTURE from 30 Nov: one hour later
            ("2026-11-30T15:00Z", "2026-11-30T15:50Z", S, False, False),
            # 1 Dec moved to 2 Dec 15:00; 24 Nov cancelled by an override; 26 Nov EXDATE
            ("2026-12-02T20:00Z", "2026-12-02T20:50Z", S, False, False),
            ("2026-12-03T18:00Z", "2026-12-03T18:50Z", S, False, False),
            ("2026-12-07T15:00Z", "2026-12-07T15:50Z", S, False, False),
        ],
        [],
    ),
    "malformed.ics": (
        [
            ("2026-11-23T15:00Z", "2026-11-23T15:15Z", S, False, False),  # "BYDAY=MO, TU" repaired
            (
                "2026-11-24T07:00Z",
                "2026-11-24T07:50Z",
                S,
                False,
                False,
            ),  # despite TZOFFSETFROM:+5328
            ("2026-11-24T15:00Z", "2026-11-24T15:15Z", S, False, False),
            ("2026-11-25T15:00Z", "2026-11-25T15:15Z", S, False, False),
            (
                "2026-11-25T18:00Z",
                "2026-11-25T18:50Z",
                S,
                False,
                False,
            ),  # unreadable rule: first only
            ("2026-11-26T15:00Z", "2026-11-26T15:15Z", S, False, False),
            ("2026-11-27T15:00Z", "2026-11-27T15:15Z", S, False, False),
        ],
        ["malformed time zone offset", "stray spaces", "cannot be read"],
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_gives_the_hand_written_instances(
    name: str, client: TestClient, auth: dict[str, str], feeds: FeedServer
) -> None:
    expected, warning_parts = EXPECTED[name]
    created = add_feed(client, auth, feeds.fixture(name))
    assert created["status"] == "ok"
    assert slots(appointments(client, auth)) == expected
    warnings = " | ".join(created["warnings"])
    for part in warning_parts:
        assert part in warnings
    if not warning_parts:
        assert created["warnings"] == []


def test_two_feeds_with_the_same_custom_tzid_keep_their_own_offsets(
    client: TestClient, auth: dict[str, str], other_auth: dict[str, str], feeds: FeedServer
) -> None:
    # One therapist at +01:00, another at -05:00, both calling it "Customized Time Zone":
    # whichever is read first must not decide the other's offsets (both orders).
    for first, second in ((auth, other_auth), (other_auth, auth)):
        for who in (first, second):
            for source in client.get("/api/v1/calendars", headers=who).json():
                client.delete(f"/api/v1/calendars/{source['id']}", headers=who)
        add_feed(client, first, feeds.fixture("custom_tzid_plus1.ics"))
        add_feed(client, second, feeds.fixture("custom_tzid_minus5.ics"))
        plus1 = auth if first is auth else other_auth
        minus5 = other_auth if first is auth else auth
        assert [r[0] for r in slots(appointments(client, plus1))] == ["2026-11-24T09:00Z"]
        assert [r[0] for r in slots(appointments(client, minus5))] == ["2026-11-24T15:00Z"]


def test_bombs_are_capped_fast_and_warned(
    client: TestClient, auth: dict[str, str], feeds: FeedServer
) -> None:
    created = add_feed(client, auth, feeds.fixture("bombs.ics"))
    assert created["status"] == "ok"
    assert any("every minute or second" in w for w in created["warnings"])
    rows = appointments(client, auth)
    # 1,000 per high-frequency series + 16 daily 06:00 instances + the one real session
    assert len(rows) == 1000 + 1000 + 16 + 1
    assert ("2026-11-24T15:00Z", "2026-11-24T15:50Z", S, False, False) in slots(rows)
    daily = [r for r in slots(rows) if r[0].endswith("T11:00Z") and r[1].endswith("T11:15Z")]
    assert len(daily) == 16
