"""The Today view's reads on PostgreSQL run on the event loop (core/async_reads.py).

What the answers are is held by tests/accounts/test_reads.py on both backends (byte for
byte the response models); here: that PostgreSQL really takes the event-loop path, that it
survives its connections dying, and that a database that is down is a 503, not a 500.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from interlude.accounts.models import User
from interlude.calendars import read_models as appointment_reads
from interlude.core.async_reads import AsyncReadPool, CompiledRead, PerCallStatement
from interlude.core.clock import FrozenClock
from interlude.core.runtime import Runtime
from interlude.reminders import read_models as reminder_reads
from interlude.reminders.models import Reminder
from tests.conftest import POSTGRES_URL
from tests.reminders.factories import make_reminder

ON_POSTGRES = pytest.mark.parametrize("db_backend", ["postgres"] if POSTGRES_URL else [])
REMINDERS = "/api/v1/reminders"


def _day(clock: FrozenClock) -> dict[str, str]:
    now = clock.now()
    return {
        "start": (now - timedelta(hours=1)).isoformat(),
        "end": (now + timedelta(hours=8)).isoformat(),
    }


def _backend_pids(db: Session) -> set[int]:
    rows = db.execute(
        text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND query LIKE '%signed_in%'"
        )
    )
    return {pid for (pid,) in rows}


@ON_POSTGRES
def test_postgres_reads_take_the_event_loop_path_and_reuse_one_connection(
    client: TestClient, auth: dict[str, str], db: Session, user: User, clock: FrozenClock
) -> None:
    pool = client.app.state.async_reads  # type: ignore[attr-defined]
    assert isinstance(pool, AsyncReadPool)
    make_reminder(db, user_id=user.id, due_at=clock.now() + timedelta(minutes=30))

    for _ in range(3):
        response = client.get(REMINDERS, params=_day(clock), headers=auth)
        assert response.status_code == 200, response.text
        assert len(response.json()) == 1

    # One backend served all three (the statement text names the CTE), kept idle between.
    assert len(_backend_pids(db)) == 1
    assert len(pool._idle) == 1


@ON_POSTGRES
def test_a_connection_that_died_while_idle_is_replaced_within_the_request(
    client: TestClient, auth: dict[str, str], db: Session, clock: FrozenClock
) -> None:
    assert client.get(REMINDERS, params=_day(clock), headers=auth).status_code == 200
    (before,) = _backend_pids(db)
    db.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": before})
    db.commit()

    response = client.get(REMINDERS, params=_day(clock), headers=auth)

    assert response.status_code == 200, response.text
    assert _backend_pids(db) - {before}


@ON_POSTGRES
def test_a_database_that_is_down_is_a_503_with_retry_after(
    runtime: Runtime, auth: dict[str, str], client: TestClient, clock: FrozenClock
) -> None:
    pool = client.app.state.async_reads  # type: ignore[attr-defined]
    # Nothing listens on port 9 here: connecting fails at once, as when PostgreSQL is down.
    client.app.state.async_reads = AsyncReadPool(  # type: ignore[attr-defined]
        runtime.engine.url.set(port=9), runtime.engine.dialect, size=1
    )
    try:
        response = client.get(REMINDERS, params=_day(clock), headers=auth)
    finally:
        client.app.state.async_reads = pool  # type: ignore[attr-defined]

    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "unavailable"
    assert response.headers["retry-after"] == "5"


@ON_POSTGRES
def test_the_engine_url_connects_as_is_and_a_server_zone_changes_nothing(
    runtime: Runtime,
    auth: dict[str, str],
    client: TestClient,
    db: Session,
    user: User,
    clock: FrozenClock,
) -> None:
    """Options with spaces, an encoded password (trust auth ignores it) and a session time
    zone far from UTC: the answer is the thread path's, byte for byte."""
    make_reminder(db, user_id=user.id, due_at=clock.now() + timedelta(minutes=30, microseconds=7))
    pool = client.app.state.async_reads  # type: ignore[attr-defined]
    client.app.state.async_reads = None  # type: ignore[attr-defined]
    try:
        thread_path = client.get(REMINDERS, params=_day(clock), headers=auth)
    finally:
        client.app.state.async_reads = pool  # type: ignore[attr-defined]
    url = runtime.engine.url.update_query_dict(
        {"options": "-c timezone=America/New_York", "application_name": "Interlude API"}
    ).set(password="with space+plus")
    zoned = AsyncReadPool(url, runtime.engine.dialect, size=1)
    client.app.state.async_reads = zoned  # type: ignore[attr-defined]
    try:
        on_loop = client.get(REMINDERS, params=_day(clock), headers=auth)
    finally:
        client.app.state.async_reads = pool  # type: ignore[attr-defined]

    assert on_loop.status_code == 200, on_loop.text
    assert on_loop.content == thread_path.content
    (conn,) = zoned._idle  # the read went through the zoned connection
    assert conn.info.parameter_status("TimeZone") == "America/New_York"


@ON_POSTGRES
def test_a_state_filter_is_rendered_per_call_on_the_thread_path(
    client: TestClient, auth: dict[str, str], db: Session, user: User, clock: FrozenClock
) -> None:
    pool = client.app.state.async_reads  # type: ignore[attr-defined]
    assert pool.can_run(appointment_reads.STATEMENT)
    assert pool.can_run(reminder_reads.ALL_STATES)
    assert not pool.can_run(reminder_reads.SOME_STATES)
    with pytest.raises(PerCallStatement):
        CompiledRead(reminder_reads.SOME_STATES, db.get_bind().dialect)

    make_reminder(db, user_id=user.id, due_at=clock.now() + timedelta(minutes=30))
    planned = client.get(REMINDERS, params={**_day(clock), "state": ["planned"]}, headers=auth)
    assert planned.status_code == 200 and len(planned.json()) == 1


@ON_POSTGRES
def test_anonymous_and_typed_parameters_are_bound_as_sqlalchemy_binds_them(
    runtime: Runtime, db: Session, user: User, clock: FrozenClock
) -> None:
    make_reminder(db, user_id=user.id, due_at=clock.now() + timedelta(minutes=30))
    # An anonymous datetime parameter (through UTCDateTime's bind processor) and LIMIT's.
    statement = (
        select(Reminder.id, Reminder.due_at, Reminder.ritual_steps)
        .where(Reminder.due_at > clock.now() - timedelta(hours=1))
        .limit(5)
    )

    async def read() -> list[Sequence[Any]]:
        pool = AsyncReadPool(runtime.engine.url, runtime.engine.dialect, size=1)
        try:
            return await pool.run(lambda conn: pool.fetch(conn, statement, {}))
        finally:
            await pool.close()

    rows = asyncio.run(read())

    assert [tuple(row) for row in rows] == [tuple(row) for row in db.execute(statement).all()]
    assert len(rows) == 1
