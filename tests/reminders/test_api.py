"""The reminders API as the PWA uses it: list, read, acknowledge (done, skip, snooze)."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlude.core.clock import FrozenClock
from interlude.reminders.models import CANCELLED, PLANNED, SENT, Reminder
from tests.reminders.factories import make_reminder

API = "/api/v1/reminders"


def test_list_shows_reminders_in_the_range(
    client: TestClient, auth, db: Session, user, other_user, clock: FrozenClock
) -> None:
    now = clock.now()
    soon = make_reminder(db, user_id=user.id, due_at=now + timedelta(hours=1), title="Breathe")
    make_reminder(db, user_id=user.id, due_at=now + timedelta(days=3))
    make_reminder(db, user_id=other_user.id, due_at=now + timedelta(hours=1))

    response = client.get(
        API,
        params={"start": now.isoformat(), "end": (now + timedelta(days=1)).isoformat()},
        headers=auth,
    )

    assert response.status_code == 200, response.text
    [item] = response.json()
    assert item["id"] == str(soon.id)
    assert item["title"] == "Breathe" and item["kind"] == "micro_break"
    assert item["state"] == "planned"
    assert item["due_at"].startswith("2026-11-23T15:00:00")
    assert item["expires_at"].startswith("2026-11-23T15:10:00")
    # Default range: a day back to two weeks ahead.
    assert len(client.get(API, headers=auth).json()) == 2
    only_sent = client.get(API, params={"state": "sent"}, headers=auth).json()
    assert only_sent == []


def test_list_rejects_bad_ranges_with_clear_messages(client: TestClient, auth, clock) -> None:
    now = clock.now()
    cases = [
        {"start": "yesterday"},
        {"start": "2026-11-23T10:00:00"},  # no zone: ambiguous
        {"start": now.isoformat(), "end": (now - timedelta(hours=1)).isoformat()},
        {"start": now.isoformat(), "end": (now + timedelta(days=400)).isoformat()},
        {"state": "lost"},
    ]
    for params in cases:
        response = client.get(API, params=params, headers=auth)
        assert response.status_code == 422, (params, response.text)
        assert response.json()["error"]["message"]


def test_reminders_need_sign_in(client: TestClient, db: Session, user, clock) -> None:
    row = make_reminder(db, user_id=user.id, due_at=clock.now())
    assert client.get(API).status_code == 401
    assert client.get(f"{API}/{row.id}").status_code == 401
    assert client.post(f"{API}/{row.id}/ack", json={"action": "done"}).status_code == 401


def test_another_users_reminder_is_not_found(
    client: TestClient, other_auth, db: Session, user, clock
) -> None:
    row = make_reminder(db, user_id=user.id, due_at=clock.now(), state=SENT)
    assert client.get(f"{API}/{row.id}", headers=other_auth).status_code == 404
    response = client.post(f"{API}/{row.id}/ack", json={"action": "done"}, headers=other_auth)
    assert response.status_code == 404
    assert client.get(f"{API}/not-a-uuid", headers=other_auth).status_code == 422


def test_done_and_skip_are_recorded_once(
    client: TestClient, auth, db: Session, user, clock: FrozenClock
) -> None:
    now = clock.now()
    done = make_reminder(db, user_id=user.id, due_at=now - timedelta(minutes=1), state=SENT)
    skipped = make_reminder(db, user_id=user.id, due_at=now - timedelta(minutes=2), state=SENT)

    response = client.post(f"{API}/{done.id}/ack", json={"action": "done"}, headers=auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["reminder"]["ack_action"] == "done" and body["snoozed"] is None
    assert body["reminder"]["acked_at"].startswith("2026-11-23T14:00:00")
    skip = client.post(f"{API}/{skipped.id}/ack", json={"action": "skip"}, headers=auth)
    assert skip.json()["reminder"]["ack_action"] == "skip"

    again = client.post(f"{API}/{done.id}/ack", json={"action": "skip"}, headers=auth)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_acknowledged"


def test_skipping_ahead_of_time_cancels_the_send(
    client: TestClient, auth, db: Session, user, clock: FrozenClock
) -> None:
    row = make_reminder(db, user_id=user.id, due_at=clock.now() + timedelta(hours=1))
    response = client.post(f"{API}/{row.id}/ack", json={"action": "skip"}, headers=auth)
    assert response.status_code == 200
    assert response.json()["reminder"]["state"] == "cancelled"


def test_snooze_plans_a_new_reminder_that_keeps_the_original_expiry(
    client: TestClient, auth, db: Session, user, clock: FrozenClock
) -> None:
    now = clock.now()
    row = make_reminder(
        db,
        user_id=user.id,
        due_at=now - timedelta(minutes=1),
        expires_in=timedelta(minutes=15),
        state=SENT,
    )

    response = client.post(
        f"{API}/{row.id}/ack", json={"action": "snooze", "snooze_minutes": 5}, headers=auth
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["reminder"]["ack_action"] == "snooze"
    snoozed = body["snoozed"]
    assert snoozed["state"] == "planned" and snoozed["snoozed_from_id"] == str(row.id)
    assert snoozed["due_at"].startswith("2026-11-23T14:05:00")
    assert snoozed["expires_at"] == body["reminder"]["expires_at"]
    assert snoozed["title"] == row.title
    db.expire_all()
    rows = db.scalars(select(Reminder).where(Reminder.user_id == user.id)).all()
    assert sorted(r.state for r in rows) == [PLANNED, SENT]

    # The snoozed one can be snoozed again while there is room.
    second = client.post(
        f"{API}/{snoozed['id']}/ack", json={"action": "snooze", "snooze_minutes": 5}, headers=auth
    )
    assert second.status_code == 409  # it has not been delivered yet


def test_snooze_past_the_next_session_is_refused(
    client: TestClient, auth, db: Session, user, clock: FrozenClock
) -> None:
    now = clock.now()
    row = make_reminder(
        db,
        user_id=user.id,
        due_at=now - timedelta(minutes=7),
        expires_in=timedelta(minutes=10),
        state=SENT,
    )

    response = client.post(
        f"{API}/{row.id}/ack", json={"action": "snooze", "snooze_minutes": 5}, headers=auth
    )

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "snooze_past_expiry"
    assert "09:03" in error["message"]  # local time (New York) when the next session starts
    assert error["details"]["minutes_left"] == 3
    # Nothing was recorded: the therapist can still choose done or skip.
    ok = client.post(f"{API}/{row.id}/ack", json={"action": "done"}, headers=auth)
    assert ok.status_code == 200


def test_ack_rejects_bad_input(
    client: TestClient, auth, db: Session, user, clock: FrozenClock
) -> None:
    row = make_reminder(db, user_id=user.id, due_at=clock.now(), state=SENT)
    for payload in (
        {"action": "later"},
        {"action": "snooze", "snooze_minutes": 0},
        {"action": "snooze", "snooze_minutes": "soon"},
        {},
        {"action": "done", "extra": 1},
    ):
        response = client.post(f"{API}/{row.id}/ack", json=payload, headers=auth)
        assert response.status_code == 422, (payload, response.text)


def test_cancelled_reminders_cannot_be_acknowledged(
    client: TestClient, auth, db: Session, user, clock: FrozenClock
) -> None:
    row = make_reminder(db, user_id=user.id, due_at=clock.now(), state=CANCELLED)
    response = client.post(f"{API}/{row.id}/ack", json={"action": "done"}, headers=auth)
    assert response.status_code == 409
    assert "cancelled" in response.json()["error"]["message"]


def test_reminders_are_in_the_account_export(
    client: TestClient, auth, db: Session, user, clock: FrozenClock
) -> None:
    row = make_reminder(db, user_id=user.id, due_at=clock.now(), state=SENT)
    client.post(f"{API}/{row.id}/ack", json={"action": "done"}, headers=auth)

    export = client.get("/api/v1/me/export", headers=auth)

    assert export.status_code == 200
    [item] = export.json()["reminders"]["reminders"]
    assert (item["id"], item["state"], item["ack_action"]) == (str(row.id), "sent", "done")


def test_done_before_the_break_begins_is_refused(
    client: TestClient, auth, db: Session, user, clock: FrozenClock
) -> None:
    row = make_reminder(db, user_id=user.id, due_at=clock.now() + timedelta(minutes=10))

    early = client.post(f"{API}/{row.id}/ack", json={"action": "done"}, headers=auth)
    assert early.status_code == 409, early.text
    error = early.json()["error"]
    assert error["code"] == "not_due_yet"
    assert "starts at" in error["message"] and "skip" in error["message"]
    assert client.get(f"{API}/{row.id}", headers=auth).json()["ack_action"] is None

    clock.advance(timedelta(minutes=10))  # now it has begun
    on_time = client.post(f"{API}/{row.id}/ack", json={"action": "done"}, headers=auth)
    assert on_time.status_code == 200, on_time.text
    assert on_time.json()["reminder"]["ack_action"] == "done"
