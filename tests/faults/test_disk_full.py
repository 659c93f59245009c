"""SQLite out of space: a clear 507, earlier data intact, no corruption, recovery once space
is freed; the worker keeps its reminders through it.

Space runs out through SQLite's own limit, ``PRAGMA max_page_count`` set on every connection
to the database's current size: allocating one more page fails with SQLITE_FULL, "database or
disk is full", the same error (and the same code path above the pager) as a full disk, and it
needs no mount permission, so it runs everywhere. docs/faults.md says what a full filesystem
adds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any, cast

import pytest
from apscheduler.schedulers.base import BaseScheduler
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from interlude.accounts.models import User
from interlude.core.clock import FrozenClock
from interlude.core.errors import DISK_FULL_MESSAGE, database_fault
from interlude.core.runtime import Runtime
from interlude.reminders.jobs import DispatchAlarm
from interlude.reminders.models import PLANNED, SENT, Reminder
from interlude.wellbeing.models import CheckIn
from tests.reminders.factories import add_device, make_reminder
from tests.support.push_service import LocalPushService

SQLITE_ONLY = pytest.mark.parametrize("db_backend", ["sqlite"])


class DiskQuota:
    """Caps the database at a number of pages on every new connection of the runtime's pool."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.pages: int | None = None
        event.listen(runtime.engine, "connect", self._apply)

    def _apply(self, dbapi_connection: Any, _record: Any) -> None:
        if self.pages is not None:
            dbapi_connection.execute(f"PRAGMA max_page_count = {self.pages}")

    def fill(self) -> int:
        """The disk is full from now on: no page beyond the current size."""
        path = self.runtime.engine.url.database
        assert path
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
        self.runtime.engine.dispose()  # pooled connections reopen with the cap
        return self.pages

    def free(self) -> None:
        self.pages = None
        self.runtime.engine.dispose()

    def close(self) -> None:
        event.remove(self.runtime.engine, "connect", self._apply)


@pytest.fixture
def quota(runtime: Runtime) -> Iterator[DiskQuota]:
    cap = DiskQuota(runtime)
    yield cap
    cap.close()


def _integrity(runtime: Runtime) -> tuple[str, list[Any]]:
    path = runtime.engine.url.database
    assert path
    with sqlite3.connect(path) as conn:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
        fks = conn.execute("PRAGMA foreign_key_check").fetchall()
    return str(ok), fks


def _checkin(n: int) -> dict[str, Any]:
    return {"energy": 1 + n % 10, "insight": f"note {n} " + "x" * 400}


@SQLITE_ONLY
def test_a_full_disk_is_a_clear_507_and_nothing_is_lost(
    client: TestClient, auth: dict[str, str], runtime: Runtime, db: Session, quota: DiskQuota
) -> None:
    saved = []
    for n in range(5):
        response = client.post("/api/v1/wellbeing/checkins", json=_checkin(n), headers=auth)
        assert response.status_code == 201, response.text
        saved.append(response.json()["id"])

    quota.fill()
    statuses: list[int] = []
    refused: dict[str, Any] | None = None
    for n in range(5, 400):  # the free room left in the last pages fills up first
        response = client.post("/api/v1/wellbeing/checkins", json=_checkin(n), headers=auth)
        statuses.append(response.status_code)
        if response.status_code == 201:
            saved.append(response.json()["id"])
            continue
        refused = {"n": n, "status": response.status_code, "body": response.json()}
        break
    assert 500 not in statuses
    assert refused is not None, "the database never filled up"
    assert refused["status"] == 507
    assert refused["body"]["error"] == {
        "code": "insufficient_storage",
        "message": DISK_FULL_MESSAGE,
        "details": None,
    }

    # Reading still works while the disk is full, and everything acknowledged is there.
    listed = client.get("/api/v1/wellbeing/checkins", params={"limit": 500}, headers=auth)
    assert listed.status_code == 200
    assert {c["id"] for c in listed.json()} == set(saved)
    assert _integrity(runtime) == ("ok", [])

    quota.free()
    retried = client.post("/api/v1/wellbeing/checkins", json=_checkin(refused["n"]), headers=auth)
    assert retried.status_code == 201, retried.text
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(CheckIn)) == len(saved) + 1
    assert _integrity(runtime) == ("ok", [])


@SQLITE_ONLY
def test_the_worker_survives_a_full_disk_and_sends_once_there_is_room(
    db: Session,
    runtime: Runtime,
    user: User,
    clock: FrozenClock,
    quota: DiskQuota,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with LocalPushService(clock=clock) as push:
        device, _ = add_device(runtime, push, user.id)
        now = clock.now()
        for _ in range(300):
            make_reminder(db, user_id=user.id, due_at=now, commit=False)
        db.commit()
        alarm = DispatchAlarm(cast(BaseScheduler, _NoScheduler()), runtime)
        try:
            quota.fill()
            alarm.fire()  # claiming 300 rows needs room: the claim fails and rolls back
            db.expire_all()
            states = db.scalars(select(Reminder.state)).all()
            assert set(states) == {PLANNED}, "a claim was half-written"
            assert push.received() == []
            assert "dispatch failed: OperationalError" in caplog.text

            quota.free()
            report = alarm.run_once()
            assert report.sent == 300
        finally:
            alarm.close()
        db.expire_all()
        assert set(db.scalars(select(Reminder.state)).all()) == {SENT}
        assert len({m.payload["id"] for m in push.received(device)}) == 300
        assert _integrity(runtime) == ("ok", [])


class _NoScheduler:
    """``DispatchAlarm.arm`` re-arms on a scheduler; here nothing needs to wake."""

    state = 0  # STATE_STOPPED: arm() returns at once


class _PgDiskFull(Exception):
    sqlstate = "53100"


@pytest.mark.parametrize(
    ("orig", "status"),
    [
        (sqlite3.OperationalError("database or disk is full"), 507),
        (_PgDiskFull("could not extend file: No space left on device"), 507),
        (sqlite3.OperationalError("database is locked"), 503),
        (sqlite3.OperationalError("disk I/O error"), 503),
        (sqlite3.OperationalError("no such table: reminders"), None),  # a bug: a logged 500
    ],
)
def test_database_faults_are_classified(orig: Exception, status: int | None) -> None:
    fault = database_fault(OperationalError("SELECT 1", {}, orig))
    assert (fault.status_code if fault else None) == status
    if fault is not None and status == 503:
        assert fault.headers == {"Retry-After": "5"}
