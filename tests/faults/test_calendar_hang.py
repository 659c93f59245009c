"""A calendar server that hangs mid-body, met by the worker's sync job.

tests/calendars/test_fetch_faults.py covers "sync now" against every broken-feed shape
(hangs-mid-body included: a clear error, the last good appointments kept). Here the worker's
periodic job meets it beside a healthy feed: the job finishes within the fetch deadline, the
healthy source still syncs, the hanging one keeps its appointments and the breaks planned
from them (no reminder cancelled), and it recovers on its next due sync once the server
answers again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interlude.calendars import fetch, jobs
from interlude.core.clock import FrozenClock
from interlude.core.runtime import Runtime
from tests.calendars.conftest import add_feed, appointments
from tests.calendars.feedserver import FIXTURES, FeedServer, Route

GOOD = (FIXTURES / "overrides.ics").read_bytes()
OTHER = (FIXTURES / "busy_rules.ics").read_bytes()
LIMITS = fetch.FetchLimits(connect_timeout=2.0, read_timeout=1.0, total_seconds=3.0)


@pytest.fixture
def feeds(monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedServer]:
    # The production deadlines (20 s read, 60 s in all) scaled down; the same code path.
    monkeypatch.setattr(fetch, "DEFAULT_LIMITS", LIMITS)
    server = FeedServer()
    server.start()
    yield server
    server.stop()


def _reminders(client: TestClient, auth: dict[str, str]) -> list[tuple[str, str]]:
    response = client.get(
        "/api/v1/reminders",
        params={"start": "2026-11-01T00:00:00Z", "end": "2027-01-01T00:00:00Z"},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return sorted((r["id"], r["state"]) for r in rows)


def test_the_sync_job_survives_a_feed_hanging_mid_body(
    client: TestClient,
    auth: dict[str, str],
    feeds: FeedServer,
    runtime: Runtime,
    clock: FrozenClock,
) -> None:
    hanging = add_feed(client, auth, feeds.add("/hangs.ics", Route(body=GOOD)))
    healthy = add_feed(client, auth, feeds.add("/healthy.ics", Route(body=OTHER)))
    before = appointments(client, auth)
    planned = _reminders(client, auth)
    assert before and planned, "the fixtures should give appointments and breaks"

    feeds.add("/hangs.ics", Route(body=GOOD, hang_after=200))
    healthy_route = Route(body=OTHER)
    feeds.add("/healthy.ics", healthy_route)
    clock.advance(minutes=20)
    began = time.monotonic()
    assert jobs.tick(runtime, "worker-a") == 2
    took = time.monotonic() - began
    assert took < LIMITS.total_seconds + 3, f"the job waited {took:.1f} s"

    sources = {s["id"]: s for s in client.get("/api/v1/calendars", headers=auth).json()}
    assert sources[healthy["id"]]["status"] == "ok"
    assert sources[hanging["id"]]["status"] == "error"
    assert "did not answer in time" in sources[hanging["id"]]["last_error"]
    assert appointments(client, auth) == before
    assert _reminders(client, auth) == planned, "a hanging feed cancelled breaks"
    assert healthy_route.hits == 1  # the healthy feed was read again

    feeds.add("/hangs.ics", Route(body=GOOD))
    clock.advance(minutes=16)  # past the first back-off (15 minutes)
    assert jobs.tick(runtime, "worker-a") >= 1
    recovered = client.get(f"/api/v1/calendars/{hanging['id']}", headers=auth).json()
    assert recovered["status"] == "ok" and recovered["consecutive_failures"] == 0
    assert appointments(client, auth) == before
    print(f"\ncalendar hang: sync job returned after {took:.1f} s (fetch deadline 3 s)")
