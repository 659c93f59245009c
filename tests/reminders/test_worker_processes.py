"""Real worker processes on one database: exactly-once delivery and crash recovery.

Marked slow: thousands of real encrypted pushes to the local push service.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from interlude.accounts.models import User
from interlude.core.runtime import Runtime
from interlude.push.models import PushSubscription
from interlude.push.service import endpoint_hash
from interlude.reminders.dispatcher import Dispatcher
from interlude.reminders.models import PLANNED, SENDING, SENT, Reminder
from tests.conftest import POSTGRES_URL, TEST_SECRET
from tests.reminders.factories import vapid_public_key
from tests.support.push_service import LocalPushService, LocalSubscription

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture
def live_push() -> Iterator[LocalPushService]:
    """The push service on the real clock: the workers sign with the real time."""
    with LocalPushService() as service:
        yield service


def _seed(
    db: Session,
    runtime: Runtime,
    push: LocalPushService,
    *,
    users: int,
    per_user: int,
    due_at: datetime,
) -> dict[uuid.UUID, LocalSubscription]:
    """Users with one device each and ``per_user`` reminders all due at ``due_at``."""
    key = vapid_public_key(runtime)
    now = datetime.now(UTC)
    user_rows, sub_rows, reminder_rows = [], [], []
    devices: dict[uuid.UUID, LocalSubscription] = {}
    for n in range(users):
        user_id = uuid.uuid4()
        device = push.subscribe(application_server_key=key)
        devices[user_id] = device
        user_rows.append(
            {
                "id": user_id,
                "email": f"burst{n}@example.org",
                "password_hash": "x",
                "display_name": f"Burst {n}",
                "timezone": "America/New_York",
                "created_at": now,
                "updated_at": now,
                "password_changed_at": now,
            }
        )
        sub_rows.append(
            {
                "id": uuid.uuid4(),
                "user_id": user_id,
                "endpoint": device.endpoint,
                "endpoint_hash": endpoint_hash(device.endpoint),
                "p256dh": device.p256dh,
                "auth": device.auth,
                "label": "Phone",
                "created_at": now,
                "updated_at": now,
            }
        )
        for i in range(per_user):
            reminder_rows.append(
                {
                    "id": uuid.uuid4(),
                    "user_id": user_id,
                    "key": f"burst-{n}-{i}",
                    "kind": "micro_break",
                    "anchor": f"a{n}",
                    "due_at": due_at,
                    "next_attempt_at": due_at,
                    "expires_at": due_at + timedelta(minutes=10),
                    "state": PLANNED,
                    "attempts": 0,
                    "title": "Time for a short break",
                    "body": "Two minutes of box breathing.",
                    "duration_minutes": 2,
                    "ritual_steps": [],
                    "created_at": now,
                    "updated_at": now,
                }
            )
    db.execute(insert(User), user_rows)
    db.execute(insert(PushSubscription), sub_rows)
    db.execute(insert(Reminder), reminder_rows)
    db.commit()
    return devices


def _start_worker(db_url: str, tmp_path: Path, *, batch: int, lease: float) -> subprocess.Popen:
    env = {
        **os.environ,
        "INTERLUDE_DATABASE_URL": db_url,
        "INTERLUDE_SECRET_KEY": TEST_SECRET,
        "INTERLUDE_DATA_DIR": str(tmp_path / "var"),
        "INTERLUDE_LOG_LEVEL": "WARNING",
        # The local push service listens on loopback, which push sending refuses by default.
        "INTERLUDE_ALLOW_PRIVATE_NETWORK": "true",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.reminders.worker_entry", str(batch), str(lease)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


def _stop(process: subprocess.Popen) -> dict[str, int]:
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=30)
    return json.loads(out.strip().splitlines()[-1])


def _count(db: Session, state: str) -> int:
    return int(db.scalar(select(func.count()).where(Reminder.state == state)) or 0)


@pytest.mark.parametrize("db_backend", ["postgres"] if POSTGRES_URL else [])
def test_three_workers_deliver_a_5000_burst_exactly_once(
    db: Session, runtime: Runtime, db_url: str, tmp_path: Path, live_push: LocalPushService
) -> None:
    due_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=5)
    _seed(db, runtime, live_push, users=250, per_user=20, due_at=due_at)
    workers = [_start_worker(db_url, tmp_path, batch=200, lease=30) for _ in range(3)]
    try:
        received = live_push.wait_for(5000, timeout=120)
        time.sleep(1.0)  # a duplicate would arrive now
    finally:
        reports = [_stop(w) for w in workers]

    ids = Counter(m.payload["id"] for m in live_push.received())
    assert len(ids) == 5000 and max(ids.values()) == 1, "a reminder arrived twice"
    assert len(received) == len(live_push.received()) == 5000
    assert sum(r["sent"] for r in reports) == 5000
    assert sum(1 for r in reports if r["claimed"]) >= 2, f"one worker did it all: {reports}"
    db.expire_all()
    assert _count(db, SENT) == 5000


def test_a_killed_worker_loses_nothing(
    db: Session, runtime: Runtime, db_url: str, tmp_path: Path, live_push: LocalPushService
) -> None:
    total, batch = 1000, 50
    due_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
    _seed(db, runtime, live_push, users=100, per_user=total // 100, due_at=due_at)
    first = _start_worker(db_url, tmp_path, batch=batch, lease=2)
    try:
        live_push.wait_for(total // 4, timeout=60)
    finally:
        first.kill()  # SIGKILL: no chance to mark or release anything
        first.wait(timeout=10)
    db.expire_all()
    in_flight = _count(db, SENDING)
    second = _start_worker(db_url, tmp_path, batch=batch, lease=2)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            db.expire_all()
            if _count(db, SENT) == total:
                break
            time.sleep(0.25)
    finally:
        _stop(second)

    db.expire_all()
    assert _count(db, SENT) == total, "a reminder was lost"
    ids = Counter(m.payload["id"] for m in live_push.received())
    assert len(ids) == total
    duplicates = sum(ids.values()) - total
    # In flight at the kill: at most the batches a worker delivers at once.
    batches_in_flight = Dispatcher(runtime).batches_in_flight
    assert duplicates <= in_flight <= batches_in_flight * batch, (duplicates, in_flight)
