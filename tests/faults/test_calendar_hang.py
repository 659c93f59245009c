"""A calendar server that hangs mid-body, met by the worker's sync job.

tests/calendars/test_fetch_faults.py covers "sync now" against every broken-feed shape
(hangs-mid-body included: a clear error, the last good appointments kept). Here the worker's
periodic job meets it beside a healthy feed: the job finishes within the fetch deadline, the
healthy source still syncs, the hanging one keeps its appointments and the breaks planned
from them (no reminder cancelled), and it recovers on its next due sync once the server
answers again.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from interlude.calendars import fetch, jobs
from interlude.core.clock import FrozenClock
from interlude.core.runtime import Runtime
from tests.calendars import hostile
from tests.calendars.conftest import add_feed, appointments
from tests.calendars.feedserver import FIXTURES, FeedServer, Route
from tests.faults.support import ApiProcess, login

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
    trickling = add_feed(client, auth, feeds.add("/trickles.ics", Route(body=GOOD)))
    healthy = add_feed(client, auth, feeds.add("/healthy.ics", Route(body=OTHER)))
    before = appointments(client, auth)
    planned = _reminders(client, auth)
    assert before and planned, "the fixtures should give appointments and breaks"

    feeds.add("/hangs.ics", Route(body=GOOD, hang_after=200))
    # One header byte every 0.5 s: no read ever waits the 1 s read timeout.
    feeds.add("/trickles.ics", Route(body=GOOD, header_trickle=0.5))
    healthy_route = Route(body=OTHER)
    feeds.add("/healthy.ics", healthy_route)
    clock.advance(minutes=20)
    began = time.monotonic()
    assert jobs.tick(runtime, "worker-a") == 3
    took = time.monotonic() - began
    assert took < LIMITS.total_seconds + 3, f"the job waited {took:.1f} s"

    sources = {s["id"]: s for s in client.get("/api/v1/calendars", headers=auth).json()}
    assert sources[healthy["id"]]["status"] == "ok"
    assert sources[hanging["id"]]["status"] == "error"
    assert "did not answer in time" in sources[hanging["id"]]["last_error"]
    assert sources[trickling["id"]]["status"] == "error"
    assert "too slowly" in sources[trickling["id"]]["last_error"]
    assert appointments(client, auth) == before
    assert _reminders(client, auth) == planned, "a hanging feed cancelled breaks"
    assert healthy_route.hits == 1  # the healthy feed was read again

    feeds.add("/hangs.ics", Route(body=GOOD))
    feeds.add("/trickles.ics", Route(body=GOOD))
    clock.advance(minutes=16)  # past the first back-off (15 minutes)
    assert jobs.tick(runtime, "worker-a") >= 1
    recovered = client.get(f"/api/v1/calendars/{hanging['id']}", headers=auth).json()
    assert recovered["status"] == "ok" and recovered["consecutive_failures"] == 0
    assert appointments(client, auth) == before
    print(f"\ncalendar hang: sync job returned after {took:.1f} s (fetch deadline 3 s)")


PARSE_SECONDS = 5


def test_a_real_server_bounds_a_costly_upload_and_stops_on_sigterm(
    db_url: str, tmp_path: Path, user: Any
) -> None:
    """``interlude serve`` as a process: a calendar whose reading never ends (40 events
    scanning to the year 9999) is refused within the parse budget while /readyz keeps
    answering, and SIGTERM during such an upload stops the server within the budget
    (before, the parse ran in the server's own thread and the process never exited)."""
    api = ApiProcess(db_url, tmp_path)
    api.env["INTERLUDE_CALENDAR_PARSE_SECONDS"] = str(PARSE_SECONDS)
    api.start()
    body = hostile.never_matching(40)
    try:
        auth = login(api.base, user.email)
        answers: list[tuple[int, float]] = []

        def upload() -> None:
            began = time.monotonic()
            response = httpx.post(
                f"{api.base}/api/v1/calendars/upload",
                files={"file": ("bomb.ics", body, "text/calendar")},
                headers=auth,
                timeout=60,
            )
            answers.append((response.status_code, time.monotonic() - began))

        thread = threading.Thread(target=upload)
        thread.start()
        ready = 0
        while thread.is_alive():
            assert httpx.get(f"{api.base}/readyz", timeout=5).status_code == 200
            ready += 1
            time.sleep(0.2)
        thread.join()
        status, took = answers[0]
        assert status == 422
        assert took < PARSE_SECONDS + 3, f"the upload was answered after {took:.1f} s"
        assert ready >= 3, "the server did not answer while it read the calendar"

        assert api.process is not None
        thread = threading.Thread(target=lambda: _ignore_errors(upload))
        thread.start()
        time.sleep(1.0)
        began = time.monotonic()
        api.process.send_signal(signal.SIGTERM)
        api.process.wait(timeout=PARSE_SECONDS + 10)
        stopped = time.monotonic() - began
        thread.join(10)
        print(
            f"\ncostly upload: 422 after {took:.1f} s; "
            f"SIGTERM stopped the server in {stopped:.1f} s"
        )
    finally:
        api.stop()


def _ignore_errors(fn: Any) -> None:
    with contextlib.suppress(httpx.HTTPError):  # the server went away: that is the point
        fn()
