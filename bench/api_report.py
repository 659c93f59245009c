"""The "## API" section of docs/benchmarks.md from bench_api.py's results."""

from __future__ import annotations

import argparse
import os
import platform
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def _recovery(result: dict[str, Any]) -> str:
    if "recovery_s" not in result:
        return "-"
    return f"{result['recovery_s']:.0f} s" if result["recovery_s"] >= 1 else "at once"


STALL_NOTE = (
    '"none completed": no response within wrk\'s 2 s timeout for the whole row. The process '
    "stalls: its database pool (10 + 20) is smaller than the 40 threads that run the sync "
    "session dependency, so threads wait for connections only a thread can give back, until "
    "the 30 s pool timeout answers 500 (tests/load/test_concurrency.py; "
    'docs/scaling.md has the fix). "answers again after": how long /readyz took to answer '
    "once the load stopped.\n"
)

NAMES = {
    "today": "Today view (appointments + reminders of the day, alternating)",
    "reminders": "Reminder list (default window)",
    "bare": "bare FastAPI JSON endpoint (reference)",
}


Key = tuple[int, str, int]  # (processes, scenario, connections)


def _row(
    workers: int, label: str, connections: int, pause: str, r: dict[str, Any], bare_rps: float
) -> str:
    """One table row; a paced row's share of bare is left out (it is not at saturation)."""
    done = r["requests"] > 0
    share = f"{r['rps'] / bare_rps:.0%}" if pause == "none" else "-"
    p50 = f"{r['p50']:.1f} ms" if done else "none completed"
    p99 = f"{r['p99']:.1f} ms" if done else "none completed"
    cpu = f"{r['cpu_ms']:.2f} ms" if done and "cpu_ms" in r else "-"
    pg_cpu = f"{r['pg_cpu_ms']:.2f} ms" if done and "pg_cpu_ms" in r else "-"
    return (
        f"| {label} | {workers} | {connections} | {pause} | {r['rps']:,.0f} "
        f"| {share} | {p50} | {p99} | {cpu} | {pg_cpu} | {r['requests']:,} "
        f"| {r['non_2xx']} | {r['timeouts']} | {_recovery(r)} |"
    )


def _paced(results: dict[Key, dict[str, Any]], workers: int) -> list[tuple[int, Key]]:
    """The paced rows of one process count, the longest pause first."""
    found = [
        (int(name.removeprefix("paced")), (w, name, c))
        for (w, name, c) in results
        if w == workers and name.startswith("paced")
    ]
    return sorted(found, reverse=True)


def _verdicts(results: dict[Key, dict[str, Any]], workers: int, top: int) -> list[str]:
    today, bare = results[(workers, "today", top)], results[(workers, "bare", top)]
    bare_rps = bare["rps"] or 1.0
    ok = today["requests"] > 0 and today["timeouts"] == 0 and today["non_2xx"] == 0
    plural = "es" if workers > 1 else ""
    lines = [
        f"- {workers} process{plural}, saturation: p99 {today['p99']:.1f} ms "
        f"({'met' if ok and today['p99'] <= 50 else 'not met'}; {today['requests']:,} "
        f"requests, {today['timeouts']} timeouts); {today['rps']:,.0f} requests/s = "
        f"{today['rps'] / bare_rps:.0%} of bare "
        f"({'met' if ok and today['rps'] / bare_rps >= 0.4 else 'not met'}); the bare "
        f"endpoint: {bare_rps:,.0f}/s, p99 {bare['p99']:.1f} ms."
    ]
    for think, key in _paced(results, workers):
        r = results[key]
        within = r["p99"] <= 50 and r["timeouts"] == 0 and r["non_2xx"] == 0
        lines.append(
            f"- {workers} process{plural}, {top} clients pausing 0-{2 * think} ms: "
            f"{r['rps']:,.0f} requests/s, p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms "
            f"({'met' if within else 'not met'})."
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
    process_counts = sorted({w for w, _, _ in results})
    levels = sorted({c for _, name, c in results if name in NAMES})
    top = max(levels)
    for workers in process_counts:
        for connections in levels:
            bare = results[(workers, "bare", connections)]["rps"] or 1.0
            for key, label in NAMES.items():
                r = results[(workers, key, connections)]
                rows.append(_row(workers, label, connections, "none", r, bare))
        bare_top = results[(workers, "bare", top)]["rps"] or 1.0
        for think, paced in _paced(results, workers):
            pause = f"0-{2 * think} ms"
            rows.append(_row(workers, NAMES["today"], paced[2], pause, results[paced], bare_top))
        verdicts += _verdicts(results, workers, top)
    needed = top / 0.050
    return "\n".join(
        [
            "## API",
            "",
            f"`.venv/bin/python bench/bench_api.py --users {args.users} --connections "
            f"{args.connections} --seconds {args.seconds} --workers {args.workers} --think-ms "
            f"{args.think_ms}` — Python {platform.python_version()}, "
            f"{os.cpu_count()} CPUs, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average at "
            f"start {load}, at the end {load_end} (shared machine; wrk, PostgreSQL and the "
            "server share the cores).",
            "",
            f"`interlude serve --workers N` on PostgreSQL with {args.users:,} therapists "
            f"({sessions_per_day} sessions a day for {days} days each, their planned reminders, "
            "the default care plan); wrk (2 threads, its default 2 s timeout) for "
            f"{args.seconds} s per row after a 3 s warm-up, every request signed in as a random "
            "therapist. The bare endpoint runs in the same run on the same uvicorn settings and "
            'process count. "pause" none = saturation (wrk\'s closed loop: each connection sends '
            "again the moment its answer arrives); a pause = every connection waits a random "
            "time in that range after each answer (wrk's delay(), not counted in latency). "
            '"server CPU" = user + system time of the server processes per request; '
            '"PostgreSQL CPU" = the same for all of PostgreSQL\'s processes (the bare '
            "endpoint does not use the database: what PostgreSQL spends then is the machine's "
            "background).",
            "",
            "| scenario | processes | connections | pause | requests/s | of bare | p50 | p99 "
            "| server CPU | PostgreSQL CPU | requests | non-2xx | timeouts | answers again "
            "after |",
            "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
            "| ---: | ---: |",
            *rows,
            "",
            f"Targets (issue 8, on 2 cores): Today view p99 <= 50 ms at {top} concurrent "
            "clients, and >= 40 % of the bare endpoint's throughput.",
            "",
            *verdicts,
            "",
            f"Little's law: in a closed loop of {top} connections, mean latency = {top} / "
            f"throughput, so a 50 ms *mean* already needs {needed:,.0f} requests/s, and a "
            "p99 of 50 ms more than that with few stragglers: at saturation the p99 is mostly "
            "a measure of throughput. The paced rows are the latency a user sees when the "
            f"server is not the queue: the same {top} clients below saturation.",
            "",
            STALL_NOTE if any(r["requests"] == 0 for r in results.values()) else "",
        ]
    )


def write_docs(section: str) -> None:
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    pattern = re.compile(r"^## API\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOCS.write_text(text)
