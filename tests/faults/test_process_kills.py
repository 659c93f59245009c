"""kill -9 of each process kind mid-burst, then a restart: nothing acknowledged is lost.

- `interlude serve` killed while clients write check-ins and care-plan edits: after the
  restart every acknowledged (2xx) write is there, nothing answers 5xx, the database is
  consistent.
- a worker killed mid-burst (tests/reminders/test_worker_processes.py kills one in a
  simultaneous burst; here the burst is staggered and some reminders expire while no worker
  runs): after the restart every reminder is delivered, the expired ones never, and nothing
  arrives after its expiry.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlude.care_plan.models import CarePlanSettings
from interlude.core.runtime import Runtime
from interlude.reminders.models import EXPIRED, SENDING
from interlude.wellbeing import service as wellbeing
from interlude.wellbeing.models import CheckIn
from tests.factories import make_user
from tests.reminders.test_worker_processes import _start_worker, _stop
from tests.support.push_service import LocalPushService

from .support import (
    ApiProcess,
    login,
    move_short,
    now_utc,
    seed_burst,
    settled,
    states,
    verdict,
    wait_until,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def live_push() -> Iterator[LocalPushService]:
    with LocalPushService() as service:
        yield service


class Writers:
    """Client threads writing through the API; they record what was acknowledged."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        self.base = base
        self.headers = headers
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.statuses: Counter[int] = Counter()
        self.after_restart: Counter[int] = Counter()
        self.restarted = False
        self.acked_checkins: set[str] = set()
        self.tried_checkins: set[str] = set()
        self.caps: list[tuple[int, bool]] = []  # (daily_cap sent, acknowledged), in order
        self.threads = [threading.Thread(target=self._checkins, args=(n,)) for n in range(3)]
        self.threads.append(threading.Thread(target=self._care_plan))

    def __enter__(self) -> Writers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def _record(self, status: int) -> None:
        with self.lock:
            self.statuses[status] += 1
            if self.restarted:
                self.after_restart[status] += 1

    def _checkins(self, n: int) -> None:
        with httpx.Client(base_url=self.base, headers=self.headers, timeout=10) as client:
            i = 0
            while not self.stop.is_set():
                tag = f"w{n}-{i}"
                i += 1
                with self.lock:
                    self.tried_checkins.add(tag)
                try:
                    body = {"energy": 5, "insight": tag}
                    r = client.post("/api/v1/wellbeing/checkins", json=body)
                except httpx.TransportError:  # the server died under the request
                    time.sleep(0.05)
                    continue
                self._record(r.status_code)
                if r.status_code == 201:
                    with self.lock:
                        self.acked_checkins.add(tag)

    def _care_plan(self) -> None:
        with httpx.Client(base_url=self.base, headers=self.headers, timeout=10) as client:
            cap = 0
            while not self.stop.is_set():
                cap = cap % 50 + 1
                try:
                    r = client.patch("/api/v1/care-plan/settings", json={"daily_cap": cap})
                except httpx.TransportError:
                    self.caps.append((cap, False))
                    time.sleep(0.05)
                    continue
                self._record(r.status_code)
                self.caps.append((cap, r.status_code == 200))

    def acked(self) -> int:
        with self.lock:
            return len(self.acked_checkins)


def test_a_killed_api_process_loses_no_acknowledged_write(
    db: Session, runtime: Runtime, db_url: str, db_backend: str, tmp_path: Path
) -> None:
    user = make_user(db, now=now_utc())
    api = ApiProcess(db_url, tmp_path)
    api.start()
    try:
        headers = login(api.base, user.email)
        with Writers(api.base, headers) as writers:
            wait_until(lambda: writers.acked() >= 20, timeout=90)
            api.kill()
            acked_at_kill = writers.acked()
            time.sleep(0.5)
            writers.restarted = True
            restart_seconds = api.start()
            wait_until(lambda: writers.acked() >= acked_at_kill + 15, timeout=60)
        print(f"\nAPI restart to ready: {restart_seconds:.1f} s; statuses {dict(writers.statuses)}")
    finally:
        api.stop()

    assert not [s for s in writers.statuses if s >= 500], writers.statuses
    assert set(writers.after_restart) <= {200, 201}, writers.after_restart
    db.expire_all()
    stored = _checkin_tags(db, runtime)
    assert writers.acked_checkins <= stored, "an acknowledged check-in was lost"
    assert stored <= writers.tried_checkins, "a check-in nobody sent"
    # The care plan holds the last acknowledged value, or a later one the kill cut off.
    cap = db.scalar(select(CarePlanSettings.daily_cap).where(CarePlanSettings.user_id == user.id))
    last_acked = max(i for i, (_, ok) in enumerate(writers.caps) if ok)
    assert cap in {value for value, _ in writers.caps[last_acked:]}, (cap, writers.caps[-5:])
    if db_backend == "sqlite":
        path = runtime.engine.url.database
        assert path
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def _checkin_tags(db: Session, runtime: Runtime) -> set[str]:
    """The insight of every stored check-in (encrypted at rest: read through the service)."""
    rows = db.scalars(select(CheckIn)).all()
    return {wellbeing.checkin_read(row, runtime.keyring).insight or "" for row in rows}


def test_a_killed_worker_delivers_everything_after_restart_and_nothing_late(
    db: Session, runtime: Runtime, db_url: str, tmp_path: Path, live_push: LocalPushService
) -> None:
    start = now_utc() + timedelta(seconds=2)
    burst = seed_burst(
        db,
        runtime,
        live_push,
        users=20,
        per_user=15,
        start=start,
        spread=timedelta(seconds=6),
        short_due=start + timedelta(hours=1),  # moved into the gap once the worker is dead
        short_count=20,
    )
    first = _start_worker(db_url, tmp_path, batch=50, lease=2)
    try:
        live_push.wait_for(50, timeout=60)
    finally:
        first.kill()  # SIGKILL mid-burst: rows in flight stay "sending" under its lease
        first.wait(timeout=10)
    killed = now_utc()
    assert len(live_push.received()) < burst.total - len(burst.short), "not mid-burst"
    in_flight = sum(1 for s in states(runtime).values() if s == SENDING)
    # Due and expired while no worker runs: they must end expired, never sent.
    move_short(
        runtime, burst, due=killed + timedelta(seconds=0.2), expires=killed + timedelta(seconds=1)
    )
    wait_until(lambda: now_utc() >= killed + timedelta(seconds=1.5), timeout=10, step=0.05)
    restarted = time.monotonic()
    second = _start_worker(db_url, tmp_path, batch=50, lease=2)
    ready = time.monotonic() - restarted
    try:
        wait_until(lambda: settled(runtime, burst), timeout=90, step=0.25)
    finally:
        _stop(second)
    arrivals = sorted(m.received_at for m in live_push.received())
    took = time.monotonic() - restarted
    print(
        f"\nworker restart: ready {ready:.1f} s, burst settled {took:.1f} s;"
        f" {len(arrivals)} arrivals, last at {arrivals[-1] - killed} after the kill"
    )

    result = verdict(runtime, burst, live_push)
    assert result.lost == [], result.lost[:5]
    assert result.late == [], "sent after its expiry"
    final = states(runtime)
    assert {final[rid] for rid in burst.short} == {EXPIRED}
    arrived = {m.payload["id"] for m in live_push.received()}
    assert not {str(rid) for rid in burst.short} & arrived
    assert result.duplicates <= in_flight, (result.duplicates, in_flight)
