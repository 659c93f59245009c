"""Growth: how each figure moves from 100 to 10,000 users.

    .venv/bin/python bench/bench_growth.py [--users 100,1000,10000] [--seconds 10]
        [--connections 25] [--only burst,data,calendars] [--no-docs]

For each N, reusing the other benchmarks' own functions:

- burst: the clinical-hour reminder burst (``bench_reminders.run_case``: N reminders due in
  the same second, one worker process, a push receiver on loopback), per backend;
- data: N therapists' data as ``bench_api.seed`` makes it (default care plan, 8 sessions a
  day for 7 days, the planner's reminders, a sign-in session). ``bench_api.seed`` builds a
  few template users through the real services; their rows are then copied to the other
  users (every user has the same week, so the copies are what the planner would have made;
  each copy gets its own sign-in session through ``issue_session``). On that database:
  its size, the re-plan cost (``replan_user`` per user, each in its own transaction, as
  ``reminders.jobs.replan_all`` does, timed on a sample and multiplied by N), and, on
  PostgreSQL, the API Today view under wrk (``bench_api.start_interlude`` / ``run_wrk``);
- calendars: syncing N ICS sources (``bench_calendars.bench_sync``, SQLite, in a child
  process so nothing else registered in this one changes what a sync does).

Results go to bench/results/growth.json after every measurement, so ``--only burst``
re-measures one figure and keeps the others (``--only ''`` only redraws); then the "## Growth"
section of docs/benchmarks.md and docs/growth.png.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import bench_api, bench_reminders  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks.md"
CHART = ROOT / "docs" / "growth.png"
CACHE = ROOT / "bench" / "results" / "growth.json"
FIGURES = ("data", "burst", "calendars")  # the order they run in
SECRET = bench_api.SECRET
Row = dict[str, Any]
NAN = float("nan")


# --- data: seed N users, then size, re-plan and the API ----------------------------------


def clone_users(url: str, template: uuid.UUID, first: int, count: int) -> list[uuid.UUID]:
    """Copy the template user's rows (every table with a user_id) to ``count`` new users,
    with INSERT ... SELECT in the database (10,000 users in seconds); new ids throughout."""
    from sqlalchemy import UniqueConstraint as Unique
    from sqlalchemy import text

    from interlude.core.db import Base, make_engine

    def copyable(table: Any) -> bool:  # not if unique on its own, e.g. a token hash
        refs = {fk.parent.name for fk in table.foreign_keys}
        sets = [{c.name for c in u.columns} for u in table.constraints if isinstance(u, Unique)]
        sets += [{c.name for c in i.columns} for i in table.indexes if i.unique]
        sets += [{c.name} for c in table.columns if c.unique]
        return all(s & refs for s in sets)

    def q(name: str) -> str:
        return f'"{name}"'

    owned = [t for t in Base.metadata.sorted_tables if "user_id" in t.c and copyable(t)]
    engine = make_engine(url)
    postgres = engine.dialect.name == "postgresql"
    new_id = "gen_random_uuid()" if postgres else "lower(hex(randomblob(16)))"  # Uuid's forms
    me = f"'{template}'" if postgres else f"'{template.hex}'"
    with engine.begin() as conn:
        run = conn.exec_driver_sql
        run(
            f"CREATE TEMP TABLE clone_u AS WITH RECURSIVE s(n) AS (SELECT {first} UNION ALL "
            f"SELECT n + 1 FROM s WHERE n < {first + count - 1}) SELECT n, {new_id} AS uid FROM s"
        )
        users = Base.metadata.tables["users"]
        special = {
            "id": "c.uid",
            "email": "'bench' || c.n || '@example.org'",
            "display_name": "'Therapist ' || c.n",
        }
        cols = [c.name for c in users.c]
        run(
            f"INSERT INTO users ({', '.join(map(q, cols))}) SELECT "
            + ", ".join(special.get(c, "u." + q(c)) for c in cols)
            + f" FROM users u CROSS JOIN clone_u c WHERE u.id = {me}"
        )
        if postgres:  # plans for the foreign-key checks see 10,000 users, not 5
            run("ANALYZE users")
        for t in owned:
            cols = [c.name for c in t.c]
            exprs = {c: "s." + q(c) for c in cols} | {"user_id": "c.uid"}
            joins = ""
            if "id" in t.primary_key.columns:  # new ids, kept in map_<table> for references
                run(
                    f"CREATE TEMP TABLE {q('map_' + t.name)} AS SELECT s.id AS old, c.uid, "
                    f"{new_id} AS new FROM {q(t.name)} s CROSS JOIN clone_u c "
                    f"WHERE s.user_id = {me}"
                )
                exprs["id"] = "m.new"
                joins = f" JOIN {q('map_' + t.name)} m ON m.old = s.id AND m.uid = c.uid"
            for i, fk in enumerate(t.foreign_keys):
                col, ref = fk.parent.name, fk.column.table.name
                if col != "user_id":
                    joins += (
                        f" LEFT JOIN {q('map_' + ref)} f{i} ON f{i}.old = s.{q(col)} "
                        f"AND f{i}.uid = c.uid"
                    )
                    exprs[col] = f"COALESCE(f{i}.new, s.{q(col)})"
            run(
                f"INSERT INTO {q(t.name)} ({', '.join(map(q, cols))}) SELECT "
                + ", ".join(exprs[c] for c in cols)
                + f" FROM {q(t.name)} s CROSS JOIN clone_u c{joins} WHERE s.user_id = {me}"
            )
        made = [uuid.UUID(str(u)) for u in conn.scalars(text("SELECT uid FROM clone_u ORDER BY n"))]
    engine.dispose()
    return made


def database_mb(db: Any, *, analyze: bool = True) -> float:
    """Its size; on PostgreSQL after ANALYZE (autovacuum would have run it after the load)."""
    from sqlalchemy import text

    from interlude.core.db import make_engine

    engine = make_engine(db.url)
    with engine.begin() as conn:
        if db.backend == "postgres":
            if analyze:  # not on the empty database: see clone_users
                conn.exec_driver_sql("ANALYZE")
            size = conn.scalar(text("SELECT pg_database_size(current_database())"))
        else:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            size = Path(db.url.removeprefix("sqlite:///")).stat().st_size
    engine.dispose()
    return float(size or 0) / 1e6


def time_replan(runtime: Any, sample: list[uuid.UUID]) -> tuple[float, float]:
    """ms of wall clock and of this process's CPU per user, as replan_all does it."""
    from interlude.reminders.service import replan_user

    wall, cpu = time.perf_counter(), time.process_time()
    for user_id in sample:
        with runtime.session() as session:
            replan_user(
                session=session, user_id=user_id, now=datetime.now(UTC), horizon_days=bench_api.DAYS
            )
    n = max(len(sample), 1)
    return (time.perf_counter() - wall) * 1000 / n, (time.process_time() - cpu) * 1000 / n


def today_view(
    url: str, tokens: list[str], data_dir: Path, args: argparse.Namespace, tmp: Path
) -> Row:
    """bench_api's Today-view scenario at one concurrency level."""
    now = datetime.now(UTC)
    midnight = (now - timedelta(hours=5)).replace(hour=5, minute=0, second=0)  # as bench_api
    day = (
        f"start={midnight:%Y-%m-%dT%H:%M:%SZ}&end={midnight + timedelta(days=1):%Y-%m-%dT%H:%M:%SZ}"
    )
    paths = [f"/api/v1/appointments?{day}", f"/api/v1/reminders?{day}"]
    server, port = bench_api.start_interlude(url, data_dir)
    try:
        bench_api.run_wrk(port, paths, tokens, args.connections, 3, tmp)  # warm-up
        return dict(bench_api.run_wrk(port, paths, tokens, args.connections, args.seconds, tmp))
    finally:
        server.terminate()
        server.wait(timeout=30)


def measure_data(backend: str, users: int, args: argparse.Namespace, tmp: Path) -> Row:
    from sqlalchemy import select

    from interlude.accounts.auth import issue_session
    from interlude.accounts.models import User
    from interlude.core.runtime import Runtime
    from interlude.core.settings import Settings

    data_dir = tmp / f"var-{uuid.uuid4().hex[:6]}"
    db = bench_reminders.Database(backend, args.pg_url, tmp)
    try:
        row: Row = {"backend": backend, "users": users, "empty_mb": database_mb(db, analyze=False)}
        began = time.perf_counter()
        template = min(users, args.template_users)
        tokens = bench_api.seed(db.url, template, data_dir)
        settings = Settings(
            database_url=db.url, secret_key=SECRET, data_dir=data_dir, _env_file=None
        )
        runtime = Runtime.from_settings(settings)
        with runtime.session() as session:
            ids = list(session.scalars(select(User.id)))
        row["template_s"] = time.perf_counter() - began
        made = clone_users(db.url, ids[0], template, users - template)
        row["clone_s"] = time.perf_counter() - began - row["template_s"]
        now = datetime.now(UTC)
        for i in range(0, len(made), 500):
            with runtime.session() as session:
                for user in session.scalars(select(User).where(User.id.in_(made[i : i + 500]))):
                    issued = issue_session(
                        session=session, keyring=runtime.keyring, user=user, now=now, days=2
                    )
                    tokens.append(issued.token)
        row["seed_s"] = time.perf_counter() - began
        row["db_mb"] = database_mb(db)
        sample = random.Random(0).sample(ids + made, min(users, args.replan_sample))
        row["replan_sample"] = len(sample)
        row["replan_ms"], row["replan_cpu_ms"] = time_replan(runtime, sample)
        runtime.dispose()
        if backend == "postgres" and args.connections:
            try:
                row["api"] = today_view(db.url, tokens, data_dir, args, tmp)
            except Exception as exc:  # keep the size and re-plan figures
                row["failed"] = f"Today view: {type(exc).__name__}: {exc}"
        return row
    finally:
        db.drop()


# --- the other figures ---------------------------------------------------------------------


def measure_burst(backend: str, users: int, args: argparse.Namespace, tmp: Path) -> Row:
    bench_reminders.START_BUDGET = timedelta(seconds=args.start_budget)
    return asdict(bench_reminders.run_case(backend, users, args.pg_url, tmp))


def measure_calendars(sources: int) -> Row:
    child = subprocess.run(
        [sys.executable, __file__, "--calendar-child", str(sources)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        raise RuntimeError(child.stderr.strip().splitlines()[-1:] or child.returncode)
    return {"sources": sources, **json.loads(child.stdout.strip().splitlines()[-1])}


def calendar_child(sources: int) -> None:
    from bench import bench_calendars

    print(json.dumps(bench_calendars.bench_sync(sources)))


# --- report --------------------------------------------------------------------------------


def _find(rows: list[Row], **match: Any) -> Row | None:
    return next((r for r in rows if all(r.get(k) == v for k, v in match.items())), None)


Line = tuple[str, list[float | None], str]  # label, value per size, format


def table_rows(res: dict[str, Any], sizes: list[int]) -> list[Line]:
    """Every line of the table (and of the chart) from the measured rows."""
    out: list[Line] = []
    burst, data, cal = (res.get(f, {}).get("rows", []) for f in ("burst", "data", "calendars"))

    def line(label: str, rows: list[Row], key: Callable[[Row], float], fmt: str, **m: Any) -> None:
        by = "sources" if rows is cal else "users"
        values = [key(r) if (r := _find(rows, **m, **{by: n})) else None for n in sizes]
        if any(v is not None for v in values):
            out.append((label, values, fmt))

    for b in ("postgres", "sqlite"):
        line(f"burst pushes/s ({b})", burst, lambda r: r["pushes_per_s"], "{:,.0f}", backend=b)
        line(f"burst lateness p50 ({b})", burst, lambda r: r["p50_ms"], "{:,.0f} ms", backend=b)
        line(f"burst lateness p99 ({b})", burst, lambda r: r["p99_ms"], "{:,.0f} ms", backend=b)
        line(f"worker peak RSS ({b})", burst, lambda r: r["rss_mb"], "{:,.0f} MB", backend=b)
        line(
            f"burst CPU per push ({b})",
            burst,
            lambda r: r.get("worker_cpu_us", NAN) + r.get("pool_cpu_us", 0.0),
            "{:,.0f} µs",
            backend=b,
        )
    api = [r for r in data if r.get("api")]
    conns = res.get("data", {}).get("connections", "?")
    line(f"Today view requests/s ({conns} conn.)", api, lambda r: r["api"]["rps"], "{:,.0f}")
    line("Today view p50", api, lambda r: r["api"]["p50"], "{:,.1f} ms")
    line("Today view p99", api, lambda r: r["api"]["p99"], "{:,.1f} ms")
    line("calendar sync feeds/s, full", cal, lambda r: r["full_rate"], "{:,.0f}")
    line("calendar sync feeds/s, 304", cal, lambda r: r["cached_rate"], "{:,.0f}")
    for b in ("postgres", "sqlite"):
        line(f"re-plan per user ({b})", data, lambda r: r["replan_ms"], "{:,.1f} ms", backend=b)
        line(
            f"re-plan per user, CPU ({b})",
            data,
            lambda r: r["replan_cpu_ms"],
            "{:,.1f} ms",
            backend=b,
        )
        line(
            f"re-plan all N users ({b})",
            data,
            lambda r: r["replan_ms"] * r["users"] / 1000,
            "{:,.1f} s",
            backend=b,
        )
    for b in ("postgres", "sqlite"):
        line(f"database size ({b})", data, lambda r: r["db_mb"], "{:,.1f} MB", backend=b)
        line(
            f"database per user ({b})",
            data,
            lambda r: (r["db_mb"] - r["empty_mb"]) * 1000 / r["users"],
            "{:,.1f} KB",
            backend=b,
        )
    return out


def render(res: dict[str, Any], sizes: list[int]) -> str:
    run: dict[str, Any] = next((res[f] for f in FIGURES if f in res), {})
    command, load = run.get("command", "?"), run.get("load", "?")

    def cell(value: float | None, fmt: str) -> str:
        return "—" if value is None or value != value else fmt.format(value)

    lines = [
        "## Growth",
        "",
        f"`{command}` — Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{run.get('measured', '?')} UTC, load average at start {load} (shared machine: "
        "rates scale with the CPU share we get). Chart: docs/growth.png.",
        "",
        "| figure | "
        + " | ".join(f"{n:,} users" for n in sizes)
        + f" | {sizes[-1]:,} vs {sizes[0]:,} |",
        "| --- |" + " ---: |" * (len(sizes) + 1),
    ]
    for label, values, fmt in table_rows(res, sizes):
        first, last = values[0], values[-1]
        ratio = f"{last / first:.2f} x" if first and last else "—"
        lines.append(f"| {label} | " + " | ".join(cell(v, fmt) for v in values) + f" | {ratio} |")
    data = res.get("data", {})
    failed = [
        f"{r.get('backend', '')} {r.get('users', r.get('sources'))}: {r['failed']}"
        for f in FIGURES
        for r in res.get(f, {}).get("rows", [])
        if "failed" in r
    ]
    lines += [
        "",
        "Burst: `bench_reminders.run_case`, N reminders due in the same second, one worker "
        "process, a push receiver on loopback; CPU per push counts the worker and its "
        "send processes. Data: N therapists as `bench_api.seed` makes "
        f"them ({bench_api.SESSIONS_PER_DAY} sessions a day for {bench_api.DAYS} days, the "
        "default care plan, their planned reminders, a sign-in session), a few through the "
        "services and the rest copied from them. Today view: `interlude serve` on PostgreSQL, "
        f"wrk with {data.get('connections', '?')} connections for {data.get('seconds', '?')} s "
        "after a 3 s warm-up, each request signed in as a random one of the N users. Re-plan: "
        "`replan_user` per user in its own transaction, as the worker's periodic re-plan, in "
        "the steady state (every planned reminder unchanged), "
        f"timed over {data.get('sample', '?')} users picked at random (all of them below that) "
        "and multiplied by N (CPU: this process's, the database's excluded). Calendar sync: "
        "`bench_calendars.bench_sync` with N sources (one user, 14 KB feeds, SQLite, 4 fetch "
        "threads). Database per user: size minus the empty "
        "migrated database, divided by N.",
        "",
        *([f"Failed in this run: {'; '.join(failed)}.", ""] if failed else []),
    ]
    stamps = {f: res[f]["measured"] for f in FIGURES if f in res}
    if len(set(stamps.values())) > 1:  # --only re-measured some figures, kept the others
        lines += ["Measured: " + "; ".join(f"{f} {t} UTC" for f, t in stamps.items()) + ".", ""]
    return "\n".join(lines)


# One panel per figure: both backends, p50/p99 or full/304 share a panel.
PANELS = {
    "burst pushes/s": "burst: pushes/s",
    "burst lateness": "burst: lateness, ms (log)",
    "worker peak RSS": "burst: worker peak RSS, MB",
    "Today view requests/s": "Today view: requests/s",
    "Today view p": "Today view: p50 / p99, ms",
    "calendar sync": "calendar sync: feeds/s (N sources)",
    "re-plan per user": "re-plan: ms per user",
    "database per user": "database: KB per user",
}


def chart(res: dict[str, Any], sizes: list[int]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    panels: dict[str, list[Line]] = {title: [] for title in PANELS.values()}
    for line in table_rows(res, sizes):
        title = next((t for prefix, t in PANELS.items() if line[0].startswith(prefix)), None)
        if title is not None:
            panels[title].append(line)
    panels = {title: lines for title, lines in panels.items() if lines}
    cols = 4
    rows = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(13, 2.9 * rows), squeeze=False)
    for ax, (title, lines) in zip(axes.flat, panels.items(), strict=False):
        for label, values, _ in lines:
            points = [(n, v) for n, v in zip(sizes, values, strict=True) if v is not None]
            tags = re.findall(r"\b(p50|p99|full|304|CPU|postgres|sqlite)\b", label)
            ax.plot(
                *zip(*points, strict=True),
                marker="o",
                color="C1" if "sqlite" in tags else "C0",
                linestyle="--" if {"p99", "304", "CPU"} & set(tags) else "-",
                label=" ".join(tags) or None,
            )
        ax.set_xscale("log")
        ax.set_xticks(sizes, [f"{n:,}" for n in sizes])
        ax.minorticks_off()
        if "(log)" in title:
            ax.set_yscale("log")
            ax.yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
            ax.yaxis.set_minor_formatter(NullFormatter())
        else:
            ax.set_ylim(bottom=0)
        ax.set_title(title, fontsize=9)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
        if any(ax.get_legend_handles_labels()[1]):
            ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    fig.supxlabel("users (log scale)", fontsize=9)
    fig.tight_layout()
    fig.savefig(CHART, dpi=100)
    plt.close(fig)


def write_docs(section: str) -> None:
    from bench.docs_section import replace_section  # ROOT is on sys.path

    replace_section(section)


# --- main ----------------------------------------------------------------------------------


def _pg_reachable(pg_url: str) -> bool:
    try:
        bench_api._admin(pg_url, "SELECT 1")
    except Exception as exc:
        print(f"PostgreSQL not reachable ({type(exc).__name__}): SQLite only", flush=True)
        return False
    return True


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ints = lambda s: [int(x) for x in s.split(",") if x]  # noqa: E731
    parser.add_argument("--users", type=ints, default=[100, 1000, 10000])
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "INTERLUDE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--connections", type=int, default=25, help="wrk connections (0: no API)")
    parser.add_argument("--seconds", type=int, default=10, help="wrk seconds per size")
    parser.add_argument("--replan-sample", type=int, default=300)
    parser.add_argument("--template-users", type=int, default=5)
    parser.add_argument("--calendar-sources", type=ints, default=None, help="default: --users")
    parser.add_argument(
        "--start-budget", type=float, default=10, help="burst: s for the worker to start"
    )
    parser.add_argument("--only", default=",".join(FIGURES))
    parser.add_argument("--no-docs", action="store_true", help="print, do not write docs")
    parser.add_argument("--calendar-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.calendar_child:
        calendar_child(args.calendar_child)
        return 0
    backends = [b for b in args.backends.split(",") if b == "sqlite" or _pg_reachable(args.pg_url)]
    only = [f for f in args.only.split(",") if f]
    if set(only) - set(FIGURES):
        parser.error(f"--only takes {','.join(FIGURES)}")
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    res: dict[str, Any] = json.loads(CACHE.read_text()) if CACHE.exists() else {}
    res = {f: v for f, v in res.items() if f not in only and v.get("sizes") == args.users}
    failures = 0

    def attempt(name: str, fn: Callable[[], Row]) -> Row | None:
        nonlocal failures
        began = time.perf_counter()
        try:
            row = fn()
        except Exception as exc:  # one broken figure must not lose the others
            failures += 1
            print(f"  {name}: FAILED {type(exc).__name__}: {exc}", flush=True)
            return None
        print(f"  {name} ({time.perf_counter() - began:.0f} s): {row}", flush=True)
        failures += "failed" in row
        return row

    stamp = f"{datetime.now(UTC):%Y-%m-%d %H:%M}"
    command = (
        ".venv/bin/python bench/bench_growth.py " + " ".join(argv)
        if argv
        else ".venv/bin/python bench/bench_growth.py"
    )
    with tempfile.TemporaryDirectory(prefix="bench-growth-") as tmp_name:
        tmp = Path(tmp_name)
        plan: dict[str, list[tuple[str, Callable[[], Row]]]] = {
            "burst": [
                (f"burst {b} {n}", partial(measure_burst, b, n, args, tmp))
                for b in backends
                for n in args.users
            ],
            "data": [
                (f"data {b} {n}", partial(measure_data, b, n, args, tmp))
                for b in backends
                for n in args.users
            ],
            "calendars": [
                (f"calendars {n}", partial(measure_calendars, n))
                for n in args.calendar_sources or args.users
            ],
        }
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        for figure in only:
            print(f"== {figure}", flush=True)
            res[figure] = {"measured": stamp, "sizes": args.users, "rows": []}
            res[figure].update(command=command, load=load)
            if figure == "data":
                res[figure].update(
                    connections=args.connections, seconds=args.seconds, sample=args.replan_sample
                )
            for name, fn in plan[figure]:
                if (row := attempt(name, fn)) is not None:
                    res[figure]["rows"].append(row)
                CACHE.write_text(json.dumps(res, indent=1, default=str))  # survives a ^C
    section = render(res, args.users)
    print(section)
    if not args.no_docs:
        write_docs(section)
        chart(res, args.users)
        print(f"wrote {DOCS.relative_to(ROOT)} (## Growth) and {CHART.relative_to(ROOT)}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
