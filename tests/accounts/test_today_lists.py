"""The Today view's two lists, GET /appointments and GET /reminders, as the PWA uses them.

They answer the response models' JSON of the signed-in user's rows, in order, and sign in as
strictly as every route: a revoked or expired session is refused on the next request.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from interlude.accounts.models import AuthSession, User
from interlude.calendars.models import Appointment, CalendarSource
from interlude.calendars.schemas import AppointmentRead
from interlude.core.clock import FrozenClock
from interlude.reminders.models import SENT
from interlude.reminders.schemas import ReminderRead
from tests.factories import login_headers
from tests.reminders.factories import make_reminder

REMINDERS = "/api/v1/reminders"
APPOINTMENTS = "/api/v1/appointments"


def _day(clock: FrozenClock) -> dict[str, str]:
    now = clock.now()
    return {
        "start": (now - timedelta(hours=2)).isoformat(),
        "end": (now + timedelta(days=1)).isoformat(),
    }


def _add_appointments(db: Session, user_id: uuid.UUID, clock: FrozenClock) -> list[Appointment]:
    now = clock.now()
    source = CalendarSource(
        user_id=user_id,
        kind="upload",
        name="Practice",
        rule={"mode": "all_timed"},
        status="ok",
        created_at=now,
        updated_at=now,
    )
    db.add(source)
    db.flush()
    rows = [
        Appointment(
            user_id=user_id,
            source_id=source.id,
            identity_hash=uuid.uuid4().hex,
            start=now + timedelta(hours=hour, microseconds=micro),
            end=now + timedelta(hours=hour, minutes=50),
            all_day=False,
            kind=kind,
            telehealth=telehealth,
            intense=intense,
        )
        for hour, micro, kind, telehealth, intense in (
            (3, 0, "session", False, True),
            (1, 123456, "other", True, False),
        )
    ]
    db.add_all(rows)
    db.commit()
    return sorted(rows, key=lambda a: a.start)


def test_reminder_list_is_the_users_rows_as_the_response_model(
    client: TestClient,
    auth: dict[str, str],
    db: Session,
    user: User,
    other_user: User,
    clock: FrozenClock,
) -> None:
    now = clock.now()
    first = make_reminder(db, user_id=user.id, due_at=now + timedelta(minutes=30))
    make_reminder(
        db,
        user_id=user.id,
        due_at=now - timedelta(minutes=50, microseconds=-250),
        state=SENT,
        attempts=2,
        sent_at=now - timedelta(minutes=49, microseconds=-7),
        ritual_steps=["Close the laptop", "Stand up — stretch"],
        activity=None,
        last_error="Tried twice; the phone answered 410.",
        ack_action="snooze",
        acked_at=now - timedelta(minutes=45),
        snoozed_from_id=first.id,
        title='Quotes " and unicode ✓',
    )
    make_reminder(db, user_id=other_user.id, due_at=now + timedelta(minutes=30))

    response = client.get(REMINDERS, params=_day(clock), headers=auth)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    rows = db.scalars(_reminders(db, user.id)).all()
    expected = TypeAdapter(list[ReminderRead]).dump_json(
        [ReminderRead.model_validate(r) for r in rows]
    )
    assert response.content == expected
    assert len(response.json()) == 2


def _reminders(db: Session, user_id: uuid.UUID):  # type: ignore[no-untyped-def]
    from interlude.reminders.models import Reminder

    return select(Reminder).where(Reminder.user_id == user_id).order_by(Reminder.due_at)


def test_appointment_list_is_the_users_rows_as_the_response_model(
    client: TestClient,
    auth: dict[str, str],
    db: Session,
    user: User,
    other_user: User,
    clock: FrozenClock,
) -> None:
    mine = _add_appointments(db, user.id, clock)
    _add_appointments(db, other_user.id, clock)

    response = client.get(APPOINTMENTS, params=_day(clock), headers=auth)

    assert response.status_code == 200, response.text
    expected = TypeAdapter(list[AppointmentRead]).dump_json(
        [AppointmentRead.model_validate(a) for a in mine]
    )
    assert response.content == expected


def test_empty_lists_are_empty_arrays(
    client: TestClient, auth: dict[str, str], clock: FrozenClock
) -> None:
    assert client.get(REMINDERS, params=_day(clock), headers=auth).content == b"[]"
    assert client.get(APPOINTMENTS, params=_day(clock), headers=auth).content == b"[]"
    # A state filter that matches nothing, and one that matches.
    filtered = client.get(REMINDERS, params={**_day(clock), "state": ["sent"]}, headers=auth)
    assert filtered.status_code == 200 and filtered.json() == []


def test_state_filter(
    client: TestClient, auth: dict[str, str], db: Session, user: User, clock: FrozenClock
) -> None:
    now = clock.now()
    make_reminder(db, user_id=user.id, due_at=now + timedelta(minutes=5), state=SENT)
    make_reminder(db, user_id=user.id, due_at=now + timedelta(minutes=10))
    sent = client.get(REMINDERS, params={"state": ["sent", "sent"]}, headers=auth).json()
    assert [r["state"] for r in sent] == ["sent"]
    both = client.get(REMINDERS, params={"state": ["sent", "planned"]}, headers=auth).json()
    assert [r["state"] for r in both] == ["sent", "planned"]


def test_a_revoked_or_expired_session_is_refused_at_once(
    client: TestClient, db: Session, user: User, clock: FrozenClock
) -> None:
    for path in (REMINDERS, APPOINTMENTS):
        headers = login_headers(client, user.email)
        assert client.get(path, params=_day(clock), headers=headers).status_code == 200
        db.execute(update(AuthSession).values(revoked_at=clock.now()))
        db.commit()
        refused = client.get(path, params=_day(clock), headers=headers)
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "unauthorized"

    headers = login_headers(client, user.email)
    assert client.get(REMINDERS, params=_day(clock), headers=headers).status_code == 200
    clock.advance(days=400)
    assert client.get(REMINDERS, headers=headers).status_code == 401
    assert client.get(APPOINTMENTS, params=_day(clock), headers=headers).status_code == 401
    assert client.get(REMINDERS, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get(REMINDERS).status_code == 401


def test_the_session_cookie_signs_in_and_use_is_recorded_every_five_minutes(
    client: TestClient, db: Session, user: User, clock: FrozenClock
) -> None:
    login = client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": "correct horse battery staple"}
    )
    assert login.status_code == 200, login.text
    signed_in_at = clock.now()

    def last_used():  # type: ignore[no-untyped-def]
        db.expire_all()
        return db.scalar(select(AuthSession.last_used_at))

    clock.advance(minutes=4)
    assert client.get(REMINDERS).status_code == 200  # the cookie, no header
    assert last_used() == signed_in_at  # reads stay reads
    clock.advance(minutes=2)
    assert client.get(APPOINTMENTS, params=_day(clock)).status_code == 200
    assert last_used() == clock.now()
