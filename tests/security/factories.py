"""Objects created through the API, as a user would, for the security tests.

``ICS`` is a small practice calendar for Monday 23 November 2026 (the test clock's day) in
New York, whose every text field carries a made-up client name (``SENTINELS``): the privacy
sweep checks those never leave memory.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

SENTINELS = ("ZZQUILLFEATHER", "Quentin Zzyzx-Oduya", "555-0199", "zz.client@example.net")
DAY_START = "2026-11-23T00:00:00-05:00"
DAY_END = "2026-11-24T00:00:00-05:00"


def _event(uid: str, start: datetime, minutes: int, n: int) -> str:
    end = start + timedelta(minutes=minutes)
    stamp = "%Y%m%dT%H%M%SZ"
    return "\r\n".join(
        (
            "BEGIN:VEVENT",
            f"UID:{uid}-{SENTINELS[0]}@practice.example",
            "DTSTAMP:20261101T000000Z",
            f"DTSTART:{start.strftime(stamp)}",
            f"DTEND:{end.strftime(stamp)}",
            f"SUMMARY:Session with {SENTINELS[1]} #{n}",
            f"DESCRIPTION:Call {SENTINELS[2]} - {SENTINELS[0]} intake notes",
            f"LOCATION:{SENTINELS[0]} office, room {n}",
            f"ORGANIZER;CN={SENTINELS[1]}:mailto:{SENTINELS[3]}",
            f"ATTENDEE;CN={SENTINELS[1]}:mailto:{SENTINELS[3]}",
            "END:VEVENT",
        )
    )


def practice_ics(sessions: int = 6) -> bytes:
    """``sessions`` back-to-back 50-minute sessions from 14:00 UTC (09:00 in New York), each
    followed by a 10-minute gap: the planner's micro-breaks go there."""
    first = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    events = [
        _event(f"s{n}", first + timedelta(hours=n), 50, n)
        for n in range(sessions)
        # plus the same week's Tuesday, so there is something beyond today
    ] + [_event(f"t{n}", first + timedelta(days=1, hours=n), 50, n + 10) for n in range(3)]
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{SENTINELS[0]}//Practice//EN",
        f"X-WR-CALNAME:{SENTINELS[1]} caseload",
        *events,
        "END:VCALENDAR",
        "",
    ]
    return "\r\n".join(lines).encode()


def upload_calendar(client: TestClient, auth: dict[str, str]) -> dict[str, Any]:
    response = client.post(
        "/api/v1/calendars/upload",
        files={"file": (f"{SENTINELS[1]}.ics", practice_ics(), "text/calendar")},
        data={"name": "Practice"},
        headers=auth,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def day_appointments(client: TestClient, auth: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get(
        "/api/v1/appointments", params={"start": DAY_START, "end": DAY_END}, headers=auth
    )
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


def day_reminders(client: TestClient, auth: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get(
        "/api/v1/reminders", params={"start": DAY_START, "end": DAY_END}, headers=auth
    )
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


def _post(client: TestClient, auth: dict[str, str], path: str, body: dict[str, Any]) -> str:
    response = client.post(path, json=body, headers=auth)
    assert response.status_code == 201, (path, response.text)
    return str(response.json()["id"])


def _first(rows: list[dict[str, Any]], what: str) -> str:
    assert rows, f"expected at least one {what}"
    return str(rows[0]["id"])


# --- one factory per resource: create user A's object through the API, return its id ------


def micro_break(client: TestClient, auth: dict[str, str]) -> str:
    body = {"trigger": "fixed_time", "at_time": "12:30", "activity": "water"}
    return _post(client, auth, "/api/v1/care-plan/micro-breaks", body)


def response_window(client: TestClient, auth: dict[str, str]) -> str:
    body = {"weekday": 5, "start_time": "10:00", "end_time": "10:20"}
    return _post(client, auth, "/api/v1/care-plan/response-windows", body)


def time_off(client: TestClient, auth: dict[str, str]) -> str:
    body = {"start_date": "2026-12-24", "end_date": "2027-01-02", "kind": "holiday"}
    return _post(client, auth, "/api/v1/care-plan/time-off", body)


def ritual(client: TestClient, auth: dict[str, str]) -> str:
    body = {"name": "Walk", "steps": ["Walk around the block"], "trigger": "after_intense"}
    return _post(client, auth, "/api/v1/care-plan/rituals", body)


def calendar(client: TestClient, auth: dict[str, str]) -> str:
    return str(upload_calendar(client, auth)["id"])


def appointment(client: TestClient, auth: dict[str, str]) -> str:
    upload_calendar(client, auth)
    return _first(day_appointments(client, auth), "appointment")


def reminder(client: TestClient, auth: dict[str, str]) -> str:
    upload_calendar(client, auth)  # re-plans the day: micro-breaks between the sessions
    planned = [r for r in day_reminders(client, auth) if r["state"] == "planned"]
    return _first(planned, "planned reminder")


def push_subscription(client: TestClient, auth: dict[str, str]) -> str:
    from tests.push.factories import subscription_json

    return _post(client, auth, "/api/v1/push/subscriptions", subscription_json())


def checkin(client: TestClient, auth: dict[str, str]) -> str:
    return _post(client, auth, "/api/v1/wellbeing/checkins", {"energy": 6, "insight": "Slow."})


def weekly_review(client: TestClient, auth: dict[str, str]) -> str:
    body = {"warning_signs": ["cynicism"], "fulfillment": "A quiet breakthrough."}
    return _post(client, auth, "/api/v1/wellbeing/weekly-reviews", body)


def self_check(client: TestClient, auth: dict[str, str]) -> str:
    base = "/api/v1/wellbeing/self-checks"
    instrument = client.get(f"{base}/instruments/interlude-reflection-v1", headers=auth).json()
    answers = {item["id"]: 2 for item in instrument["items"]}
    return _post(client, auth, base, {"answers": answers})


def commitment(client: TestClient, auth: dict[str, str]) -> str:
    body = {
        "kind": "supervision",
        "label": "Group supervision",
        "weekday": 2,
        "start_time": "10:00",
        "duration_minutes": 90,
        "frequency": "biweekly",
        "starts_on": "2026-11-25",
    }
    return _post(client, auth, "/api/v1/wellbeing/commitments", body)


def held_time(client: TestClient, auth: dict[str, str]) -> str:
    response = client.post(
        "/api/v1/week-ahead/held-time",
        json={"start": "2026-11-24T21:35:00Z", "end": "2026-11-24T21:45:00Z"},
        headers=auth,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])
