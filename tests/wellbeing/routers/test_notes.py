"""GET /notes: the notes backlog (sessions notes time applies to, ended in the last
backlog_days days, without "notes done") and the ran-over counts of the last 28 days."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from interlude.accounts.models import User
from interlude.calendars.models import Appointment
from interlude.care_plan.models import CarePlanSettings
from tests.conftest import DEFAULT_NOW
from tests.wellbeing.factories import add_session, make_source

URL = "/api/v1/wellbeing/notes"


def _notes_time(db: Session, user: User, **values: Any) -> None:
    plan = db.get(CarePlanSettings, user.id)
    assert plan is not None
    for name, value in {"notes_minutes": 10, **values}.items():
        setattr(plan, name, value)
    db.commit()


@pytest.fixture
def sessions(db: Session, user: User) -> dict[str, Appointment]:
    """Sessions that ended 1 hour, 2 days, 5 days, 10 days and 40 days ago, one to come, and an
    'other' event; the 2-day one intense, the 5-day one telehealth and ran over, the 10-day
    one ran over."""
    now = DEFAULT_NOW
    source = make_source(db, user.id, now)

    def ended(ago: timedelta) -> Appointment:
        return add_session(db, source, now - ago - timedelta(minutes=50))

    rows = {
        "hour": ended(timedelta(hours=1)),
        "two_days": ended(timedelta(days=2)),
        "five_days": ended(timedelta(days=5)),
        "ten_days": ended(timedelta(days=10)),
        "forty_days": ended(timedelta(days=40)),
        "later": add_session(db, source, now + timedelta(hours=2)),
        "other": add_session(db, source, now - timedelta(hours=4), kind="other"),
    }
    rows["two_days"].intense = True
    rows["five_days"].telehealth = True
    rows["five_days"].ran_over = True
    rows["ten_days"].ran_over = True
    rows["forty_days"].ran_over = True
    db.commit()
    return rows


def _ids(body: dict[str, Any], rows: dict[str, Appointment]) -> list[str]:
    names = {str(row.id): name for name, row in rows.items()}
    return [names[s["id"]] for s in body["sessions"]]


def test_notes_time_off_has_no_backlog_but_counts_ran_over(
    client: TestClient, auth: dict[str, str], sessions: dict[str, Appointment]
) -> None:
    response = client.get(URL, headers=auth)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "enabled": False,
        "backlog_days": 7,
        "backlog": 0,
        "sessions": [],
        "ran_over_days": 28,
        "sessions_ended": 4,  # the 40-day one is older, the coming one has not ended
        "ran_over": 2,
    }


def test_the_backlog_with_notes_time_on(
    client: TestClient,
    auth: dict[str, str],
    db: Session,
    user: User,
    sessions: dict[str, Appointment],
) -> None:
    _notes_time(db, user)
    body = client.get(URL, headers=auth).json()
    assert (body["enabled"], body["backlog_days"], body["backlog"]) == (True, 7, 3)
    assert _ids(body, sessions) == ["hour", "two_days", "five_days"]  # newest first
    first = body["sessions"][0]
    assert set(first) == {"id", "start", "end"}  # times only
    assert datetime.fromisoformat(first["end"]) == sessions["hour"].end

    # "Notes done" from the session sheet takes it off the backlog.
    done = client.patch(
        f"/api/v1/appointments/{first['id']}", json={"notes_done": True}, headers=auth
    )
    assert done.status_code == 200, done.text
    body = client.get(URL, headers=auth).json()
    assert body["backlog"] == 2 and _ids(body, sessions) == ["two_days", "five_days"]


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        ({"notes_applies_to": "intense"}, ["two_days"]),
        ({"notes_applies_to": "telehealth"}, ["five_days"]),
        ({"notes_backlog_days": 3}, ["hour", "two_days"]),
        ({"notes_backlog_days": 30}, ["hour", "two_days", "five_days", "ten_days"]),
    ],
)
def test_the_backlog_follows_the_care_plan(
    client: TestClient,
    auth: dict[str, str],
    db: Session,
    user: User,
    sessions: dict[str, Appointment],
    plan: dict[str, Any],
    expected: list[str],
) -> None:
    _notes_time(db, user, **plan)
    body = client.get(URL, headers=auth).json()
    assert body["backlog"] == len(expected)
    assert _ids(body, sessions) == expected


def test_the_list_stops_at_50_but_the_count_does_not(
    client: TestClient, auth: dict[str, str], db: Session, user: User
) -> None:
    source = make_source(db, user.id, DEFAULT_NOW)
    for n in range(60):  # every 2 hours back from now: all within 7 days
        add_session(db, source, DEFAULT_NOW - timedelta(hours=2 * n + 1))
    db.commit()
    _notes_time(db, user)
    body = client.get(URL, headers=auth).json()
    assert body["backlog"] == 60 and len(body["sessions"]) == 50
    ends = [s["end"] for s in body["sessions"]]
    assert ends == sorted(ends, reverse=True)


def test_notes_are_per_therapist(
    client: TestClient,
    auth: dict[str, str],
    other_auth: dict[str, str],
    db: Session,
    other_user: User,
    sessions: dict[str, Appointment],
) -> None:
    _notes_time(db, other_user)
    body = client.get(URL, headers=other_auth).json()
    assert (body["enabled"], body["backlog"], body["sessions"]) == (True, 0, [])
    assert (body["sessions_ended"], body["ran_over"]) == (0, 0)
    assert client.get(URL).status_code == 401
