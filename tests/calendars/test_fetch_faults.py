"""Hostile and broken feeds over real HTTP: a clear status, never a 500, and the last good
appointments kept."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from interlude.core.clock import FrozenClock

from .conftest import add_feed, appointments
from .feedserver import FIXTURES, FeedServer, Route

GOOD = (FIXTURES / "overrides.ics").read_bytes()
HUGE = b"BEGIN:VCALENDAR\r\n" + b"X-PAD:" + b"x" * (10 * 1024 * 1024 + 10) + b"\r\n"

FAULTS = {
    "404": (Route(status=404, body=b"nope"), "does not exist (HTTP 404)"),
    "500": (Route(status=500, body=b"boom"), "had an error (HTTP 500)"),
    "403": (Route(status=403, body=b"no"), "refused access (HTTP 403)"),
    "html": (
        Route(body=b"<!DOCTYPE html><html>Sign in</html>", content_type="text/html"),
        "web page",
    ),
    "html-as-calendar": (Route(body=b"<html><body>hi</body></html>"), "web page"),
    "garbage": (Route(body=b"\x89PNG\r\n\x1a\n\x00\x00garbage"), "not an iCalendar file"),
    "broken-ical": (
        Route(body=b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2026\r\n"),
        "incomplete",
    ),
    "bad-structure": (
        Route(body=b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n"),
        "not valid iCalendar",
    ),
    "huge-declared": (Route(body=HUGE), "larger than 10 MB"),
    "huge-streamed": (Route(body=HUGE, omit_length=True), "larger than 10 MB"),
    "slow-headers": (Route(body=GOOD, delay=2.5), "did not answer in time"),
    "hangs-mid-body": (Route(body=GOOD, hang_after=200), "did not answer in time"),
    "trickles": (Route(body=b"BEGIN:VCALENDAR\r\n" + b"X" * 20000, trickle=0.4), "too slowly"),
    # One header byte every 0.3 s: never 1 s (the read timeout) without a byte.
    "trickles-headers": (Route(body=GOOD, header_trickle=0.3), "too slowly"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_failing_feed_keeps_the_last_good_appointments(
    fault: str, client: TestClient, auth: dict[str, str], feeds: FeedServer
) -> None:
    route = Route(body=GOOD)
    url = feeds.add("/feed.ics", route)
    created = add_feed(client, auth, url)
    before = appointments(client, auth)
    assert len(before) == 5

    bad, message = FAULTS[fault]
    feeds.add("/feed.ics", bad)
    response = client.post(f"/api/v1/calendars/{created['id']}/sync", headers=auth)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["status"] == "error"
    assert message in result["error"]
    assert result["counts"] == {"added": 0, "changed": 0, "removed": 0}
    assert appointments(client, auth) == before
    source = client.get(f"/api/v1/calendars/{created['id']}", headers=auth).json()
    assert source["status"] == "error"
    assert message in source["last_error"]
    assert source["consecutive_failures"] == 1


def test_first_read_of_a_failing_feed_is_refused_not_500(
    client: TestClient, auth: dict[str, str], feeds: FeedServer
) -> None:
    for name, (route, message) in FAULTS.items():
        if name in ("slow-headers", "hangs-mid-body", "trickles", "trickles-headers"):
            continue  # covered above; keep this loop quick
        url = feeds.add(f"/{name}", route)
        response = client.post(
            "/api/v1/calendars", json={"kind": "ics_url", "url": url}, headers=auth
        )
        assert response.status_code == 422, (name, response.text)
        assert message in response.json()["error"]["message"]


def test_add_calendar_ends_at_the_deadline_when_headers_trickle(
    client: TestClient, auth: dict[str, str], feeds: FeedServer
) -> None:
    """The deadline covers connect + headers + body: a server sending one header byte at a
    time (here every 0.3 s, so no single read waits the 1 s read timeout) is cut off at the
    3 s total the test's limits set, instead of after the ~80 s its headers would take."""
    url = feeds.add("/trickle-head.ics", Route(body=GOOD, header_trickle=0.3))
    began = time.monotonic()
    response = client.post("/api/v1/calendars", json={"kind": "ics_url", "url": url}, headers=auth)
    took = time.monotonic() - began
    assert response.status_code == 422, response.text
    assert "too slowly" in response.json()["error"]["message"]
    assert took < 3.0 + 2.0, f"add calendar waited {took:.1f} s"  # the 3 s deadline + slack
    assert client.get("/api/v1/calendars", headers=auth).json() == []


def test_redirects_are_followed_up_to_five(
    client: TestClient, auth: dict[str, str], feeds: FeedServer
) -> None:
    target = feeds.add("/final.ics", Route(body=GOOD))
    previous = target
    for hop in range(5):
        previous = feeds.add(f"/hop{hop}", Route(redirect_to=previous))
    assert add_feed(client, auth, previous)["appointment_count"] == 5

    too_many = feeds.add("/hop5", Route(redirect_to=previous))
    response = client.post(
        "/api/v1/calendars", json={"kind": "ics_url", "url": too_many}, headers=auth
    )
    assert response.status_code == 422
    assert "redirects more than 5 times" in response.json()["error"]["message"]

    ftp = feeds.add("/to-ftp", Route(redirect_to="ftp://example.com/x.ics"))
    response = client.post("/api/v1/calendars", json={"kind": "ics_url", "url": ftp}, headers=auth)
    assert response.status_code == 422
    assert "https://" in response.json()["error"]["message"]


def test_etag_304_path_and_daily_horizon_refresh(
    client: TestClient, auth: dict[str, str], feeds: FeedServer, clock: FrozenClock
) -> None:
    route = Route(body=GOOD, etag='"v1"')
    created = add_feed(client, auth, feeds.add("/etag.ics", route))
    sync = f"/api/v1/calendars/{created['id']}/sync"

    result = client.post(sync, headers=auth).json()
    assert result["unchanged"] is True and result["status"] == "ok"
    assert route.conditional_hits == 1 and route.hits == 2

    # Two days later the window has moved past what was expanded: read it in full again.
    clock.advance(timedelta(days=2))
    result = client.post(sync, headers=auth).json()
    assert result["unchanged"] is False
    assert route.conditional_hits == 1 and route.hits == 3
    assert result["counts"]["added"] >= 1  # the window now reaches further


def test_same_body_without_validators_is_not_reparsed(
    client: TestClient, auth: dict[str, str], feeds: FeedServer
) -> None:
    created = add_feed(client, auth, feeds.add("/plain.ics", Route(body=GOOD)))
    result = client.post(f"/api/v1/calendars/{created['id']}/sync", headers=auth).json()
    assert result["unchanged"] is True


def test_failures_back_off_and_success_resets(
    client: TestClient, auth: dict[str, str], feeds: FeedServer, clock: FrozenClock
) -> None:
    route = Route(body=GOOD)
    created = add_feed(client, auth, feeds.add("/flaky.ics", route))
    path = f"/api/v1/calendars/{created['id']}"
    feeds.add("/flaky.ics", Route(status=500))
    delays = []
    for _ in range(3):
        client.post(f"{path}/sync", headers=auth)
        source = client.get(path, headers=auth).json()
        due = datetime.fromisoformat(source["next_sync_at"].replace("Z", "+00:00"))
        delays.append((due - clock.now()).total_seconds() / 60)
    # Exponential from the 4-minute interval, each with jitter (half to the whole step).
    for delay, step in zip(delays, (4, 8, 16), strict=True):
        assert step / 2 <= delay <= step, delays
    assert source["consecutive_failures"] == 3
    feeds.add("/flaky.ics", route)
    assert client.post(f"{path}/sync", headers=auth).json()["status"] == "ok"
    source = client.get(path, headers=auth).json()
    assert source["consecutive_failures"] == 0 and source["last_error"] is None
