"""The week-ahead API against the real database: the week, holding and releasing time, the
review setting, and held time reaching reminders and breaks.ics."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlude.reminders.models import CANCELLED, Reminder
from tests.calendars.factories import add_appointments
from tests.planner.factories import TUESDAY, at

URL = "/api/v1/week-ahead"
HELD = f"{URL}/held-time"


def iso(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


def run_of_four(db: Session, user_id) -> None:  # type: ignore[no-untyped-def]
    add_appointments(db, user_id, [at(TUESDAY, t) for t in ("13:00", "13:55", "14:50", "15:45")])


def test_the_week_ahead_starts_tomorrow_and_suggests_a_hold_after_the_run(
    client: TestClient, db: Session, user, auth: dict[str, str]
) -> None:
    run_of_four(db, user.id)
    response = client.get(URL, headers=auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["first_day"], body["last_day"]) == ("2026-11-24", "2026-11-30")
    assert body["timezone"] == "America/New_York"
    assert len(body["days"]) == 7
    assert body["totals"] == {
        "sessions": 4,
        "back_to_back_runs": 1,
        "days_without_break": 1,
        "commitments": 0,
        "expected_notes_backlog": 0,
    }
    tuesday = body["days"][0]
    assert tuesday["date"] == "2026-11-24" and tuesday["no_break"] is True
    assert tuesday["runs"][0]["session_count"] == 4
    [suggestion] = body["suggestions"]
    assert suggestion["kind"] == "back_to_back"
    assert (suggestion["start"], suggestion["end"]) == (
        "2026-11-24T21:35:00Z",  # 16:35 in New York, right after the 15:45 session
        "2026-11-24T21:45:00Z",
    )
    assert suggestion["anchor_start"] == "2026-11-24T20:45:00Z"
    assert suggestion["held_id"] is None
    # Facts, not sentences: no English with times baked in anywhere in the answer.
    assert "PM" not in response.text and "16:35" not in response.text


def test_hold_a_suggestion_see_it_held_then_release_it(
    client: TestClient, db: Session, user, auth: dict[str, str]
) -> None:
    run_of_four(db, user.id)
    [suggestion] = client.get(URL, headers=auth).json()["suggestions"]
    held = client.post(
        HELD, json={"start": suggestion["start"], "end": suggestion["end"]}, headers=auth
    )
    assert held.status_code == 201, held.text
    row = held.json()
    assert row["label"] == "Break (Interlude)" and row["calendar_writes"] == []
    week = client.get(URL, headers=auth).json()
    assert week["suggestions"][0]["held_id"] == row["id"]
    assert [h["id"] for h in week["days"][0]["held"]] == [row["id"]]
    listed = client.get(HELD, headers=auth).json()
    assert [h["id"] for h in listed] == [row["id"]]

    again = client.post(
        HELD, json={"start": suggestion["start"], "end": suggestion["end"]}, headers=auth
    )
    assert again.status_code == 409

    assert client.delete(f"{HELD}/{row['id']}", headers=auth).status_code == 204
    assert client.get(URL, headers=auth).json()["suggestions"][0]["held_id"] is None
    assert client.get(HELD, headers=auth).json() == []
    assert client.delete(f"{HELD}/{row['id']}", headers=auth).status_code == 404


def test_someone_else_cannot_release_or_see_held_time(
    client: TestClient, auth: dict[str, str], other_auth: dict[str, str]
) -> None:
    row = client.post(
        HELD,
        json={"start": "2026-11-24T21:35:00Z", "end": "2026-11-24T21:45:00Z"},
        headers=auth,
    ).json()
    assert client.delete(f"{HELD}/{row['id']}", headers=other_auth).status_code == 404
    assert client.get(HELD, headers=other_auth).json() == []
    assert len(client.get(HELD, headers=auth).json()) == 1


def test_bad_holds_are_refused_with_the_field_named(
    client: TestClient, auth: dict[str, str]
) -> None:
    cases = [
        ({"start": "2026-11-24T21:45:00Z", "end": "2026-11-24T21:35:00Z"}, "end"),
        ({"start": "2026-11-24T10:00:00Z", "end": "2026-11-24T15:00:00Z"}, "end"),
        ({"start": "2026-11-20T10:00:00Z", "end": "2026-11-20T10:10:00Z"}, "start"),
        ({"start": "2027-06-01T10:00:00Z", "end": "2027-06-01T10:10:00Z"}, "start"),
        ({"start": "2026-11-24T21:35:00", "end": "2026-11-24T21:45:00Z"}, "start"),
        ({"start": "0001-01-01T00:00:00+23:59", "end": "2026-11-24T21:45:00Z"}, "start"),
        ({"start": "2026-11-24T21:35:00Z", "end": "2026-11-24T21:45:00Z", "title": "x"}, "title"),
    ]
    for payload, field in cases:
        response = client.post(HELD, json=payload, headers=auth)
        assert response.status_code == 422, (payload, response.text)
        assert field in response.text, (payload, response.text)
    assert client.get(f"{URL}?start=2030-01-01", headers=auth).status_code == 422
    assert client.get(f"{URL}?start=not-a-date", headers=auth).status_code == 422


def test_the_review_setting_defaults_to_sunday_six_pm_local(
    client: TestClient, auth: dict[str, str]
) -> None:
    body = client.get(f"{URL}/settings", headers=auth).json()
    assert body == {
        "enabled": True,
        "weekday": 6,
        "time": "18:00:00",
        "timezone": "America/New_York",
        "next_review_at": "2026-11-29T23:00:00Z",  # Sunday 18:00 EST
    }
    changed = client.patch(
        f"{URL}/settings", json={"weekday": 4, "time": "16:30"}, headers=auth
    ).json()
    assert (changed["weekday"], changed["time"]) == (4, "16:30:00")
    assert changed["next_review_at"] == "2026-11-27T21:30:00Z"
    off = client.patch(f"{URL}/settings", json={"enabled": False}, headers=auth).json()
    assert off["next_review_at"] is None
    for bad in ({"time": "18:00Z"}, {"time": "18:00+01:00"}, {"weekday": 7}, {"time": None}):
        response = client.patch(f"{URL}/settings", json=bad, headers=auth)
        assert response.status_code == 422, (bad, response.text)


def test_held_time_keeps_reminders_out_and_reaches_the_breaks_feed(
    client: TestClient, db: Session, user, auth: dict[str, str]
) -> None:
    add_appointments(db, user.id, [at(TUESDAY, t) for t in ("09:30", "10:30", "11:30")])
    preview = client.get("/api/v1/planner/preview", headers=auth).json()
    assert ("micro_break", "10:20") in [(r["kind"], r["local_time"]) for r in preview["reminders"]]

    row = client.post(
        HELD,
        json={"start": iso(at(TUESDAY, "10:20")), "end": iso(at(TUESDAY, "10:30"))},
        headers=auth,
    ).json()
    preview = client.get("/api/v1/planner/preview", headers=auth).json()
    assert ("micro_break", "10:20") not in [
        (r["kind"], r["local_time"]) for r in preview["reminders"]
    ]
    # The outbox was re-planned at once (schedule_changed): nothing live inside held time.
    db.expire_all()
    live = db.scalars(
        select(Reminder).where(Reminder.user_id == user.id, Reminder.state != CANCELLED)
    ).all()
    assert live and not [r for r in live if at(TUESDAY, "10:20") <= r.due_at < at(TUESDAY, "10:30")]

    token = client.post("/api/v1/reminders/feed-token", headers=auth).json()["token"]
    feed = client.get("/api/v1/calendars/breaks.ics", params={"token": token})
    events = [
        e
        for e in Calendar.from_ical(feed.content).walk("VEVENT")
        if str(e["summary"]) == "Break (Interlude)"
    ]
    assert [(e["uid"], e["dtstart"].dt, e["dtend"].dt) for e in events] == [
        (f"held-{row['id']}@interlude", at(TUESDAY, "10:20"), at(TUESDAY, "10:30"))
    ]

    client.delete(f"{HELD}/{row['id']}", headers=auth)
    preview = client.get("/api/v1/planner/preview", headers=auth).json()
    assert ("micro_break", "10:20") in [(r["kind"], r["local_time"]) for r in preview["reminders"]]
    feed = client.get("/api/v1/calendars/breaks.ics", params={"token": token})
    assert b"Break (Interlude)" not in feed.content


def test_export_carries_the_setting_and_held_time(client: TestClient, auth: dict[str, str]) -> None:
    client.patch(f"{URL}/settings", json={"time": "19:00"}, headers=auth)
    client.post(
        HELD, json={"start": "2026-11-24T21:35:00Z", "end": "2026-11-24T21:45:00Z"}, headers=auth
    )
    body = client.get("/api/v1/me/export", headers=auth).json()
    section = body["week_ahead"]
    assert section["settings"]["time"] == "19:00:00"
    assert section["held_time"] == [
        {
            "start": "2026-11-24T21:35:00+00:00",
            "end": "2026-11-24T21:45:00+00:00",
            "label": "Break (Interlude)",
        }
    ]
