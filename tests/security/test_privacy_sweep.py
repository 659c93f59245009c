"""The privacy sweep: made-up client names put in every text field of a practice calendar
(summary, description, location, organizer, attendees, UID, calendar name, file name,
feed URL) never appear in the database, the logs, a push payload or any API response,
across a realistic day:

upload + feed sync -> planning -> a device registered with the local push service -> the
dispatcher sends the breaks that fall due -> every read the PWA makes -> the auto-reply
texts -> the breaks.ics feed -> the export.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from interlude.core.clock import FrozenClock
from interlude.core.runtime import Runtime
from interlude.core.settings import Settings
from interlude.reminders.dispatcher import Dispatcher
from tests.calendars.feedserver import FeedServer, Route
from tests.security.factories import (
    DAY_END,
    DAY_START,
    SENTINELS,
    day_appointments,
    day_reminders,
    practice_ics,
    upload_calendar,
)
from tests.support.push_service import LocalPushService

FORMATS = ("email", "portal", "sms", "voicemail", "sieve", "gmail", "graph", "ics")


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    server = FeedServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def push(clock: FrozenClock) -> Iterator[LocalPushService]:
    with LocalPushService(clock=clock) as service:
        yield service


def _database_text(settings: Settings, db: Session) -> bytes:
    """SQLite: the database file and its WAL. PostgreSQL: every row of every table."""
    if settings.database_url.startswith("sqlite"):
        database = Path(settings.database_url.removeprefix("sqlite:///"))
        return b"".join(
            Path(f"{database}{suffix}").read_bytes()
            for suffix in ("", "-wal")
            if Path(f"{database}{suffix}").exists()
        )
    tables = db.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).all()
    rows = [str(row) for table in tables for row in db.execute(text(f'SELECT * FROM "{table}"'))]
    return "\n".join(rows).encode()


def _dispatch(runtime: Runtime, now: datetime) -> Any:
    dispatcher = Dispatcher(runtime, owner="privacy-sweep", timeout=2.0)
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(dispatcher.dispatch_due(now=now))
    finally:
        loop.run_until_complete(dispatcher.aclose())
        loop.close()


def test_client_names_never_leave_memory(
    client: TestClient,
    auth: dict[str, str],
    db: Session,
    runtime: Runtime,
    settings: Settings,
    clock: FrozenClock,
    feeds: FeedServer,
    push: LocalPushService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []

    def get(path: str, **params: Any) -> Any:
        response = client.get(path, params=params or None, headers=auth)
        assert response.status_code == 200, (path, response.text)
        seen.append(response.text)
        return response

    # A device, then the calendars: one uploaded file and one feed (the URL carries a secret).
    key = get("/api/v1/push/vapid-public-key").json()["public_key"]
    device = push.subscribe(application_server_key=key)
    registered = client.post(
        "/api/v1/push/subscriptions", json={**device.info, "label": "Phone"}, headers=auth
    )
    assert registered.status_code == 201, registered.text
    seen.append(str(upload_calendar(client, auth)))
    feed_body = practice_ics().replace(b"s0-", b"feed-s0-")  # other UIDs, same names
    url = feeds.add(f"/{SENTINELS[0]}.ics", Route(body=feed_body)) + f"?client={SENTINELS[0]}"
    created = client.post("/api/v1/calendars", json={"kind": "ics_url", "url": url}, headers=auth)
    assert created.status_code == 201, created.text
    seen.append(created.text)
    synced = client.post(f"/api/v1/calendars/{created.json()['id']}/sync", headers=auth)
    seen.append(synced.text)

    # The day as planned, then the breaks as they fall due.
    appointments = day_appointments(client, auth)
    reminders = day_reminders(client, auth)
    assert len(appointments) >= 6 and reminders
    due = sorted(
        {datetime.fromisoformat(r["due_at"]) for r in reminders if r["state"] == "planned"}
    )
    for when in due[:4]:
        clock.set(when)
        _dispatch(runtime, when)
    pushes = push.received(device)
    assert pushes, "the dispatcher sent nothing: the sweep would prove nothing"

    # Every read the PWA makes, the auto-reply texts, the breaks feed and the export.
    for path in (
        "/api/v1/me",
        "/api/v1/calendars",
        "/api/v1/care-plan",
        "/api/v1/push/subscriptions",
        "/api/v1/autoresponder/profile",
        "/api/v1/autoresponder/templates",
        "/api/v1/wellbeing/signals",
        "/api/v1/me/export",
        "/api/v1/wellbeing/export",
    ):
        get(path)
    get("/api/v1/appointments", start=DAY_START, end=DAY_END)
    get("/api/v1/reminders", start=DAY_START, end=DAY_END)
    get("/api/v1/planner/preview")
    for name in FORMATS:
        get(f"/api/v1/autoresponder/{name}")
    token = client.post("/api/v1/reminders/feed-token", headers=auth).json()["token"]
    feed = client.get("/api/v1/calendars/breaks.ics", params={"token": token})
    assert feed.status_code == 200 and "BEGIN:VEVENT" in feed.text
    seen.append(feed.text)

    database = _database_text(settings, db)
    logs = "\n".join(logging.Formatter().format(record) for record in caplog.records)
    payloads = [p.plaintext.decode() for p in pushes]
    for sentinel in SENTINELS:
        assert sentinel.encode() not in database, f"{sentinel} is in the database"
        assert sentinel.encode("utf-16-le") not in database, f"{sentinel} (utf-16) in the database"
        assert sentinel not in logs, f"{sentinel} is in the logs"
        for payload in payloads:
            assert sentinel not in payload, f"{sentinel} is in a push"
        for body in seen:
            assert sentinel not in body, f"{sentinel} is in an API response"
    # The sweep looked at real data: the day's sessions came from both calendars.
    assert datetime.fromisoformat(appointments[0]["start"]) >= datetime(2026, 11, 23, tzinfo=UTC)
