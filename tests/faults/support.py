"""Shared pieces of the fault tests: real `interlude serve` processes, staggered reminder
bursts (seeded with the multi-process tests' helpers) and the delivery verdict.

A burst here is staggered: its reminders fall due over a few seconds, so a fault injected
at a chosen instant is always mid-burst, and reminders can be made to expire while a process
or the database is down.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from interlude.core.runtime import Runtime
from interlude.core.settings import Settings
from interlude.reminders.models import EXPIRED, SENT, Reminder
from tests.conftest import TEST_SECRET
from tests.factories import DEFAULT_PASSWORD
from tests.reminders.test_worker_processes import _seed
from tests.support.push_service import LocalPushService, LocalSubscription

ROOT = Path(__file__).resolve().parents[2]
# Batches a standalone worker posts at once (its setting's default): what a crash can leave
# in flight.
BATCHES_IN_FLIGHT = int(Settings.model_fields["dispatch_batches_in_flight"].default)
INTERLUDE = str(Path(sys.executable).with_name("interlude"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], bool], *, timeout: float, step: float = 0.1) -> float:
    """Seconds until ``check()`` held; raises TimeoutError after ``timeout``."""
    start = time.monotonic()
    while True:
        if check():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"condition not met within {timeout} s")
        time.sleep(step)


def process_env(db_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "INTERLUDE_DATABASE_URL": db_url,
        "INTERLUDE_SECRET_KEY": TEST_SECRET,
        "INTERLUDE_DATA_DIR": str(tmp_path / "var"),
        "INTERLUDE_LOG_LEVEL": "WARNING",
        "INTERLUDE_ALLOW_PRIVATE_NETWORK": "true",
        "INTERLUDE_ARGON2_TIME_COST": "1",
        "INTERLUDE_ARGON2_MEMORY_KIB": "1024",
        "INTERLUDE_FRONTEND_DIST": str(tmp_path / "no-frontend"),
        **extra,
    }


class ApiProcess:
    """``interlude serve`` (one process) on a fixed loopback port, restartable on that port."""

    def __init__(self, db_url: str, tmp_path: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = process_env(db_url, tmp_path, INTERLUDE_BASE_URL=self.base)
        self.log = tmp_path / "api.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, timeout: float = 60) -> float:
        """Starts it and returns the seconds until /readyz answered 200."""
        started = time.monotonic()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [INTERLUDE, "serve", "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(self._ready, timeout=timeout)
        return time.monotonic() - started

    def _ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"interlude serve exited: {self.log.read_text()[-2000:]}")
        try:
            return httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no commit of whatever was in flight."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@dataclass
class Burst:
    """Reminders due over ``[start, start + spread)``; ``short`` ones expire within seconds."""

    start: datetime
    ids: list[uuid.UUID]
    short: set[uuid.UUID] = field(default_factory=set)
    devices: dict[uuid.UUID, LocalSubscription] = field(default_factory=dict)  # by user id

    @property
    def total(self) -> int:
        return len(self.ids)


def seed_burst(
    db: Session,
    runtime: Runtime,
    push: LocalPushService,
    *,
    users: int,
    per_user: int,
    start: datetime,
    spread: timedelta,
    short_due: datetime | None = None,
    short_count: int = 0,
    short_expiry: timedelta = timedelta(seconds=1),
) -> Burst:
    """``users`` x ``per_user`` reminders (one device per user, via the multi-process tests'
    ``_seed``), their due times spread evenly; the first ``short_count`` fall due at
    ``short_due`` and expire ``short_expiry`` later."""
    devices = _seed(db, runtime, push, users=users, per_user=per_user, due_at=start)
    ids = list(db.scalars(select(Reminder.id).order_by(Reminder.key)))
    step = spread / len(ids)
    rows = []
    short: set[uuid.UUID] = set()
    for n, rid in enumerate(ids):
        if n < short_count and short_due is not None:
            due, expires = short_due, short_due + short_expiry
            short.add(rid)
        else:
            due = start + step * n
            expires = due + timedelta(minutes=10)
        rows.append({"rid": rid, "due": due, "exp": expires})
    db.connection().execute(
        update(Reminder.__table__)  # type: ignore[arg-type]
        .where(Reminder.__table__.c.id == bindparam("rid"))
        .values(
            due_at=bindparam("due"), next_attempt_at=bindparam("due"), expires_at=bindparam("exp")
        ),
        rows,
    )
    db.commit()
    return Burst(start=start, ids=ids, short=short, devices=devices)


def move_short(runtime: Runtime, burst: Burst, *, due: datetime, expires: datetime) -> None:
    """Reschedules the burst's short reminders (seeded far ahead so nothing claims them early)."""
    with runtime.session() as session:
        session.execute(
            update(Reminder)
            .where(Reminder.id.in_(burst.short))
            .values(due_at=due, next_attempt_at=due, expires_at=expires)
        )


def states(runtime: Runtime) -> dict[uuid.UUID, str]:
    """Every reminder's state, read in a fresh session (safe across a database restart)."""
    with runtime.session_factory() as session:
        return {rid: state for rid, state in session.execute(select(Reminder.id, Reminder.state))}


def settled(runtime: Runtime, burst: Burst) -> bool:
    """Every reminder of the burst reached a final state."""
    try:
        return all(s in (SENT, EXPIRED) for s in states(runtime).values())
    except Exception:  # the database may still be coming back
        return False


@dataclass
class Verdict:
    sent: int
    expired: int
    duplicates: int
    late: list[str]
    lost: list[str]


def verdict(runtime: Runtime, burst: Burst, push: LocalPushService) -> Verdict:
    """What happened to the burst: per reminder its final state against what arrived."""
    final = states(runtime)
    arrivals = Counter(m.payload["id"] for m in push.received())
    late = [
        m.payload["id"]
        for m in push.received()
        if m.received_at > datetime.fromisoformat(m.payload["expires_at"].replace("Z", "+00:00"))
    ]
    lost = [
        f"{rid} {final[rid]}"
        for rid in burst.ids
        if rid not in burst.short and (final[rid] != SENT or arrivals[str(rid)] == 0)
    ]
    return Verdict(
        sent=sum(1 for s in final.values() if s == SENT),
        expired=sum(1 for s in final.values() if s == EXPIRED),
        duplicates=sum(arrivals.values()) - len(arrivals),
        late=late,
        lost=lost,
    )


def login(base: str, email: str) -> dict[str, str]:
    response = httpx.post(
        f"{base}/api/v1/auth/login", json={"email": email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def now_utc() -> datetime:
    return datetime.now(UTC)
