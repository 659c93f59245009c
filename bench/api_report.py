"""The "## API" section of docs/benchmarks.md from bench_api.py's results."""

from __future__ import annotations

import argparse
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def _recovery(result: dict[str, Any]) -> str:
    if "recovery_s" not in result:
        return "-"
    return f"{result['recovery_s']:.0f} s" if result["recovery_s"] >= 1 else "at once"


STALL_NOTE = (
    '"none completed": no response within wrk\'s 2 s timeout for the whole row: the process '
    "stalled (tests/load/test_concurrency.py shows the pool/thread stall this would be; "
    'docs/scaling.md, "Threads, sessions and connections"). "answers again after": how long '
    "/readyz took to answer once the load stopped.\n"
)

NAMES = {
    "today": "Today view (appointments + reminders of the day, alternating)",
    "reminders": "Reminder list (default window)",
}
BARE = "-"  # the database of the bare endpoint's rows: none
DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
TARGET_P99_MS = 50.0

Key = tuple[str, int, str, int]  # (database, processes, scenario, connections)


def _row(
    database: str,
    workers: int,
    label: str,
    connections: int,
    pause: str,
    r: dict[str, Any],
    bare_rps: float,
) -> str:
    """One table row; a paced row's share of bare is left out (it is not at saturation)."""
    done = r["requests"] > 0
    share = f"{r['rps'] / bare_rps:.0%}" if pause == "none" else "-"
    p50 = f"{r['p50']:.1f} ms" if done else "none completed"
    p99 = f"{r['p99']:.1f} ms" if done else "none completed"
    cpu = f"{r['cpu_ms']:.2f} ms" if done and "cpu_ms" in r else "-"
    pg_cpu = f"{r['pg_cpu_ms']:.2f} ms" if done and "pg_cpu_ms" in r else "-"
    return (
        f"| {label} | {DATABASES.get(database, database)} | {workers} | {connections} "
        f"| {pause} | {r['rps']:,.0f} | {share} | {p50} | {p99} | {cpu} | {pg_cpu} "
        f"| {r['requests']:,} | {r['non_2xx']} | {r['timeouts']} | {_recovery(r)} |"
    )


def _paced(results: dict[Key, dict[str, Any]], database: str, workers: int) -> list[Key]:
    """The paced rows of one database and process count, the longest pause first."""
    found = [
        key
        for key in results
        if key[0] == database and key[1] == workers and key[2].startswith("paced")
    ]
    return sorted(found, key=lambda key: int(key[2].removeprefix("paced")), reverse=True)


def _pause(key: Key) -> str:
    return f"0-{2 * int(key[2].removeprefix('paced'))} ms"


def _verdicts(results: dict[Key, dict[str, Any]], database: str, workers: int) -> list[str]:
    plural = "es" if workers > 1 else ""
    name = DATABASES.get(database, database)
    lines = []
    for key in _paced(results, database, workers):
        r = results[key]
        within = r["p99"] <= TARGET_P99_MS and r["timeouts"] == 0 and r["non_2xx"] == 0
        lines.append(
            f"- {name}, {workers} process{plural}, {key[3]} clients pausing {_pause(key)}: "
            f"{r['rps']:,.0f} requests/s, p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms "
            f"({'met' if within else 'not met'})."
        )
    top = max(c for d, w, n, c in results if d == database and w == workers and n == "today")
    today, bare = results[(database, workers, "today", top)], results[(BARE, workers, "bare", top)]
    lines.append(
        f"- {name}, {workers} process{plural}, saturation ({top} connections, reported): "
        f"{today['rps']:,.0f} requests/s = {today['rps'] / (bare['rps'] or 1.0):.0%} of the "
        f"bare endpoint's {bare['rps']:,.0f}/s; p99 {today['p99']:.1f} ms (bare "
        f"{bare['p99']:.1f} ms); {today['timeouts']} timeouts, {today['non_2xx']} non-2xx."
    )
    return lines


def render(
    results: dict[Key, dict[str, Any]],
    args: argparse.Namespace,
    load: str,
    load_end: str,
    *,
    sessions_per_day: int,
    days: int,
) -> str:
    rows: list[str] = []
    verdicts: list[str] = []
    process_counts = sorted({w for _, w, _, _ in results})
    databases = [d for d in DATABASES if any(key[0] == d for key in results)]
    levels = sorted({c for _, _, name, c in results if name == "bare"})
    top = max(levels)
    for workers in process_counts:
        for connections in levels:
            bare = results[(BARE, workers, "bare", connections)]
            bare_rps = bare["rps"] or 1.0
            rows.append(
                _row(BARE, workers, "bare FastAPI JSON endpoint (reference)", connections,
                     "none", bare, bare_rps)
            )  # fmt: skip
            for database in databases:
                for key, label in NAMES.items():
                    r = results[(database, workers, key, connections)]
                    rows.append(_row(database, workers, label, connections, "none", r, bare_rps))
        for database in databases:
            for key in _paced(results, database, workers):
                rows.append(
                    _row(database, workers, NAMES["today"], key[3], _pause(key), results[key], 1.0)
                )
            verdicts += _verdicts(results, database, workers)
    needed = top / 0.050
    names = " and ".join(DATABASES[d] for d in databases)
    return "\n".join(
        [
            "## API",
            "",
            f"`.venv/bin/python bench/bench_api.py --users {args.users} --databases "
            f"{args.databases} --connections {args.connections} --seconds {args.seconds} "
            f"--workers {args.workers} --think-ms {args.think_ms}` — Python "
            f"{platform.python_version()}, {os.cpu_count()} CPUs, "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average at start {load}, at the end "
            f"{load_end} (shared machine; wrk, the database and the server share the cores).",
            "",
            f"`interlude serve --workers N` on {names} with {args.users:,} therapists "
            f"({sessions_per_day} sessions a day for {days} days each, their planned reminders, "
            "the default care plan), every request through the ordinary FastAPI routes (the "
            "sign-in dependency, the request's SQLAlchemy session, the response model); wrk "
            f"(2 threads, its default 2 s timeout) for {args.seconds} s per row after a 3 s "
            "warm-up, every request signed in as a random therapist. The bare endpoint runs in "
            'the same run on the same uvicorn settings and process count. "pause" none = '
            "saturation (wrk's closed loop: each connection sends again the moment its answer "
            "arrives); a pause = every connection waits a random time in that range after each "
            'answer (wrk\'s delay(), not counted in latency). "server CPU" = user + system '
            'time of the server processes per request; "PostgreSQL CPU" = the same for all of '
            "PostgreSQL's processes (on SQLite and for the bare endpoint, what PostgreSQL "
            "spends is the machine's background).",
            "",
            "| scenario | database | processes | connections | pause | requests/s | of bare "
            "| p50 | p99 | server CPU | PostgreSQL CPU | requests | non-2xx | timeouts "
            "| answers again after |",
            "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
            "| ---: | ---: | ---: |",
            *rows,
            "",
            f"Target (issue 16, on 2 cores): the Today view p99 <= {TARGET_P99_MS:.0f} ms with "
            f"{top} clients pausing 0-1000 ms between requests, on both databases. Saturation "
            "is reported beside the bare endpoint, not a target.",
            "",
            *verdicts,
            "",
            f"Little's law: in a closed loop of {top} connections, mean latency = {top} / "
            f"throughput, so a 50 ms *mean* already needs {needed:,.0f} requests/s: at "
            "saturation the p99 is mostly a measure of throughput. The paced rows are the "
            f"latency a user sees when the server is not the queue: the same {top} clients "
            "below saturation.",
            "",
            STALL_NOTE if any(r["requests"] == 0 for r in results.values()) else "",
        ]
    )


def write_docs(section: str) -> None:
    from bench.docs_section import replace_section  # ROOT is on sys.path

    replace_section(section)
