"""A simulated working day compressed in time, against real processes on loopback.

    .venv/bin/python bench/soak.py --minutes 30 --therapists 2000 --api 2 --workers 2
        [--pg-url postgresql://postgres@127.0.0.1:5432/postgres]   (else SQLite)

N therapists sign up through the API, each with an ICS feed on a local feed server (sessions
whose ends fall inside the run, 10 minutes apart, so micro-breaks fall due all through it)
and a phone registered with the local Web Push service (tests/support/push_service.py).
Then ``interlude serve --workers A`` and W ``interlude worker`` processes run for the given
time while client threads act like therapists: open the Today view, list reminders, post
check-ins, sync their calendar now and then (a re-sync must not duplicate anything).

At the end (after a grace period for the last reminders): zero 5xx; every reminder that
fell due was delivered exactly once (none lost, none duplicated); RSS of every process at
the start and the end. ``run_soak()`` is what tests/load/test_soak.py calls with 2 minutes.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECRET = "soak-secret-key-that-is-long-enough-0123456789"
PASSWORD = "soak password 12345"


@dataclass
class SoakReport:
    therapists: int
    seconds: float
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    due: int = 0  # reminders whose due time fell inside the run
    delivered: int = 0  # of those, delivered (distinct)
    duplicated: int = 0  # deliveries beyond the first, any reminder
    lost: list[str] = field(default_factory=list)
    rss_start_mb: dict[str, float] = field(default_factory=dict)
    rss_end_mb: dict[str, float] = field(default_factory=dict)

    @property
    def server_errors(self) -> int:
        return sum(n for code, n in self.statuses.items() if code >= 500)

    def summary(self) -> str:
        rss = ", ".join(
            f"{name} {self.rss_start_mb[name]:.0f}->{self.rss_end_mb.get(name, 0):.0f} MB"
            for name in self.rss_start_mb
        )
        return (
            f"{self.therapists} therapists, {self.seconds:.0f} s: {self.requests} requests "
            f"{dict(self.statuses)}, {self.server_errors} 5xx; reminders due {self.due}, "
            f"delivered {self.delivered}, lost {len(self.lost)}, duplicated {self.duplicated}; "
            f"RSS {rss}"
        )


# --- infrastructure -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _settled_rss(processes: dict[str, subprocess.Popen[bytes]]) -> dict[str, float]:
    """RSS by process once it stops growing (two samples 2 s apart within 2 MB; at most 90 s)."""
    previous: dict[str, float] = {}
    deadline = time.monotonic() + 90
    while True:
        time.sleep(2.0)
        current = {name: _rss_mb(p.pid) for name, p in processes.items()}
        settled = previous and all(abs(current[n] - previous[n]) < 2 for n in current)
        if settled or time.monotonic() > deadline:
            return current
        previous = current


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn --workers forks)."""
    total = 0.0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for one in pids:
        status = Path(f"/proc/{one}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
    return total


class Database:
    def __init__(self, pg_url: str | None, tmp: Path) -> None:
        from interlude import migrations

        self.pg_url = pg_url
        if pg_url:
            from sqlalchemy.engine import make_url

            self.admin = pg_url.replace("postgresql://", "postgresql+psycopg://", 1)
            self.name = f"interlude_soak_{os.getpid()}"
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')
            self.url = make_url(self.admin).set(database=self.name).render_as_string(False)
        else:
            self.url = f"sqlite:///{tmp / 'soak.db'}"
        migrations.upgrade(self.url)

    def _admin(self, sql: str) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(sql))
        engine.dispose()

    def drop(self) -> None:
        if self.pg_url:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _feed(sessions: list[datetime], uid: str) -> bytes:
    stamp = "%Y%m%dT%H%M%SZ"
    events = [
        "\r\n".join(
            (
                "BEGIN:VEVENT",
                f"UID:{uid}-{n}@soak.example",
                "DTSTAMP:20260101T000000Z",
                f"DTSTART:{(end - timedelta(minutes=50)).strftime(stamp)}",
                f"DTEND:{end.strftime(stamp)}",
                "SUMMARY:Session",
                "END:VEVENT",
            )
        )
        for n, end in enumerate(sessions)
    ]
    text = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//soak//EN", *events])
    return (text + "\r\nEND:VCALENDAR\r\n").encode()


# --- the run --------------------------------------------------------------------------------


def run_soak(
    *,
    seconds: float,
    therapists: int,
    pg_url: str | None = None,
    api_processes: int = 1,
    workers: int = 1,
    clients: int = 6,
    grace: float = 45.0,
) -> SoakReport:
    from tests.calendars.feedserver import FeedServer, Route
    from tests.support.push_service import LocalPushService

    tmp = Path(tempfile.mkdtemp(prefix="soak-"))
    report = SoakReport(therapists=therapists, seconds=seconds)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    db = Database(pg_url, tmp)
    feeds = FeedServer()
    feeds.start()
    push = LocalPushService(decrypt="on_read").start()
    port = _free_port()
    env = {
        **os.environ,
        "INTERLUDE_DATABASE_URL": db.url,
        "INTERLUDE_SECRET_KEY": SECRET,
        "INTERLUDE_DATA_DIR": str(tmp / "var"),
        "INTERLUDE_ALLOW_PRIVATE_NETWORK": "true",
        "INTERLUDE_LOG_LEVEL": "WARNING",
        "INTERLUDE_ARGON2_TIME_COST": "1",
        "INTERLUDE_ARGON2_MEMORY_KIB": "1024",
        "INTERLUDE_SYNC_INTERVAL_MINUTES": "1",
        "INTERLUDE_BASE_URL": f"http://127.0.0.1:{port}",
        # Every therapist signs up from this one address.
        "INTERLUDE_SIGNUP_MAX_PER_ADDRESS_PER_HOUR": str(max(10, therapists)),
    }
    interlude = str(Path(sys.executable).with_name("interlude"))
    try:
        api = [interlude, "serve", "--port", str(port), "--workers", str(api_processes)]
        processes["api"] = subprocess.Popen(api, env=env)
        base = f"http://127.0.0.1:{port}"
        _wait(base)
        start = datetime.now(UTC) + timedelta(seconds=30)  # after sign-ups
        end = start + timedelta(seconds=seconds)
        users = _sign_up(base, therapists, start, end, feeds, Route, push)
        for n in range(workers):
            processes[f"worker{n}"] = subprocess.Popen([interlude, "worker"], env=env)
        # The start sample waits for the workers (and their send processes) to finish
        # importing: "flat memory" compares a loaded process with itself.
        report.rss_start_mb = _settled_rss(processes)
        _traffic(base, users, end, clients, report)
        time.sleep(max(0.0, (end - datetime.now(UTC)).total_seconds()) + grace)
        report.rss_end_mb = {name: _rss_mb(p.pid) for name, p in processes.items()}
        _check_deliveries(db.url, push, start, end, report)
    finally:
        for proc in processes.values():
            proc.terminate()
        for proc in processes.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        push.close()
        feeds.stop()
        db.drop()
        shutil.rmtree(tmp, ignore_errors=True)
    return report


def _wait(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the API did not start")


def _sign_up(
    base: str,
    therapists: int,
    start: datetime,
    end: datetime,
    feeds: Any,
    route: Any,
    push: Any,
) -> list[dict[str, Any]]:
    """Each therapist through the API: account, login, feed, phone."""
    users = []
    span = (end - start).total_seconds()
    with httpx.Client(base_url=base, timeout=30) as client:
        for n in range(therapists):
            email = f"soak{n}-{uuid.uuid4().hex[:6]}@example.org"
            body = {
                "email": email,
                "password": PASSWORD,
                "display_name": f"Therapist {n}",
                "timezone": "Europe/London",
            }
            assert client.post("/api/v1/auth/register", json=body).status_code == 201
            login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
            client.cookies.clear()
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            # Works every day, all day, no quiet hours: the run may be at any hour of any day.
            plan = {
                "working_days": list(range(7)),
                "working_start": "00:00",
                "working_end": "23:59",
                "quiet_start": None,
                "quiet_end": None,
            }
            patched = client.patch("/api/v1/care-plan/settings", json=plan, headers=headers)
            assert patched.status_code == 200, patched.text
            # 50-minute sessions an hour apart (a 10-minute gap: a break after each); one ends
            # inside the run, at a random moment of it.
            first = start + timedelta(seconds=random.uniform(0, span))
            ends = [first + timedelta(minutes=60 * k) for k in range(-2, 3)]
            url = feeds.add(f"/feed{n}.ics", route(body=_feed(ends, f"u{n}")))
            created = client.post(
                "/api/v1/calendars", json={"kind": "ics_url", "url": url}, headers=headers
            )
            assert created.status_code == 201, created.text
            key = client.get("/api/v1/push/vapid-public-key", headers=headers).json()
            device = push.subscribe(application_server_key=key["public_key"])
            registered = client.post(
                "/api/v1/push/subscriptions",
                json={**device.info, "label": "Phone"},
                headers=headers,
            )
            assert registered.status_code == 201, registered.text
            users.append({"headers": headers, "source": created.json()["id"]})
    return users


def _traffic(
    base: str, users: list[dict[str, Any]], end: datetime, clients: int, report: SoakReport
) -> None:
    lock = threading.Lock()

    def therapist_loop(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=base, timeout=30) as client:
            while datetime.now(UTC) < end:
                user = rng.choice(users)
                now = datetime.now(UTC)
                day = {
                    "start": f"{now - timedelta(hours=12):%Y-%m-%dT%H:%M:%SZ}",
                    "end": f"{now + timedelta(hours=12):%Y-%m-%dT%H:%M:%SZ}",
                }
                roll = rng.random()
                if roll < 0.4:
                    r = client.get("/api/v1/appointments", params=day, headers=user["headers"])
                elif roll < 0.8:
                    r = client.get("/api/v1/reminders", params=day, headers=user["headers"])
                elif roll < 0.95:
                    body = {"energy": rng.randint(1, 10)}
                    r = client.post(
                        "/api/v1/wellbeing/checkins", json=body, headers=user["headers"]
                    )
                else:
                    path = f"/api/v1/calendars/{user['source']}/sync"
                    r = client.post(path, headers=user["headers"])
                with lock:
                    report.requests += 1
                    report.statuses[r.status_code] += 1

    threads = [threading.Thread(target=therapist_loop, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _check_deliveries(
    url: str, push: Any, start: datetime, end: datetime, report: SoakReport
) -> None:
    from sqlalchemy import select

    from interlude.core.db import make_engine, make_session_factory
    from interlude.reminders.models import Reminder

    arrived = Counter(str(p.payload["id"]) for p in push.received())
    report.duplicated = sum(n - 1 for n in arrived.values() if n > 1)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            due = session.scalars(
                select(Reminder).where(
                    Reminder.due_at >= start,
                    Reminder.due_at < end,
                    Reminder.state.not_in(("cancelled",)),
                )
            ).all()
            report.due = len(due)
            report.lost = [f"{r.id} {r.kind} {r.state}" for r in due if str(r.id) not in arrived]
            report.delivered = report.due - len(report.lost)
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--therapists", type=int, default=2000)
    parser.add_argument("--api", type=int, default=2, help="API processes")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--pg-url", default=os.environ.get("INTERLUDE_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    report = run_soak(
        seconds=args.minutes * 60,
        therapists=args.therapists,
        pg_url=args.pg_url or None,
        api_processes=args.api,
        workers=args.workers,
        clients=args.clients,
    )
    print(report.summary())
    ok = not report.server_errors and not report.lost and not report.duplicated
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
