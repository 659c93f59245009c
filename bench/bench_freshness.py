"""Calendar freshness: how long a change in a feed takes to reach the planned reminders.

    .venv/bin/python bench/bench_freshness.py [--feeds 1000] [--minutes 40] [--no-write]

1,000 ICS feeds (one user each, SQLite) served by a local HTTP server with ETags; 5 % of them
change once, at a random moment of the run. The worker is driven through its real job
(``calendars.jobs.tick``: leases, 4 fetch threads, conditional requests, parse, database
writes, the real re-plan of the user's reminders) on a **simulated clock**: the job's 30 s
ticks (± its 5 s jitter) are run one after the other, each at its simulated time, so a 40-minute
run takes as long as its polls do. The delay of a change is the simulated time from the
change to the tick whose sync re-planned that user's reminders (``hooks.schedule_changed``).

Two feed histories: "quiet" (no feed changed for a month: every feed on the slowest, 4-minute
poll, the worst case for the delay) and "mixed" (last changes spread over two weeks: 2-, 3-
and 4-minute polls). Then the CPU of one poll answered 304 Not Modified: every feed due at
once, unchanged, CPU of the whole process minus the feed server's threads.

Writes the "## Calendar freshness" section at the end of docs/benchmarks.md unless --no-write.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import update

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_calendars import practice_feed
from interlude import migrations
from interlude.accounts import service as accounts
from interlude.accounts.schemas import UserCreate
from interlude.calendars import jobs, service
from interlude.calendars.models import CalendarSource
from interlude.core import hooks
from interlude.core.clock import FrozenClock
from interlude.core.runtime import Runtime
from interlude.core.settings import Settings
from interlude.wiring import connect_domains

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
NOW = datetime(2026, 11, 23, 14, tzinfo=UTC)
CHANGING = 0.05
TICK = timedelta(seconds=jobs.TICK_SECONDS)
JITTER_S = 5.0


class _Feeds(BaseHTTPRequestHandler):
    bodies: dict[str, bytes] = {}
    versions: dict[str, int] = {}
    hits = 0
    not_modified = 0
    server_cpu = 0.0
    lock = threading.Lock()

    def log_message(self, format: str, *args: object) -> None:
        pass

    def handle(self) -> None:
        began = time.thread_time()
        try:
            super().handle()
        finally:
            with self.lock:
                type(self).server_cpu += time.thread_time() - began

    def do_GET(self) -> None:
        etag = f'"v{self.versions[self.path]}"'
        with self.lock:
            type(self).hits += 1
        if self.headers.get("If-None-Match") == etag:
            with self.lock:
                type(self).not_modified += 1
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        body = self.bodies[self.path]
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)


class Replans:
    """Records when each user's reminders were re-planned after a calendar change."""

    def __init__(self) -> None:
        self.at: dict[uuid.UUID, list[datetime]] = {}

    def __call__(self, *, session: Any, user_id: uuid.UUID, now: datetime) -> None:
        self.at.setdefault(user_id, []).append(now)


def _moved(body: bytes, path: str) -> bytes:
    """The feed with its first single session an hour later (a client rescheduled)."""
    lines = body.decode().split("\r\n")
    at = next(n for n, line in enumerate(lines) if line.startswith("UID:") and "-e0@" in line)
    n = next(n for n in range(at, len(lines)) if lines[n].startswith("DTSTART"))
    m = next(n for n in range(at, len(lines)) if lines[n].startswith("DTEND"))
    for index in (n, m):
        prefix, stamp = lines[index].rsplit(":", 1)
        later = datetime.strptime(stamp, "%Y%m%dT%H%M%S") + timedelta(hours=1)
        lines[index] = f"{prefix}:{later:%Y%m%dT%H%M%S}"
    return "\r\n".join(lines).encode()


def setup(feeds: int, workdir: Path) -> tuple[Runtime, FrozenClock, dict[str, uuid.UUID], str]:
    url = f"sqlite:///{workdir / 'bench.db'}"
    migrations.upgrade(url)
    settings = Settings(
        data_dir=workdir,
        database_url=url,
        secret_key="bench-secret-key-0123456789-abcdefghijkl",
        allow_private_network=True,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        _env_file=None,
    )
    clock = FrozenClock(NOW)
    runtime = Runtime.from_settings(settings, clock)
    connect_domains()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feeds)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    owners: dict[str, uuid.UUID] = {}
    with runtime.session() as session:
        for i in range(feeds):
            path = f"/feed{i}.ics"
            _Feeds.bodies[path] = practice_feed(series=5, singles=20, seed=f"f{i}").encode()
            _Feeds.versions[path] = 1
            user = accounts.register_user(
                session=session,
                passwords=runtime.passwords,
                data=UserCreate(
                    email=f"therapist{i}@example.org",
                    password="correct horse battery staple",
                    display_name=f"T{i}",
                    timezone="America/New_York",
                ),
                now=clock.now(),
            )
            owners[path] = user.id
            session.add(
                CalendarSource(
                    id=uuid.uuid4(),
                    user_id=user.id,
                    kind="ics_url",
                    name=f"feed {i}",
                    url_encrypted=runtime.keyring.encrypt(base + path),
                    rule={"mode": "all_timed"},
                    status="pending",
                    warnings=[],
                    consecutive_failures=0,
                    appointment_count=0,
                    session_count=0,
                    next_sync_at=clock.now(),
                    created_at=clock.now(),
                    updated_at=clock.now(),
                )
            )
    return runtime, clock, owners, base


def arrange_history(runtime: Runtime, history: str, rng: random.Random, start: datetime) -> None:
    """Set each source's last change, and its next check at a random phase of its interval
    (the steady state of a worker that has been running)."""
    ceiling = runtime.settings.sync_interval_minutes
    with runtime.session() as session:
        for source in session.query(CalendarSource):
            if history == "quiet":
                changed = start - timedelta(days=30)
            else:
                changed = start - timedelta(days=rng.uniform(0, 14))
            interval = service.poll_interval(
                last_changed_at=changed, created_at=None, ceiling=ceiling, now=start
            )
            source.last_changed_at = changed
            source.next_sync_at = start + interval * rng.random()
            source.lease_owner = source.lease_until = None


def simulate(
    runtime: Runtime,
    clock: FrozenClock,
    owners: dict[str, uuid.UUID],
    *,
    minutes: int,
    history: str,
    seed: int,
) -> dict[str, Any]:
    rng = random.Random(seed)
    start = clock.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    arrange_history(runtime, history, rng, start)
    paths = sorted(owners)
    changing = rng.sample(paths, round(len(paths) * CHANGING))
    # Each changes once, early enough that even the slowest poll sees it within the run.
    changes = sorted(
        (start + timedelta(seconds=rng.uniform(60, (minutes - 6) * 60)), path) for path in changing
    )
    replans = Replans()
    hooks.on_schedule_changed(replans)
    clock.set(start)
    hits_before, not_modified_before = _Feeds.hits, _Feeds.not_modified
    began = time.perf_counter()
    tick_at = start
    pending = list(changes)
    polls = 0
    try:
        while tick_at < start + timedelta(minutes=minutes):
            tick_at += TICK
            when = tick_at + timedelta(seconds=rng.uniform(-JITTER_S, JITTER_S))
            while pending and pending[0][0] <= when:
                _, path = pending.pop(0)
                _Feeds.bodies[path] = _moved(_Feeds.bodies[path], path)
                _Feeds.versions[path] += 1
            clock.set(max(when, clock.now()))
            polls += jobs.tick(runtime, "bench")
    finally:
        hooks._schedule_listeners.remove(replans)
    wall = time.perf_counter() - began
    delays = []
    for changed_at, path in changes:
        after = [t for t in replans.at.get(owners[path], []) if t >= changed_at]
        if not after:
            raise AssertionError(f"the change of {path} never reached the plan")
        delays.append((after[0] - changed_at).total_seconds() / 60)
    delays.sort()
    return {
        "history": history,
        "changes": len(changes),
        "p50": statistics.median(delays),
        "p95": delays[max(0, round(0.95 * len(delays)) - 1)],
        "max": delays[-1],
        "polls": polls,
        "polls_per_min": polls / minutes,
        "polls_per_min_per_1000": polls / minutes * 1000 / len(paths),
        "not_modified": _Feeds.not_modified - not_modified_before,
        "requests": _Feeds.hits - hits_before,
        "wall_s": wall,
    }


def cpu_per_304(runtime: Runtime, clock: FrozenClock) -> dict[str, float]:
    """Every feed due at once and unchanged: CPU per poll, the feed server's threads excluded."""
    now = clock.advance(minutes=10)
    with runtime.session() as session:
        session.execute(update(CalendarSource).values(next_sync_at=now))
    server_before, not_modified_before = _Feeds.server_cpu, _Feeds.not_modified
    began, cpu = time.perf_counter(), time.process_time()
    polls = jobs.tick(runtime, "bench")
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    server = _Feeds.server_cpu - server_before
    answered = _Feeds.not_modified - not_modified_before
    assert answered == polls, (answered, polls)
    return {
        "polls": polls,
        "cpu_ms": (cpu - server) / polls * 1000,
        "server_ms": server / polls * 1000,
        "wall_s": wall,
        "rate": polls / wall,
    }


def section(runs: list[dict[str, Any]], cpu: dict[str, float], args: argparse.Namespace) -> str:
    load = os.getloadavg()[0]
    feeds = args.feeds
    lines = [
        "## Calendar freshness",
        "",
        f"`.venv/bin/python bench/bench_freshness.py --feeds {feeds} --minutes {args.minutes}` — "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average at start {load:.1f}.",
        "",
        f"{feeds:,} ICS feeds (one therapist each, SQLite, a local HTTP server with ETags); "
        f"{CHANGING:.0%} of them change once (a session moved by an hour) at a random moment "
        f"of a {args.minutes}-minute run. The worker runs its real job (`calendars.jobs.tick`: "
        "leases, 4 fetch threads, conditional requests, parse, writes and the re-plan of the "
        "therapist's reminders) on a **simulated clock**: its 30 s ticks (± 5 s jitter) run back "
        "to back, each at its simulated time. Delay = simulated time from the change to the "
        "sync that re-planned that therapist's reminders; the polls' own processing time "
        "(milliseconds, below) is not in it. Default schedule (`SYNC_INTERVAL_MINUTES=4`: "
        "every 2 min after a change that day, 3 min that week, 4 min after a quiet week).",
        "",
        "| feed history | changes | delay p50 | delay p95 | max | polls/min per 1,000 feeds "
        "| of which 304 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        label = (
            "quiet for a month (every feed on the 4-min poll: worst case)"
            if run["history"] == "quiet"
            else "last change spread over 2 weeks (2-, 3- and 4-min polls)"
        )
        lines.append(
            f"| {label} | {run['changes']} | {run['p50']:.1f} min | {run['p95']:.1f} min | "
            f"{run['max']:.1f} min | {run['polls_per_min_per_1000']:.0f} | "
            f"{run['not_modified'] / max(run['requests'], 1):.1%} |"
        )
    lines += [
        "",
        f"CPU per poll answered 304 Not Modified ({int(cpu['polls']):,} feeds due at once, "
        "none changed, through the same job): "
        f"**{cpu['cpu_ms']:.2f} ms** of the worker process (lease, decrypt the address, the "
        "conditional request, record the check; no parse, no re-plan), plus "
        f"{cpu['server_ms']:.2f} ms in the benchmark's own feed server (excluded); "
        f"{cpu['rate']:.0f} polls/s on 4 threads. At the default schedule the worker polls "
        f"{runs[0]['polls_per_min_per_1000']:.0f} quiet feeds a minute per 1,000: about "
        f"{runs[0]['polls_per_min_per_1000'] * cpu['cpu_ms'] / 600:.1f} % of one core.",
        "",
        "For comparison: the previous schedule polled every 15 minutes plus jitter (a change "
        "took up to ~16 minutes); Google Calendar refreshes a subscribed ICS feed every 8-24 "
        "hours.",
        "",
    ]
    return "\n".join(lines)


def write_section(text: str) -> None:
    from bench.docs_section import replace_section  # ROOT is on sys.path

    replace_section(text)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--minutes", type=int, default=40)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="bench-freshness-"))
    runtime, clock, owners, _ = setup(args.feeds, workdir)
    began = time.perf_counter()
    first = jobs.tick(runtime, "bench")  # the first full read of every feed
    print(f"first read of {first} feeds: {time.perf_counter() - began:.1f} s", flush=True)
    runs = []
    for n, history in enumerate(("quiet", "mixed")):
        run = simulate(runtime, clock, owners, minutes=args.minutes, history=history, seed=n)
        print(run, flush=True)
        runs.append(run)
    cpu = cpu_per_304(runtime, clock)
    print(cpu, flush=True)
    runtime.dispose()
    text = section(runs, cpu, args)
    print(text)
    if not args.no_write:
        write_section(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
