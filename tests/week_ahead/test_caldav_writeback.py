"""Held time written back to a CalDAV calendar the therapist chose, against a real Radicale
(the calendars suite's fixture): only a "Break (Interlude)" event, removed on release."""

from __future__ import annotations

from typing import Any

import caldav
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlude.core.runtime import Runtime
from interlude.week_ahead import jobs
from interlude.week_ahead.models import HeldTime, HeldTimeWrite
from tests.calendars.test_caldav import EVENTS, ics

URL = "/api/v1/week-ahead"
HOLD = {"start": "2026-11-24T21:35:00Z", "end": "2026-11-24T21:45:00Z"}
ALLOWED = {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "TRANSP"}


def _client(url: str) -> Any:
    return caldav.DAVClient(url=url, username="therapist", password="pw")  # type: ignore[operator]


def _events(calendar: Any) -> list[Any]:
    """Every VEVENT stored in a calendar collection, parsed."""
    found = []
    for obj in calendar.search(event=True):
        found.extend(Calendar.from_ical(obj.data).walk("VEVENT"))
    return found


def _connect(client: TestClient, auth: dict[str, str], url: str) -> tuple[str, dict[str, str]]:
    principal = _client(url).principal()
    practice = principal.make_calendar(name="Practice")
    practice.save_event(ics(EVENTS["single"]))
    principal.make_calendar(name="Breaks")
    found = client.post(
        "/api/v1/calendars/caldav/discover",
        json={"url": url, "username": "therapist", "password": "pw"},
        headers=auth,
    ).json()
    paths = {c["name"]: c["path"] for c in found}
    created = client.post(
        "/api/v1/calendars",
        json={
            "kind": "caldav",
            "url": url,
            "username": "therapist",
            "password": "pw",
            "calendar": paths["Practice"],
        },
        headers=auth,
    )
    assert created.status_code == 201, created.text
    return created.json()["id"], paths


def _calendar(url: str, name: str) -> Any:
    return next(c for c in _client(url).principal().calendars() if c.get_display_name() == name)


def test_held_time_is_written_to_the_chosen_calendar_and_removed_on_release(
    client: TestClient,
    auth: dict[str, str],
    radicale: str,
    db: Session,
) -> None:
    source_id, paths = _connect(client, auth, radicale)
    listed = client.get(f"{URL}/calendars", headers=auth).json()
    assert listed == [
        {"source_id": source_id, "source_name": listed[0]["source_name"], "calendar": None}
    ]
    # Nothing chosen: holding writes nothing anywhere.
    first = client.post(f"{URL}/held-time", json=HOLD, headers=auth).json()
    assert first["calendar_writes"] == []
    assert len(_events(_calendar(radicale, "Breaks"))) == 0
    client.delete(f"{URL}/held-time/{first['id']}", headers=auth)

    choices = client.get(f"{URL}/calendars/{source_id}/choices", headers=auth)
    assert choices.status_code == 200, choices.text
    assert {c["name"] for c in choices.json()} == {"Practice", "Breaks"}
    chosen = client.put(
        f"{URL}/calendars/{source_id}", json={"calendar": paths["Breaks"]}, headers=auth
    )
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["calendar"] == paths["Breaks"]

    held = client.post(f"{URL}/held-time", json=HOLD, headers=auth)
    assert held.status_code == 201, held.text
    row = held.json()
    assert row["calendar_writes"] == [{"source_id": source_id, "state": "written", "error": None}]
    [event] = _events(_calendar(radicale, "Breaks"))
    assert str(event["summary"]) == "Break (Interlude)"
    assert str(event["uid"]) == f"held-{row['id']}@interlude"
    assert event["dtstart"].dt.isoformat() == "2026-11-24T21:35:00+00:00"
    assert event["dtend"].dt.isoformat() == "2026-11-24T21:45:00+00:00"
    assert {name for name in event} <= ALLOWED  # nothing else is written
    # The practice calendar is left alone.
    assert [str(e["uid"]) for e in _events(_calendar(radicale, "Practice"))] == [
        "caldav-single@example.test"
    ]

    # A changed choice moves the event: removed from Breaks, written to Practice.
    client.put(f"{URL}/calendars/{source_id}", json={"calendar": paths["Practice"]}, headers=auth)
    assert _events(_calendar(radicale, "Breaks")) == []
    assert sorted(str(e["uid"]) for e in _events(_calendar(radicale, "Practice"))) == [
        "caldav-single@example.test",
        f"held-{row['id']}@interlude",
    ]
    # Practice is the calendar Interlude reads: its own break is not read back as a session.
    synced = client.post(f"/api/v1/calendars/{source_id}/sync", headers=auth).json()
    assert synced["status"] == "ok", synced
    found = client.get(
        "/api/v1/appointments",
        params={"start": "2026-11-01T00:00:00Z", "end": "2027-01-01T00:00:00Z"},
        headers=auth,
    ).json()
    assert [(a["start"], a["kind"]) for a in found] == [("2026-11-25T19:00:00Z", "session")]

    # Released: the event is gone and so is every row.
    assert client.delete(f"{URL}/held-time/{row['id']}", headers=auth).status_code == 204
    assert [str(e["uid"]) for e in _events(_calendar(radicale, "Practice"))] == [
        "caldav-single@example.test"
    ]
    db.expire_all()
    assert db.scalars(select(HeldTime)).all() == []
    assert db.scalars(select(HeldTimeWrite)).all() == []


def test_a_write_that_fails_is_kept_and_retried_by_the_job(
    client: TestClient,
    auth: dict[str, str],
    radicale: str,
    db: Session,
    runtime: Runtime,
) -> None:
    source_id, paths = _connect(client, auth, radicale)
    client.put(f"{URL}/calendars/{source_id}", json={"calendar": "/therapist/gone/"}, headers=auth)
    row = client.post(f"{URL}/held-time", json=HOLD, headers=auth).json()
    [write] = row["calendar_writes"]
    assert write["state"] == "failed" and "CalDAV" in write["error"]
    assert "therapist" not in write["error"]  # a safe message, no server output
    # The calendar appears on the server (it was being set up): the job's next pass writes.
    _client(radicale).principal().make_calendar(name="Gone", cal_id="gone")
    assert jobs.sync_all_writes(runtime) == 1
    [event] = _events(_calendar(radicale, "Gone"))
    assert str(event["uid"]) == f"held-{row['id']}@interlude"
    listed = client.get(f"{URL}/held-time", headers=auth).json()
    assert listed[0]["calendar_writes"][0]["state"] == "written"
    assert jobs.sync_all_writes(runtime) == 0  # nothing left to do

    # The therapist picks another calendar: the event moves with the choice.
    client.put(f"{URL}/calendars/{source_id}", json={"calendar": paths["Breaks"]}, headers=auth)
    assert _events(_calendar(radicale, "Gone")) == []
    assert len(_events(_calendar(radicale, "Breaks"))) == 1
    # Cleared: nothing is written any more, and what was written is removed.
    client.put(f"{URL}/calendars/{source_id}", json={"calendar": None}, headers=auth)
    assert _events(_calendar(radicale, "Breaks")) == []
    assert client.get(f"{URL}/calendars", headers=auth).json()[0]["calendar"] is None


def test_only_caldav_sources_take_a_calendar_and_the_path_is_checked(
    client: TestClient,
    auth: dict[str, str],
    radicale: str,
) -> None:
    source_id, _ = _connect(client, auth, radicale)
    for bad in ("https://elsewhere.example/cal/", "relative/path", "/a\r\nb/"):
        response = client.put(f"{URL}/calendars/{source_id}", json={"calendar": bad}, headers=auth)
        assert response.status_code == 422, (bad, response.text)
    sample = client.post("/api/v1/calendars", json={"kind": "sample"}, headers=auth)
    assert sample.status_code == 201, sample.text
    response = client.put(
        f"{URL}/calendars/{sample.json()['id']}", json={"calendar": "/x/"}, headers=auth
    )
    assert response.status_code == 422
    assert "CalDAV" in response.json()["error"]["message"]
    missing = client.put(
        f"{URL}/calendars/00000000-0000-0000-0000-000000000000",
        json={"calendar": "/x/"},
        headers=auth,
    )
    assert missing.status_code == 404
