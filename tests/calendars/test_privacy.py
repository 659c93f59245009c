"""Made-up client names in every text field never reach the database file, the logs or the
API. The identity of an event is a keyed hash; URLs and passwords are encrypted."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from interlude.core.settings import Settings

from .conftest import add_feed, appointments
from .feedserver import FIXTURES, FeedServer, Route

SENTINELS = ["ZZSENTINEL", "zzsentinel", "Client Name", "555-0100", "SECRETFEEDTOKEN"]


def _database_bytes(settings: Settings, db: Session) -> bytes:
    """SQLite: the database file itself. PostgreSQL: every row of every table, as text."""
    if settings.database_url.startswith("sqlite"):
        database = Path(settings.database_url.removeprefix("sqlite:///"))
        return b"".join(
            Path(f"{database}{suffix}").read_bytes()
            for suffix in ("", "-wal")
            if Path(f"{database}{suffix}").exists()
        )
    tables = db.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).all()
    dump = [str(row) for table in tables for row in db.execute(text(f'SELECT * FROM "{table}"'))]
    return "\n".join(dump).encode()


def test_sentinel_names_are_never_stored_logged_or_returned(
    db: Session,
    client: TestClient,
    auth: dict[str, str],
    feeds: FeedServer,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    responses = []
    for name in sorted(p.name for p in FIXTURES.glob("*.ics")):
        url = feeds.fixture(name) + "?token=SECRETFEEDTOKEN"
        created = add_feed(client, auth, url)
        responses.append(str(created))
        sync = client.post(f"/api/v1/calendars/{created['id']}/sync", headers=auth)
        responses.append(sync.text)
    # A failing feed whose body is full of names: the error must not quote it.
    route = Route(body=b"<html>ZZSENTINEL Client Name</html>", content_type="text/html")
    bad = client.post(
        "/api/v1/calendars", json={"kind": "ics_url", "url": feeds.add("/x", route)}, headers=auth
    )
    responses.append(bad.text)
    responses.append(client.get("/api/v1/calendars", headers=auth).text)
    responses.append(str(appointments(client, auth)))
    export = client.get("/api/v1/me/export", headers=auth)
    responses.append(export.text)
    assert len(appointments(client, auth)) > 2000

    blobs = _database_bytes(settings, db)
    logs = "\n".join(
        r.getMessage() + (str(r.exc_info[1]) if r.exc_info else "") for r in caplog.records
    )
    for sentinel in SENTINELS:
        assert sentinel.encode() not in blobs, sentinel
        assert sentinel.encode("utf-16-le") not in blobs, sentinel
        assert sentinel not in logs, sentinel
        for body in responses:
            assert sentinel not in body, sentinel
