"""``GET /api/v1/planner/preview``: through the HTTP API, against the real database."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.calendars.factories import add_appointments
from tests.planner.factories import LONDON, TUESDAY, at

URL = "/api/v1/planner/preview"


def _summary(body: dict) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(r["kind"], r["local_time"]) for r in body["reminders"]]


def test_preview_defaults_to_tomorrow_with_the_default_care_plan(
    client: TestClient, db: Session, user, auth: dict[str, str]
) -> None:
    add_appointments(db, user.id, [at(TUESDAY, t) for t in ("09:30", "10:30", "11:30")])
    response = client.get(URL, headers=auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["date"] == "2026-11-24"
    assert body["timezone"] == "America/New_York"
    assert [(s["local_start"], s["local_end"]) for s in body["sessions"]] == [
        ("09:30", "10:20"),
        ("10:30", "11:20"),
        ("11:30", "12:20"),
    ]
    # Default plan: a break after sessions, windows 09:00 and 16:30, a shutdown ritual.
    assert _summary(body) == [
        ("response_window_open", "09:00"),
        ("micro_break", "10:20"),
        ("micro_break", "11:20"),
        ("end_of_day", "12:20"),
        ("response_window_open", "16:30"),
    ]
    end_of_day = body["reminders"][3]
    assert end_of_day["title"] == "Last session done for today"
    assert end_of_day["ritual_steps"][0] == "Close the last note"
    micro = body["reminders"][1]
    assert micro["due_at"] == "2026-11-24T15:20:00Z"
    assert micro["expires_at"] == "2026-11-24T15:30:00Z"


def test_preview_of_a_chosen_day_shows_the_heads_up_for_the_next_one(
    client: TestClient, db: Session, user, auth: dict[str, str]
) -> None:
    wednesday = TUESDAY + timedelta(days=1)
    add_appointments(db, user.id, [at(wednesday, t) for t in ("13:00", "13:50", "14:40")])
    body = client.get(URL, params={"date": "2026-11-24"}, headers=auth).json()
    assert body["sessions"] == []
    heads_up = [r for r in body["reminders"] if r["kind"] == "back_to_back"]
    assert [(r["local_time"], r["title"]) for r in heads_up] == [("19:00", "Busy day tomorrow")]
    assert heads_up[0]["body"].startswith("Tomorrow 13:00\u201315:30 has three sessions")


def test_preview_uses_the_users_own_zone_and_only_their_appointments(
    client: TestClient,
    db: Session,
    user,
    other_user,
    other_auth: dict[str, str],
) -> None:
    add_appointments(db, user.id, [at(TUESDAY, "10:00")])
    add_appointments(db, other_user.id, [at(TUESDAY, "10:00", LONDON)])
    body = client.get(URL, params={"date": "2026-11-24"}, headers=other_auth).json()
    assert body["timezone"] == "Europe/London"
    assert [s["local_start"] for s in body["sessions"]] == ["10:00"]
    assert ("end_of_day", "10:50") in _summary(body)


def test_preview_ignores_other_events_as_sessions_but_they_still_block(
    client: TestClient, db: Session, user, auth: dict[str, str]
) -> None:
    add_appointments(db, user.id, [at(TUESDAY, "08:45")], minutes=30, kind="other")
    body = client.get(URL, params={"date": "2026-11-24"}, headers=auth).json()
    assert body["sessions"] == []
    # The 09:00 window reminder slides to the end of the meeting.
    assert _summary(body)[0] == ("response_window_open", "09:15")
    assert body["reminders"][0]["body"] == "Messages: 15 minutes, then you're off"


def test_preview_rejects_bad_dates_with_a_clear_422(
    client: TestClient, user, auth: dict[str, str]
) -> None:
    for bad in ("2026-13-01", "tomorrow", "2026-11-24T10:00"):
        response = client.get(URL, params={"date": bad}, headers=auth)
        assert response.status_code == 422, bad
        assert response.json()["error"]["code"] == "validation_error"
    far = (date(2026, 11, 23) + timedelta(days=400)).isoformat()
    response = client.get(URL, params={"date": far}, headers=auth)
    assert response.status_code == 422
    assert "within 366 days" in response.json()["error"]["message"]


def test_preview_requires_authentication(client: TestClient) -> None:
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_preview_shows_the_notes_time_each_gap_reserves(
    client: TestClient, db: Session, user, auth: dict[str, str]
) -> None:
    add_appointments(db, user.id, [at(TUESDAY, t) for t in ("09:30", "10:40", "11:40")])
    settings = {"notes_minutes": 15, "notes_order": "notes_first", "wrap_up_minutes": 5}
    assert client.patch("/api/v1/care-plan/settings", json=settings, headers=auth).is_success
    body = client.get(URL, params={"date": "2026-11-24"}, headers=auth).json()
    assert [(r["kind"], r["local_time"], r["notes_minutes"]) for r in body["reminders"]] == [
        ("response_window_open", "09:00", 0),
        ("wrap_up", "10:15", 0),
        ("micro_break", "10:20", 15),  # a 20-minute gap holds 15 of notes and the break
        ("wrap_up", "11:25", 0),
        ("micro_break", "11:30", 0),  # a 10-minute gap: the break alone
        ("wrap_up", "12:25", 0),
        ("end_of_day", "12:30", 15),
        ("response_window_open", "16:30", 0),
        ("notes_backlog", "17:30", 0),
    ]
    assert body["reminders"][2]["body"].startswith(
        "15 minutes of notes for your 09:30 session, then a 2-minute break."
    )
    assert body["reminders"][-1]["body"] == "Notes still open for 3 sessions."
