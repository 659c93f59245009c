"""Marks on the session a reminder hangs on: ``PATCH /api/v1/reminders/{id}/session`` (the
Break screen, the notification's "Notes done" action), and "ran over" inferred from a Done that
came late on a session-end reminder, unless the therapist set it themselves."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlude.accounts.models import User
from interlude.calendars.models import Appointment, OccurrenceMark
from interlude.reminders.models import Reminder
from tests.conftest import DEFAULT_NOW
from tests.reminders.factories import make_reminder
from tests.wellbeing.factories import add_session, make_source

API = "/api/v1/reminders"
# A session ending 30 minutes before the frozen clock (14:00 UTC), its break due at its end.
END = DEFAULT_NOW - timedelta(minutes=30)


def _session(db: Session, user: User, end: datetime = END) -> Appointment:
    row = add_session(db, make_source(db, user.id, DEFAULT_NOW), end - timedelta(minutes=50))
    db.commit()
    return row


def _reminder(db: Session, user: User, anchor: str | None, **extra: Any) -> Reminder:
    extra.setdefault("due_at", END)
    return make_reminder(db, user_id=user.id, anchor=anchor, state="sent", **extra)


def _marks(db: Session) -> list[tuple[str, bool]]:
    db.expire_all()
    rows = db.scalars(select(OccurrenceMark).order_by(OccurrenceMark.mark)).all()
    return [(m.mark, m.value) for m in rows]


def test_marking_the_reminders_session(
    client: TestClient, auth: dict[str, str], db: Session, user: User
) -> None:
    appointment = _session(db, user)
    reminder = _reminder(db, user, appointment.identity_hash)

    response = client.patch(f"{API}/{reminder.id}/session", json={"notes_done": True}, headers=auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == str(appointment.id)
    assert (body["notes_done"], body["ran_over"]) == (True, False)
    assert _marks(db) == [("notes_done", True)]

    both = client.patch(
        f"{API}/{reminder.id}/session", json={"notes_done": False, "ran_over": True}, headers=auth
    ).json()
    assert (both["notes_done"], both["ran_over"]) == (False, True)
    assert _marks(db) == [("notes_done", False), ("ran_over", True)]
    # The appointments read says the same.
    listed = client.get(
        "/api/v1/appointments",
        params={"start": "2026-11-23T00:00:00Z", "end": "2026-11-24T00:00:00Z"},
        headers=auth,
    ).json()
    assert [(a["notes_done"], a["ran_over"]) for a in listed] == [(False, True)]


def test_the_same_event_in_two_calendars_marks_the_one_the_reminder_follows(
    client: TestClient, auth: dict[str, str], db: Session, user: User
) -> None:
    first = _session(db, user)
    # The same identity in a second calendar, a week later.
    copy = add_session(db, make_source(db, user.id, DEFAULT_NOW), first.start + timedelta(days=7))
    copy.identity_hash = first.identity_hash
    db.commit()
    reminder = _reminder(db, user, first.identity_hash, due_at=copy.end)
    body = client.patch(
        f"{API}/{reminder.id}/session", json={"notes_done": True}, headers=auth
    ).json()
    assert body["id"] == str(copy.id)


def test_session_marks_are_checked(
    client: TestClient,
    auth: dict[str, str],
    other_auth: dict[str, str],
    db: Session,
    user: User,
) -> None:
    appointment = _session(db, user)
    reminder = _reminder(db, user, appointment.identity_hash)
    path = f"{API}/{reminder.id}/session"
    for body in ({}, {"notes_done": None}, {"notes_done": "yes"}, {"note": "text"}, []):
        response = client.patch(path, json=body, headers=auth)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["message"], body
    message = client.patch(path, json={}, headers=auth).json()["error"]["message"]
    assert "notes_done" in message and "ran_over" in message
    # Another therapist's reminder, or none at all: 404, and nothing marked.
    assert client.patch(path, json={"notes_done": True}, headers=other_auth).status_code == 404
    unknown = f"{API}/{uuid.uuid4()}/session"
    assert client.patch(unknown, json={"notes_done": True}, headers=auth).status_code == 404
    assert client.patch(path, json={"notes_done": True}).status_code == 401
    assert _marks(db) == []


@pytest.mark.parametrize("anchor", [None, "commitment:abc:2026-11-23", "gone"])
def test_a_reminder_without_its_session_is_a_conflict(
    client: TestClient, auth: dict[str, str], db: Session, user: User, anchor: str | None
) -> None:
    if anchor == "gone":  # the session was removed from the calendar since
        appointment = _session(db, user)
        anchor = appointment.identity_hash
        db.delete(appointment)
        db.commit()
    reminder = _reminder(db, user, anchor)
    response = client.patch(f"{API}/{reminder.id}/session", json={"notes_done": True}, headers=auth)
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "no_session" and "session" in error["message"]
    assert _marks(db) == []


def _done(client: TestClient, auth: dict[str, str], reminder: Reminder) -> None:
    response = client.post(f"{API}/{reminder.id}/ack", json={"action": "done"}, headers=auth)
    assert response.status_code == 200, response.text


def _ran_over(db: Session, appointment: Appointment) -> bool:
    db.expire_all()
    return db.get(Appointment, appointment.id).ran_over  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", ["micro_break", "transition_ritual", "end_of_day", "notes"])
def test_a_late_done_after_a_session_marks_it_ran_over(
    client: TestClient, auth: dict[str, str], db: Session, user: User, kind: str
) -> None:
    # Due 30 minutes ago, 2 minutes long: Done now is 28 minutes after it should have ended.
    appointment = _session(db, user)
    _done(client, auth, _reminder(db, user, appointment.identity_hash, kind=kind))
    assert _ran_over(db, appointment) is True
    assert _marks(db) == [("ran_over", True)]


@pytest.mark.parametrize(
    ("kind", "due_before_now", "snoozed"),
    [
        ("micro_break", timedelta(minutes=7), False),  # 2 + 5 minutes: not later than that
        ("back_to_back", timedelta(minutes=30), False),  # not a session-end reminder
        ("commitment", timedelta(minutes=30), False),
        ("micro_break", timedelta(minutes=30), True),  # a snoozed break was moved on purpose
    ],
)
def test_a_done_in_time_or_not_after_a_session_infers_nothing(
    client: TestClient,
    auth: dict[str, str],
    db: Session,
    user: User,
    kind: str,
    due_before_now: timedelta,
    snoozed: bool,
) -> None:
    appointment = _session(db, user)
    anchor = appointment.identity_hash
    origin = _reminder(db, user, anchor, ack_action="snooze") if snoozed else None
    reminder = _reminder(
        db,
        user,
        anchor,
        kind=kind,
        due_at=DEFAULT_NOW - due_before_now,
        snoozed_from_id=origin.id if origin else None,
    )
    _done(client, auth, reminder)
    assert _ran_over(db, appointment) is False
    assert _marks(db) == []


def test_the_therapists_own_ran_over_wins_over_the_inference(
    client: TestClient, auth: dict[str, str], db: Session, user: User
) -> None:
    appointment = _session(db, user)
    anchor = appointment.identity_hash
    said = client.patch(
        f"/api/v1/appointments/{appointment.id}", json={"ran_over": False}, headers=auth
    )
    assert said.status_code == 200, said.text
    _done(client, auth, _reminder(db, user, anchor))
    assert _ran_over(db, appointment) is False
    assert _marks(db) == [("ran_over", False)]

    # An inferred mark is the therapist's to change, and a later late Done leaves it so.
    other = _session(db, user, END - timedelta(hours=2))
    _done(client, auth, _reminder(db, user, other.identity_hash, due_at=other.end))
    assert _ran_over(db, other) is True
    client.patch(f"/api/v1/appointments/{other.id}", json={"ran_over": False}, headers=auth)
    again = _reminder(db, user, other.identity_hash, kind="notes", due_at=other.end)
    _done(client, auth, again)
    assert _ran_over(db, other) is False


def test_skip_and_snooze_infer_nothing(
    client: TestClient, auth: dict[str, str], db: Session, user: User
) -> None:
    appointment = _session(db, user)
    skipped = _reminder(db, user, appointment.identity_hash)
    response = client.post(f"{API}/{skipped.id}/ack", json={"action": "skip"}, headers=auth)
    assert response.status_code == 200, response.text
    assert _ran_over(db, appointment) is False
