"""The Today view under HTTP load: `interlude serve` on SQLite and PostgreSQL with 1,000
therapists' data, driven by wrk, beside a bare FastAPI endpoint.

    .venv/bin/python bench/bench_api.py [--users 1000] [--databases sqlite,postgres]
        [--connections 100] [--seconds 20] [--workers 1] [--think-ms 500]
        [--db-name interlude_bench_api] [--pg-url postgresql://postgres@127.0.0.1:5432/postgres]
        [--no-docs]

- Per database, a fresh one (PostgreSQL: ``interlude_bench_api``; SQLite: a file in a
  temporary directory), migrated and seeded with N therapists: the default care plan, a
  calendar with 8 sessions a day for the next 7 days, the reminders the planner makes of
  them (the real re-plan), and one login session each.
- Starts ``interlude serve --workers W`` (the CLI's uvicorn settings) on each database in
  turn and, on the same uvicorn settings and process count, a bare FastAPI app answering a
  constant JSON body: the reference.
- Runs wrk (Debian package ``wrk``) with C connections for S seconds per row, each request
  signed in as a random one of the N users, through the ordinary routes:
  * Today view: GET /api/v1/appointments and GET /api/v1/reminders for the local day
    (alternating, the two calls the PWA's Today screen makes);
  * reminder list: GET /api/v1/reminders (its default window, a day back to 14 ahead);
  * bare: GET /bare on the reference app.
  These rows are saturation: wrk's closed loop sends the next request the moment the last
  answer arrives, so by Little's law mean latency = connections / throughput. They are
  reported beside the bare endpoint, not held to a target.
- Then, at the highest connection count, the Today view again with every connection pausing
  a random 0..2T ms (mean T, ``--think-ms``; 500: 0-1000 ms) between an answer and its next
  request: 100 clients at a rate below saturation, the latency a user sees when the server
  is not the queue, and the target (p99 <= 50 ms on both databases). wrk's ``delay()``;
  wrk times each request from its send, so the pause is not counted.
- Records the server processes' CPU time per request, and PostgreSQL's (all its processes on
  the machine) beside it; wrk's is not measured.
- Writes the figures to docs/benchmarks.md under "## API" and drops the databases.

Smoke run (seconds): ``--users 5 --connections 10 --seconds 2 --no-docs``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.api_report import BARE, Key, render, write_docs

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB_NAME = "interlude_bench_api"
SECRET = "bench-secret-key-that-is-long-enough-0123456789"
SESSIONS_PER_DAY = 8
DAYS = 7

# The reference: the smallest JSON endpoint FastAPI can serve, same uvicorn settings.
bare_app = FastAPI()


@bare_app.get("/bare")
def bare() -> dict[str, str]:
    return {"status": "ok"}


# --- database -------------------------------------------------------------------------------


def _admin_url(pg_url: str) -> str:
    return pg_url.replace("postgresql://", "postgresql+psycopg://", 1)


def _admin(pg_url: str, sql: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(_admin_url(pg_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def create_database(pg_url: str, db_name: str = DEFAULT_DB_NAME) -> str:
    from sqlalchemy.engine import make_url

    from interlude import migrations

    _admin(pg_url, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    _admin(pg_url, f'CREATE DATABASE "{db_name}"')
    url = make_url(_admin_url(pg_url)).set(database=db_name).render_as_string(False)
    migrations.upgrade(url)
    return url


def create_sqlite_database(directory: Path) -> str:
    from interlude import migrations

    url = f"sqlite:///{directory / 'interlude_bench_api.db'}"
    migrations.upgrade(url)
    return url


def seed(url: str, users: int, data_dir: Path) -> list[str]:
    """N therapists with a week of sessions and their planned reminders; returns tokens."""
    from interlude.accounts.auth import issue_session
    from interlude.accounts.models import User
    from interlude.calendars.models import Appointment, CalendarSource
    from interlude.care_plan.service import create_default_plan
    from interlude.core.runtime import Runtime
    from interlude.core.security import Passwords
    from interlude.core.settings import Settings
    from interlude.reminders.service import replan_user

    settings = Settings(
        database_url=url,
        secret_key=SECRET,
        data_dir=data_dir,
        _env_file=None,
    )
    runtime = Runtime.from_settings(settings)
    now = datetime.now(UTC).replace(microsecond=0)
    password_hash = Passwords(time_cost=1, memory_kib=1024).hash("bench password 123")
    tokens: list[str] = []
    day0 = now.replace(hour=13, minute=0, second=0)  # 08:00 in New York (EST)
    try:
        for n in range(users):
            with runtime.session() as session:
                user = User(
                    email=f"bench{n}@example.org",
                    password_hash=password_hash,
                    display_name=f"Therapist {n}",
                    timezone="America/New_York",
                    created_at=now,
                    updated_at=now,
                    password_changed_at=now,
                )
                session.add(user)
                session.flush()
                create_default_plan(session=session, user_id=user.id, now=now)
                source = CalendarSource(
                    user_id=user.id,
                    kind="upload",
                    name="Practice",
                    rule={"mode": "all_timed"},
                    status="ok",
                    created_at=now,
                    updated_at=now,
                )
                session.add(source)
                session.flush()
                for day in range(DAYS):
                    for slot in range(SESSIONS_PER_DAY):
                        start = day0 + timedelta(days=day, hours=slot)
                        session.add(
                            Appointment(
                                user_id=user.id,
                                source_id=source.id,
                                identity_hash=uuid.uuid4().hex,
                                start=start,
                                end=start + timedelta(minutes=50),
                                kind="session",
                            )
                        )
                session.flush()
                replan_user(session=session, user_id=user.id, now=now, horizon_days=DAYS)
                issued = issue_session(
                    session=session, keyring=runtime.keyring, user=user, now=now, days=2
                )
                tokens.append(issued.token)
            if (n + 1) % 200 == 0:
                print(f"  seeded {n + 1} users", flush=True)
    finally:
        runtime.dispose()
    return tokens


# --- servers and load -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(port: int, path: str, proc: subprocess.Popen[bytes], limit: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}{path}", timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not start")


def start_interlude(
    url: str, data_dir: Path, workers: int = 1
) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    env = {
        **os.environ,
        "INTERLUDE_DATABASE_URL": url,
        "INTERLUDE_SECRET_KEY": SECRET,
        "INTERLUDE_DATA_DIR": str(data_dir),
        "INTERLUDE_LOG_LEVEL": "WARNING",
    }
    interlude = Path(sys.executable).with_name("interlude")
    proc = subprocess.Popen(
        [
            str(interlude),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
    )
    _wait_ready(port, "/readyz", proc, limit=300)  # a busy machine starts slowly
    return proc, port


def start_bare(workers: int = 1) -> tuple[subprocess.Popen[bytes], int]:
    """The same uvicorn.run options as `interlude serve` (cli.uvicorn_options)."""
    port = _free_port()
    code = (
        "import uvicorn; from interlude.cli import uvicorn_options; "
        f"uvicorn.run('bench_api:bare_app', app_dir='bench', host='127.0.0.1', port={port}, "
        f"workers={workers}, **uvicorn_options())"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    _wait_ready(port, "/bare", proc, limit=300)
    return proc, port


def cpu_seconds(root: int) -> float:
    """User + system CPU of a process and its children (uvicorn's workers), from /proc."""
    return _proc_cpu(lambda pid, ppid, _name: root in (pid, ppid))


def postgres_cpu_seconds() -> float:
    """User + system CPU of every PostgreSQL process on the machine (backends included)."""
    return _proc_cpu(lambda _pid, _ppid, name: name in ("postgres", "postmaster"))


def _proc_cpu(wanted: Callable[[int, int, str], bool]) -> float:
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, rest = stat.read_text().rsplit(")", 1)
        except (OSError, ValueError):
            continue
        fields = rest.split()
        name = head.split("(", 1)[1]
        if wanted(int(stat.parent.name), int(fields[1]), name):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


LUA = """
local tokens = {%(tokens)s}
local paths = {%(paths)s}
local n = 0
request = function()
  n = n + 1
  local token = tokens[math.random(#tokens)]
  local path = paths[(n %% #paths) + 1]
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. token})
end
"""
# A pause of 0..2T ms (mean T) after each answer, per connection: clients below saturation.
THINK = """
delay = function()
  return math.random(0, %(twice)d)
end
"""


def run_wrk(
    port: int,
    paths: list[str],
    tokens: list[str],
    connections: int,
    seconds: int,
    tmp: Path,
    think_ms: int = 0,
) -> dict[str, Any]:
    script = tmp / f"wrk-{uuid.uuid4().hex[:6]}.lua"
    lua = LUA % {
        "tokens": ", ".join(f'"{t}"' for t in tokens),
        "paths": ", ".join(f'"{p}"' for p in paths),
    }
    if think_ms:
        lua += THINK % {"twice": 2 * think_ms}
    script.write_text(lua)
    command = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}",
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(out: str) -> dict[str, Any]:
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)) or {
        "50": "0us",
        "99": "0us",
    }
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        "p50": _ms(latency["50"]),
        "p99": _ms(latency["99"]),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "timeouts": int(timeouts.group(1)) if timeouts else 0,
    }


# --- report ---------------------------------------------------------------------------------


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for proc in processes:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    processes.clear()


def _today_paths() -> list[str]:
    """The Today screen's two calls for the therapists' local day (New York)."""
    now = datetime.now(UTC)
    local_midnight = (now - timedelta(hours=5)).replace(hour=5, minute=0, second=0)
    day = (
        f"start={local_midnight:%Y-%m-%dT%H:%M:%SZ}"
        f"&end={local_midnight + timedelta(days=1):%Y-%m-%dT%H:%M:%SZ}"
    )
    return [f"/api/v1/appointments?{day}", f"/api/v1/reminders?{day}"]


def measure(
    target: tuple[int, subprocess.Popen[bytes]],
    paths: list[str],
    tokens: list[str],
    connections: int,
    args: argparse.Namespace,
    tmp: Path,
    think: int = 0,
) -> dict[str, Any]:
    """One row: a 3 s warm-up, then wrk for ``--seconds``, with the CPU spent per request."""
    port, proc = target
    run_wrk(port, paths, tokens, connections, 3, tmp, think)
    cpu_before, pg_before = cpu_seconds(proc.pid), postgres_cpu_seconds()
    result = run_wrk(port, paths, tokens, connections, args.seconds, tmp, think)
    if result["requests"]:
        result["cpu_ms"] = 1000 * (cpu_seconds(proc.pid) - cpu_before) / result["requests"]
        result["pg_cpu_ms"] = 1000 * (postgres_cpu_seconds() - pg_before) / result["requests"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--databases", default="sqlite,postgres", help="comma-separated")
    parser.add_argument("--connections", default="100", help="comma-separated concurrency levels")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument(
        "--workers", default="1", help="comma-separated uvicorn process counts (both apps)"
    )
    parser.add_argument(
        "--think-ms",
        default="500",
        help="mean pauses (ms) for the paced Today-view rows at the top level; '' for none",
    )
    parser.add_argument("--db-name", default=DEFAULT_DB_NAME)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "INTERLUDE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--no-docs", action="store_true", help="print, do not write the docs")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    databases = [d for d in args.databases.split(",") if d]
    if set(databases) - {"sqlite", "postgres"}:
        raise SystemExit("--databases: sqlite and/or postgres")
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    tmp = Path(tempfile.mkdtemp(prefix="bench-api-"))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        urls: dict[str, str] = {}
        tokens: dict[str, list[str]] = {}
        for database in databases:
            print(f"{database}: creating the database and seeding {args.users} users", flush=True)
            if database == "postgres":
                urls[database] = create_database(args.pg_url, args.db_name)
            else:
                urls[database] = create_sqlite_database(tmp)
            tokens[database] = seed(urls[database], args.users, tmp / f"var-{database}")
        today = _today_paths()
        levels = [int(c) for c in args.connections.split(",")]
        thinks = [int(t) for t in args.think_ms.split(",") if t]
        results: dict[Key, dict[str, Any]] = {}
        for workers in [int(w) for w in str(args.workers).split(",")]:
            bare_proc, bare_port = start_bare(workers)
            processes.append(bare_proc)
            for connections in levels:
                result = measure((bare_port, bare_proc), ["/bare"], ["-"], connections, args, tmp)
                results[(BARE, workers, "bare", connections)] = result
                print(f"  {workers}p bare x{connections}: {result}", flush=True)
            _stop(processes)
            for database in databases:
                server, port = start_interlude(urls[database], tmp / f"var-{database}", workers)
                processes.append(server)
                scenarios = {"today": today, "reminders": ["/api/v1/reminders"]}
                runs = [(name, c, 0) for c in levels for name in scenarios]
                runs += [(f"paced{t}", max(levels), t) for t in thinks]
                for name, connections, think in runs:
                    paths = scenarios["today" if think else name]
                    result = measure(
                        (port, server), paths, tokens[database], connections, args, tmp, think
                    )
                    # How long a stalled server takes to answer again after the load stops.
                    began = time.monotonic()
                    _wait_ready(port, "/readyz", server, limit=600)
                    result["recovery_s"] = time.monotonic() - began
                    results[(database, workers, name, connections)] = result
                    print(f"  {database} {workers}p {name} x{connections}: {result}", flush=True)
                _stop(processes)
        load_end = " / ".join(f"{x:.1f}" for x in os.getloadavg())
        section = render(
            results, args, load, load_end, sessions_per_day=SESSIONS_PER_DAY, days=DAYS
        )
        print(section)
        if not args.no_docs:
            write_docs(section)
    finally:
        _stop(processes)
        if "postgres" in databases:
            _admin(args.pg_url, f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
