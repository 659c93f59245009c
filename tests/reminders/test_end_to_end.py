"""A synced calendar's session ends and the break arrives on the phone: the whole path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from interlude.core.clock import FrozenClock
from interlude.core.runtime import Runtime
from tests.reminders.conftest import DispatchHarness
from tests.support.push_service import LocalPushService

ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//EN
BEGIN:VEVENT
UID:session-1@example.org
DTSTART;TZID=America/New_York:20261123T100000
DTEND;TZID=America/New_York:20261123T105000
SUMMARY:Client A. B. - intake
END:VEVENT
BEGIN:VEVENT
UID:session-2@example.org
DTSTART;TZID=America/New_York:20261123T110000
DTEND;TZID=America/New_York:20261123T115000
SUMMARY:Client C. D.
END:VEVENT
END:VCALENDAR
"""
SESSION_1_END = datetime(2026, 11, 23, 15, 50, tzinfo=UTC)  # 10:50 in New York
SESSION_2_START = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)


def _upload(client: TestClient, auth: dict[str, str], ics: str) -> str:
    response = client.post(
        "/api/v1/calendars/upload",
        files={"file": ("practice.ics", ics.encode(), "text/calendar")},
        headers=auth,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _subscribe(client: TestClient, auth: dict[str, str], push: LocalPushService):  # type: ignore[no-untyped-def]
    key = client.get("/api/v1/push/vapid-public-key", headers=auth).json()
    public_key = key["public_key"] if isinstance(key, dict) else key
    device = push.subscribe(application_server_key=public_key)
    response = client.post(
        "/api/v1/push/subscriptions", json={**device.info, "label": "Phone"}, headers=auth
    )
    assert response.status_code in (200, 201), response.text
    return device


def _micro_breaks(client: TestClient, auth: dict[str, str]) -> list[dict]:  # type: ignore[type-arg]
    items = client.get("/api/v1/reminders", headers=auth).json()
    return [r for r in items if r["kind"] == "micro_break" and r["state"] == "planned"]


def test_session_ends_and_the_break_arrives(
    client: TestClient,
    auth: dict[str, str],
    runtime: Runtime,
    clock: FrozenClock,
    push: LocalPushService,
    dispatch: DispatchHarness,
) -> None:
    device = _subscribe(client, auth, push)
    _upload(client, auth, ICS)

    [brk] = [r for r in _micro_breaks(client, auth) if r["due_at"].startswith("2026-11-23T15:50")]
    assert datetime.fromisoformat(brk["expires_at"]) == SESSION_2_START
    assert "Client" not in brk["title"] + brk["body"]

    assert dispatch(SESSION_1_END - timedelta(seconds=1)).claimed == 0
    clock.set(SESSION_1_END)
    report = dispatch(SESSION_1_END)

    assert report.sent >= 1
    [message] = [m for m in push.received(device) if m.payload["id"] == brk["id"]]
    assert message.payload["kind"] == "micro_break"
    assert message.payload["notification"]["title"] == brk["title"]
    assert message.payload["url"] == f"/break/{brk['id']}"
    assert "Client" not in message.plaintext.decode()  # no client data leaves the server
    assert message.ttl == 600  # gone before the next session starts
    assert message.urgency == "high"
    shown = client.get(f"/api/v1/reminders/{brk['id']}", headers=auth).json()
    assert shown["state"] == "sent"

    # The therapist taps "Done" on the notification.
    ack = client.post(f"/api/v1/reminders/{brk['id']}/ack", json={"action": "done"}, headers=auth)
    assert ack.status_code == 200 and ack.json()["reminder"]["ack_action"] == "done"


def test_a_removed_calendar_cancels_its_breaks_and_a_moved_session_moves_them(
    client: TestClient, auth: dict[str, str]
) -> None:
    source_id = _upload(client, auth, ICS)
    [before] = [
        r for r in _micro_breaks(client, auth) if r["due_at"].startswith("2026-11-23T15:50")
    ]

    assert client.delete(f"/api/v1/calendars/{source_id}", headers=auth).status_code == 204
    old = client.get(f"/api/v1/reminders/{before['id']}", headers=auth).json()
    assert old["state"] == "cancelled" and "moved or was removed" in old["last_error"]

    # The practice moves the first session ten minutes earlier.
    _upload(client, auth, ICS.replace("T105000", "T104000"))
    [moved] = [r for r in _micro_breaks(client, auth) if r["due_at"].startswith("2026-11-23T15:")]
    assert moved["due_at"].startswith("2026-11-23T15:40") and moved["id"] != before["id"]
    again = client.get(f"/api/v1/reminders/{before['id']}", headers=auth).json()
    assert again["state"] == "cancelled"


def test_a_care_plan_change_re_plans_at_once(client: TestClient, auth: dict[str, str]) -> None:
    _upload(client, auth, ICS)
    [brk] = [r for r in _micro_breaks(client, auth) if r["due_at"].startswith("2026-11-23T15:50")]

    # Quiet hours over the late morning: no buzzing then.
    response = client.patch(
        "/api/v1/care-plan/settings",
        json={"quiet_start": "10:30:00", "quiet_end": "12:00:00"},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    shown = client.get(f"/api/v1/reminders/{brk['id']}", headers=auth).json()
    assert shown["state"] == "cancelled"

    response = client.patch(
        "/api/v1/care-plan/settings", json={"quiet_start": None, "quiet_end": None}, headers=auth
    )
    assert response.status_code == 200, response.text
    revived = client.get(f"/api/v1/reminders/{brk['id']}", headers=auth).json()
    assert revived["state"] == "planned"  # same reminder, same id
