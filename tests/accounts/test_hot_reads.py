"""The hot read path (accounts/hot_reads.py) answers exactly as the routes it stands in front
of, or hands the request to them.

A request with an extra, unknown query parameter (``zz=1``) is one FastAPI answers exactly
as without it, but one the hot path always hands on: so each request below is sent twice,
once each way, and the two answers must match byte for byte, headers included.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from interlude.accounts.models import AuthSession
from interlude.calendars import router as calendar_routes
from interlude.calendars.models import Appointment, CalendarSource
from interlude.core.clock import FrozenClock
from interlude.reminders import router as reminder_routes
from tests.factories import DEFAULT_PASSWORD
from tests.reminders.factories import make_reminder

REMINDERS = "/api/v1/reminders"
APPOINTMENTS = "/api/v1/appointments"
FORCE_ROUTE = "zz=1"


def _make_calendar(db: Session, user_id, clock: FrozenClock) -> None:  # type: ignore[no-untyped-def]
    now = clock.now()
    source = CalendarSource(
        user_id=user_id, kind="upload", name="Practice", rule={"mode": "all_timed"},
        status="ok", created_at=now, updated_at=now,
    )  # fmt: skip
    db.add(source)
    db.flush()
    for hour in (1, 3, 30):
        db.add(
            Appointment(
                user_id=user_id,
                source_id=source.id,
                identity_hash=f"h{hour}",
                start=now + timedelta(hours=hour),
                end=now + timedelta(hours=hour, minutes=50),
                all_day=False,
                kind="session",
                telehealth=hour == 3,
                intense=hour == 1,
            )
        )
    for hour in (-30, 2, 5, 24 * 20):
        make_reminder(db, user_id=user_id, due_at=now + timedelta(hours=hour), commit=False)
    db.commit()


def _queries(clock: FrozenClock) -> list[str]:
    now = clock.now()

    def at(hours: float, *, naive: bool = False) -> str:
        moment = now + timedelta(hours=hours)
        return quote((moment.replace(tzinfo=None) if naive else moment).isoformat())

    day = f"start={at(-2)}&end={at(24)}"
    return [
        "",
        day,
        f"start={at(-2)}",
        f"end={at(24)}",
        f"start={at(24)}&end={at(-2)}",  # reversed
        f"start={at(0)}&end={at(24 * 93)}",  # longer than the reminder list allows
        f"start={at(0)}&end={at(24 * 367)}",  # longer than the appointment list allows
        f"start={at(-2, naive=True)}&end={at(24)}",
        f"start={at(-2)}&end=tomorrow",
        "start=&end=",
        f"{day}&start={at(-1)}",  # a parameter twice
        f"{day}&state=planned",
        f"{day}&state=nonsense",
        "start=2026-11-23T09:00:00+05:00&end=2026-11-24T09:00:00+05:00",  # '+' is a space
        "start=1795000000&end=1795090000",  # pydantic reads numbers as Unix times
        "start=2026-W48-1T09:00Z&end=2026-11-24T09:00Z",
        f"start={at(-2)}\x00&end={at(24)}".replace("\x00", "%00"),
    ]


def _same(client: TestClient, path: str, query: str, headers: dict[str, str]) -> int:
    hot = client.get(f"{path}?{query}", headers=headers)
    routed = client.get(f"{path}?{query}&{FORCE_ROUTE}" if query else f"{path}?{FORCE_ROUTE}",
                        headers=headers)  # fmt: skip
    assert (hot.status_code, hot.content) == (routed.status_code, routed.content), (path, query)
    assert hot.headers.items() == routed.headers.items(), (path, query)
    return hot.status_code


@pytest.mark.parametrize("path", [REMINDERS, APPOINTMENTS])
def test_the_hot_path_answers_as_the_route_does(
    client: TestClient, db: Session, user, auth: dict[str, str], clock: FrozenClock, path: str
) -> None:
    _make_calendar(db, user.id, clock)
    statuses = {_same(client, path, query, auth) for query in _queries(clock)}
    assert statuses == {200, 422}  # both kinds of answer were compared
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        assert _same(client, path, _queries(clock)[1], headers) == 401


def test_the_hot_path_answers_cookie_sessions_and_refuses_ended_ones(
    client: TestClient, db: Session, user, clock: FrozenClock
) -> None:
    _make_calendar(db, user.id, clock)
    login = {"email": user.email, "password": DEFAULT_PASSWORD}
    assert client.post("/api/v1/auth/login", json=login).status_code == 200
    day = _queries(clock)[1]
    assert _same(client, REMINDERS, day, {}) == 200
    assert _same(client, APPOINTMENTS, day, {}) == 200
    db.execute(update(AuthSession).values(revoked_at=clock.now()))
    db.commit()
    assert _same(client, REMINDERS, day, {}) == 401
    assert _same(client, APPOINTMENTS, day, {}) == 401


def test_plain_list_requests_never_reach_the_routes(
    client: TestClient,
    db: Session,
    user,
    auth: dict[str, str],
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The hot path really answers (and a forced request shows that the routes would
    fail here)."""
    _make_calendar(db, user.id, clock)

    async def unreachable(*_: object, **__: object) -> None:
        raise AssertionError("the route was entered")

    monkeypatch.setattr(reminder_routes, "signed_in_read", unreachable)
    monkeypatch.setattr(calendar_routes, "signed_in_read", unreachable)
    day = _queries(clock)[1]
    reminders = client.get(REMINDERS, headers=auth)
    assert reminders.status_code == 200 and len(reminders.json()) == 2  # the default window
    appointments = client.get(f"{APPOINTMENTS}?{day}", headers=auth)
    assert appointments.status_code == 200 and len(appointments.json()) == 2
    assert client.get(f"{REMINDERS}?{day}&{FORCE_ROUTE}", headers=auth).status_code == 500
