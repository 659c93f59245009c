"""Fresh to the minute: conditional requests (a 304 costs no parse and no re-plan), the polling
schedule by feed activity, polite backoff for 429/503 (Retry-After), and "freshen" for the app
open on Today (at most one check per calendar per minute)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interlude.calendars import service, sources, sync
from interlude.calendars.fetch import parse_retry_after
from interlude.core.clock import FrozenClock
from interlude.core.runtime import Runtime

from .conftest import ScheduleRecorder, add_feed, appointments
from .feedserver import FeedServer, Route

FRESHEN = "/api/v1/calendars/freshen"


def one_session(start: str = "20261123T150000Z", end: str = "20261123T155000Z") -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Fresh//EN\r\nBEGIN:VEVENT\r\n"
        "UID:client-a@example.test\r\nDTSTAMP:20261101T000000Z\r\n"
        f"DTSTART:{start}\r\nDTEND:{end}\r\nSUMMARY:ZZSENTINEL Client\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


class ParseCounter:
    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.real(*args, **kwargs)


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> ParseCounter:
    counter = ParseCounter(sources.read_isolated)
    monkeypatch.setattr(sources, "read_isolated", counter)
    return counter


def _source(client: TestClient, auth: dict[str, str]) -> dict[str, Any]:
    (source,) = client.get("/api/v1/calendars", headers=auth).json()
    return dict(source)


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.mark.parametrize("validator", ["etag", "last_modified"])
def test_an_unchanged_feed_answers_304_no_parse_no_replan_but_the_check_is_recorded(
    client: TestClient,
    auth: dict[str, str],
    feeds: FeedServer,
    clock: FrozenClock,
    parses: ParseCounter,
    schedule_changes: ScheduleRecorder,
    validator: str,
) -> None:
    kwargs = (
        {"etag": '"v1"'} if validator == "etag" else {"last_modified": format_datetime(clock.now())}
    )
    route = Route(body=one_session(), **kwargs)  # type: ignore[arg-type]
    created = add_feed(client, auth, feeds.add("/feed.ics", route))
    assert parses.calls == 1 and len(schedule_changes.calls) == 1
    clock.advance(minutes=3)
    result = client.post(f"/api/v1/calendars/{created['id']}/sync", headers=auth).json()
    assert result["unchanged"] is True
    assert route.conditional_hits == 1  # If-None-Match / If-Modified-Since sent, 304 answered
    assert parses.calls == 1  # no parse
    assert len(schedule_changes.calls) == 1  # no re-plan
    source = _source(client, auth)
    assert _at(source["last_synced_at"]) == clock.now()  # the check time, though nothing came
    assert _at(source["last_changed_at"]) == _at(created["created_at"])


def test_the_polling_schedule_follows_the_feeds_activity() -> None:
    now = datetime(2026, 11, 23, 14, 0).astimezone()

    def interval(quiet: timedelta) -> float:
        gap = service.poll_interval(
            last_changed_at=now - quiet, created_at=None, ceiling=4, now=now
        )
        return gap.total_seconds() / 60

    assert interval(timedelta(minutes=5)) == 2  # changed today: every 2 minutes
    assert interval(timedelta(days=3)) == 3  # this week: every 3
    assert interval(timedelta(days=60)) == 4  # quiet for long: every 4, never slower
    never = service.poll_interval(last_changed_at=None, created_at=None, ceiling=4, now=now)
    assert never == timedelta(minutes=4)


def test_a_change_reaches_the_plan_within_the_interval_in_the_worker(
    client: TestClient,
    auth: dict[str, str],
    feeds: FeedServer,
    runtime: Runtime,
    clock: FrozenClock,
    schedule_changes: ScheduleRecorder,
) -> None:
    route = Route(body=one_session(), etag='"v1"')
    add_feed(client, auth, feeds.add("/feed.ics", route))
    start = clock.now()
    # A quiet week of 30-second worker ticks (simulated; the ticks between two due times
    # find nothing due and are skipped): the feed is checked every 2, then 3, then 4 minutes.
    checks = []
    now = start
    while now < start + timedelta(days=8):
        due = _at(_source(client, auth)["next_sync_at"])
        ticks = -(-(due - start) // timedelta(seconds=30))  # the first tick at or after due
        now = start + ticks * timedelta(seconds=30)
        assert sync.run_due_syncs(runtime, now=now, owner="w") == 1
        checks.append(now)
    gaps = [(b - a).total_seconds() / 60 for a, b in itertools.pairwise(checks)]
    assert max(gaps) <= 4 and min(gaps) >= 1.5, (min(gaps), max(gaps))
    assert max(gaps[:100]) <= 2  # the first day: every 2 minutes (it was just added)
    assert min(gaps[-100:]) > 3.5  # after a quiet week: every 4 minutes
    # The client reschedules: the next check (within 4 minutes + a tick) re-plans.
    route.body, route.etag = one_session("20261201T160000Z", "20261201T165000Z"), '"v2"'
    changed_at = checks[-1] + timedelta(seconds=1)
    planned = len(schedule_changes.calls)
    now = changed_at
    while len(schedule_changes.calls) == planned:
        now += timedelta(seconds=30)
        sync.run_due_syncs(runtime, now=now, owner="w")
    assert now - changed_at <= timedelta(minutes=4, seconds=30)
    assert _at(_source(client, auth)["last_changed_at"]) == now


def test_retry_after_forms() -> None:
    assert parse_retry_after("120") == 120
    assert parse_retry_after("9999999") == 24 * 3600  # capped
    date = "Mon, 23 Nov 2026 14:00:00 GMT"
    assert parse_retry_after("Mon, 23 Nov 2026 14:10:00 GMT", date=date) == 600
    assert parse_retry_after("Mon, 23 Nov 2026 13:00:00 GMT", date=date) == 0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


@pytest.mark.parametrize(
    ("status", "headers", "at_least"),
    [
        (429, {"Retry-After": "3600"}, 60),
        (503, {"Retry-After": "in 30 min"}, 30),  # an HTTP-date, from the server's Date
        (503, {}, 2),  # no Retry-After: the backoff's own first step (4 min, jittered)
    ],
)
def test_429_and_503_are_honoured(
    client: TestClient,
    auth: dict[str, str],
    feeds: FeedServer,
    clock: FrozenClock,
    status: int,
    headers: dict[str, str],
    at_least: int,
) -> None:
    route = Route(body=one_session())
    created = add_feed(client, auth, feeds.add("/feed.ics", route))
    if headers.get("Retry-After") == "in 30 min":
        # The server's clock (its Date header, the wall clock here) is what the date is
        # measured from, not Interlude's (frozen in the test at another day).
        later = datetime.now(UTC) + timedelta(minutes=30, seconds=30)
        headers = {"Retry-After": format_datetime(later, usegmt=True)}
    feeds.add("/feed.ics", Route(status=status, headers=headers))
    clock.advance(minutes=3)
    result = client.post(f"/api/v1/calendars/{created['id']}/sync", headers=auth).json()
    assert result["status"] == "error" and "slow down" in result["error"]
    source = _source(client, auth)
    wait = (_at(source["next_sync_at"]) - clock.now()).total_seconds() / 60
    assert at_least <= wait <= max(at_least + 1, 4), wait
    assert len(appointments(client, auth)) == 1  # the last good read is kept
    # The app open on Today does not knock sooner than the server asked.
    clock.advance(minutes=1, seconds=30)
    fresh = client.post(FRESHEN, headers=auth).json()
    assert fresh["checked"] == 0


def test_freshen_checks_at_most_once_a_minute_and_reports_the_check_time(
    client: TestClient,
    auth: dict[str, str],
    feeds: FeedServer,
    clock: FrozenClock,
    parses: ParseCounter,
    schedule_changes: ScheduleRecorder,
) -> None:
    route = Route(body=one_session(), etag='"v1"')
    add_feed(client, auth, feeds.add("/feed.ics", route))
    added_at = clock.now()
    # Within the minute of the last check: answered "fresh" with no request to the feed.
    clock.advance(seconds=50)
    fresh = client.post(FRESHEN, headers=auth)
    assert fresh.status_code == 200, fresh.text
    assert fresh.json() == {
        "checked_at": added_at.isoformat().replace("+00:00", "Z"),
        "checked": 0,
        "changed": False,
    }
    assert route.hits == 1
    # Older than a minute: checked, from the 304 path (no parse, no re-plan).
    clock.advance(seconds=20)
    body = client.post(FRESHEN, headers=auth).json()
    assert (body["checked"], body["changed"]) == (1, False)
    assert _at(body["checked_at"]) == clock.now()
    assert route.conditional_hits == 1 and parses.calls == 1 and len(schedule_changes.calls) == 1
    # Again at once (a second tab, a quick return): no work.
    for _ in range(5):
        assert client.post(FRESHEN, headers=auth).json()["checked"] == 0
    assert route.hits == 2
    # The client moves the session: the next freshen after a minute picks it up and re-plans.
    route.body, route.etag = one_session("20261123T170000Z", "20261123T175000Z"), '"v2"'
    clock.advance(minutes=1, seconds=1)
    body = client.post(FRESHEN, headers=auth).json()
    assert (body["checked"], body["changed"]) == (1, True)
    assert len(schedule_changes.calls) == 2
    assert appointments(client, auth)[0]["start"].startswith("2026-11-23T17:00")


def test_freshen_without_synced_calendars_and_for_another_user(
    client: TestClient,
    auth: dict[str, str],
    other_auth: dict[str, str],
    feeds: FeedServer,
    clock: FrozenClock,
) -> None:
    assert client.post(FRESHEN, headers=auth).json() == {
        "checked_at": None,
        "checked": 0,
        "changed": False,
    }
    route = Route(body=one_session())
    add_feed(client, auth, feeds.add("/feed.ics", route))
    clock.advance(minutes=2)
    # Another user's freshen never touches this user's calendars.
    assert client.post(FRESHEN, headers=other_auth).json()["checked"] == 0
    assert route.hits == 1


def test_a_past_session_moved_into_the_window_keeps_its_row(
    client: TestClient, auth: dict[str, str], feeds: FeedServer, clock: FrozenClock
) -> None:
    """Last week's no-show, rescheduled to Friday: the same event (same identity) moves from
    history into the window. It used to fail the sync on the unique (source, identity)."""
    route = Route(body=one_session("20261123T150000Z", "20261123T155000Z"))
    created = add_feed(client, auth, feeds.add("/feed.ics", route))
    clock.advance(days=3)  # the session is now before the sync window (1 day back)
    route.body = one_session("20261127T150000Z", "20261127T155000Z")
    result = client.post(f"/api/v1/calendars/{created['id']}/sync", headers=auth).json()
    assert result["status"] == "ok", result
    assert result["counts"] == {"added": 0, "changed": 1, "removed": 0}
    (row,) = appointments(client, auth)
    assert row["start"].startswith("2026-11-27T15:00")
