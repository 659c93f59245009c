"""The private breaks.ics feed (token lifecycle) and /metrics."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlude.core.clock import FrozenClock
from interlude.reminders.models import CANCELLED, SENT, BreaksFeedToken
from tests.reminders.factories import make_reminder

TOKEN_API = "/api/v1/reminders/feed-token"
FEED = "/api/v1/calendars/breaks.ics"


def _events(body: bytes) -> list:  # type: ignore[type-arg]
    return [c for c in Calendar.from_ical(body).walk() if c.name == "VEVENT"]


def test_feed_lists_planned_breaks_for_the_token_holder_only(
    client: TestClient, auth, db: Session, user, other_user, clock: FrozenClock
) -> None:
    now = clock.now()
    brk = make_reminder(db, user_id=user.id, due_at=now + timedelta(hours=1), title="Box breathing")
    make_reminder(db, user_id=user.id, due_at=now + timedelta(hours=2), state=CANCELLED)
    make_reminder(db, user_id=user.id, due_at=now + timedelta(hours=3), kind="back_to_back")
    make_reminder(db, user_id=other_user.id, due_at=now + timedelta(hours=1))

    created = client.post(TOKEN_API, headers=auth)
    assert created.status_code == 201, created.text
    token = created.json()["token"]
    assert created.json()["url"] == f"http://testserver{FEED}?token={token}"

    client.cookies.clear()
    response = client.get(FEED, params={"token": token})  # no sign-in: calendar apps can't
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    [event] = _events(response.content)
    assert str(event["summary"]) == "Box breathing"
    assert event.decoded("dtstart") == brk.due_at
    assert event.decoded("dtend") == brk.due_at + timedelta(minutes=2)
    assert str(event["uid"]) == f"{brk.key}@interlude"

    # Only a keyed hash is stored.
    stored = db.scalars(select(BreaksFeedToken.token_hash)).all()
    assert stored and token not in stored[0]


def test_rotating_and_revoking_the_feed_token(client: TestClient, auth) -> None:
    assert client.get(TOKEN_API, headers=auth).json() == {"active": False, "created_at": None}
    first = client.post(TOKEN_API, headers=auth).json()["token"]
    second = client.post(TOKEN_API, headers=auth).json()["token"]
    assert client.get(TOKEN_API, headers=auth).json()["active"] is True

    assert client.get(FEED, params={"token": first}).status_code == 404
    assert client.get(FEED, params={"token": second}).status_code == 200

    assert client.delete(TOKEN_API, headers=auth).status_code == 204
    gone = client.get(FEED, params={"token": second})
    assert gone.status_code == 404 and "revoked" in gone.json()["error"]["message"]
    assert client.delete(TOKEN_API, headers=auth).status_code == 404


def test_feed_token_needs_sign_in_and_the_feed_a_token(client: TestClient) -> None:
    assert client.post(TOKEN_API).status_code == 401
    assert client.delete(TOKEN_API).status_code == 401
    assert client.get(TOKEN_API).status_code == 401
    assert client.get(FEED).status_code == 422  # the token is missing: not a calendar id
    assert client.get(FEED, params={"token": "guess"}).status_code == 404


def test_breaks_feed_is_not_captured_by_the_calendars_routes(client: TestClient) -> None:
    # /api/v1/calendars/{id} would answer 401 (no sign-in) or 422 (not a UUID).
    response = client.get(FEED, params={"token": "x" * 32})
    assert response.status_code == 404
    assert response.json()["error"]["message"] == (
        "This breaks feed does not exist or was revoked."
    )


def test_metrics_report_lateness_states_and_queue_depth(
    client: TestClient, db: Session, user, clock: FrozenClock
) -> None:
    now = clock.now()
    for lateness_ms in (40, 80, 700):
        make_reminder(
            db,
            user_id=user.id,
            due_at=now - timedelta(minutes=1),
            state=SENT,
            lateness_ms=lateness_ms,
        )
    make_reminder(db, user_id=user.id, due_at=now - timedelta(seconds=5))  # due: in the queue
    make_reminder(db, user_id=user.id, due_at=now + timedelta(hours=1))  # upcoming

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    lines = set(text.splitlines())
    assert 'interlude_reminder_delivery_lateness_seconds_bucket{le="0.05"} 1.0' in lines
    assert 'interlude_reminder_delivery_lateness_seconds_bucket{le="0.1"} 2.0' in lines
    assert 'interlude_reminder_delivery_lateness_seconds_bucket{le="1.0"} 3.0' in lines
    assert 'interlude_reminder_delivery_lateness_seconds_bucket{le="+Inf"} 3.0' in lines
    assert "interlude_reminder_delivery_lateness_seconds_count 3.0" in lines
    assert "interlude_reminder_delivery_lateness_seconds_sum 0.82" in lines
    assert 'interlude_reminders_total{state="sent"} 3.0' in lines
    assert 'interlude_reminders_total{state="planned"} 2.0' in lines
    assert "interlude_reminder_queue_depth 1.0" in lines
    assert "interlude_reminders_upcoming 1.0" in lines
    assert "# TYPE interlude_push_attempts_total counter" in lines
