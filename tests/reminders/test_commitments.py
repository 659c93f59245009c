"""Supervision and peer check-ins are reminded like rituals: the whole path through the API.

A commitment created, changed or deleted in /api/v1/wellbeing/commitments re-plans the outbox
(the real schedule-change listener runs here), and GET /api/v1/reminders shows the result.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import login_headers

COMMITMENTS = "/api/v1/wellbeing/commitments"
REMINDERS = "/api/v1/reminders"
# Weekly supervision on Wednesdays at 10:00 New York time, from Wednesday 25 November 2026
# (the frozen clock says Monday 23 November, 09:00 in New York).
SUPERVISION = {
    "kind": "supervision",
    "label": "Supervision with Dr Example",
    "weekday": 2,
    "start_time": "10:00",
    "duration_minutes": 60,
    "frequency": "weekly",
    "starts_on": "2026-11-25",
}
ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//EN
BEGIN:VEVENT
UID:session-wed@example.org
DTSTART;TZID=America/New_York:20261125T090000
DTEND;TZID=America/New_York:20261125T095000
SUMMARY:Client E. F.
END:VEVENT
END:VCALENDAR
"""


def _reminders(client: TestClient, auth: dict[str, str], kind: str) -> list[dict[str, Any]]:
    response = client.get(REMINDERS, headers=auth)
    assert response.status_code == 200, response.text
    return [r for r in response.json() if r["kind"] == kind]


def _planned(client: TestClient, auth: dict[str, str]) -> list[dict[str, Any]]:
    return [r for r in _reminders(client, auth, "commitment") if r["state"] == "planned"]


def _create(client: TestClient, auth: dict[str, str], **changes: object) -> str:
    response = client.post(COMMITMENTS, json={**SUPERVISION, **changes}, headers=auth)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_a_commitment_is_reminded_moves_with_it_and_is_cancelled_with_it(
    client: TestClient, auth: dict[str, str]
) -> None:
    commitment_id = _create(client, auth)

    planned = _planned(client, auth)
    # Two Wednesdays fall inside the two weeks the reminders list shows by default.
    assert [r["due_at"][:19] for r in planned] == ["2026-11-25T14:50:00", "2026-12-02T14:50:00"]
    first = planned[0]
    assert first["expires_at"].startswith("2026-11-25T15:00:00")  # 10:00 in New York
    assert first["title"] == "Supervision in 10 minutes"
    assert first["body"] == "Supervision at 10:00. Time to wrap up and get ready."
    assert "Example" not in first["title"] + first["body"]  # the label may name a person
    assert first["duration_minutes"] == 60 and first["activity"] is None

    # Saving it again without a change re-plans idempotently: same rows, nothing new.
    url = f"{COMMITMENTS}/{commitment_id}"
    assert client.patch(url, json={"start_time": "10:00"}, headers=auth).status_code == 200
    assert _planned(client, auth) == planned
    assert len(_reminders(client, auth, "commitment")) == 2

    # Supervision moves to 11:30: the reminders move with it.
    assert client.patch(url, json={"start_time": "11:30"}, headers=auth).status_code == 200
    moved = _planned(client, auth)
    assert [r["due_at"][:19] for r in moved] == ["2026-11-25T16:20:00", "2026-12-02T16:20:00"]
    assert {r["id"] for r in moved}.isdisjoint(r["id"] for r in planned)
    old = client.get(f"{REMINDERS}/{first['id']}", headers=auth).json()
    assert old["state"] == "cancelled" and "moved or was removed" in old["last_error"]

    # Paused, then active again: the same reminders come back.
    assert client.patch(url, json={"active": False}, headers=auth).status_code == 200
    assert _planned(client, auth) == []
    assert client.patch(url, json={"active": True}, headers=auth).status_code == 200
    assert [r["id"] for r in _planned(client, auth)] == [r["id"] for r in moved]

    # Deleted: every reminder it had is cancelled, none is left planned.
    assert client.delete(url, headers=auth).status_code == 204
    assert _planned(client, auth) == []
    states = {r["state"] for r in _reminders(client, auth, "commitment")}
    assert states == {"cancelled"}


def test_a_ritual_before_a_commitment_ends_when_it_starts(
    client: TestClient, auth: dict[str, str]
) -> None:
    upload = client.post(
        "/api/v1/calendars/upload",
        files={"file": ("practice.ics", ICS.encode(), "text/calendar")},
        headers=auth,
    )
    assert upload.status_code == 201, upload.text
    # The default care plan's shutdown ritual after the day's only session, for an hour.
    [ritual] = [r for r in _reminders(client, auth, "end_of_day") if r["state"] == "planned"]
    assert ritual["due_at"].startswith("2026-11-25T14:50:00")  # 09:50, when the session ends
    assert ritual["expires_at"].startswith("2026-11-25T15:50:00")

    _create(client, auth)

    # Supervision at 10:00 is busy time like a session: the ritual gives way at its start.
    [ritual] = [r for r in _reminders(client, auth, "end_of_day") if r["state"] == "planned"]
    assert ritual["expires_at"].startswith("2026-11-25T15:00:00")
    first = _planned(client, auth)[0]
    assert first["due_at"].startswith("2026-11-25T14:50:00")


def test_the_day_preview_shows_the_commitment_reminder(
    client: TestClient, auth: dict[str, str]
) -> None:
    _create(client, auth)
    response = client.get("/api/v1/planner/preview", params={"date": "2026-11-25"}, headers=auth)
    assert response.status_code == 200, response.text
    reminders = response.json()["reminders"]
    assert [
        (r["kind"], r["local_time"], r["title"]) for r in reminders if r["kind"] == "commitment"
    ] == [("commitment", "09:50", "Supervision in 10 minutes")]


def test_another_users_commitment_is_not_reminded_to_me(
    client: TestClient, auth: dict[str, str], other_user: Any
) -> None:
    other_auth = login_headers(client, other_user.email)
    _create(client, other_auth)
    assert _planned(client, auth) == []
    assert len(_planned(client, other_auth)) == 2
