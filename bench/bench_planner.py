"""Planner benchmark: how long ``plan()`` takes for a busy month.

    .venv/bin/python bench/bench_planner.py [--repeat 30] [--write-docs]

The calendar: a month (31 days) in America/New_York across the November DST change, eight
to ten sessions on each working day with a mix of 10-minute gaps, back-to-back runs and a
lunch break, plus an "other" meeting most days; the care plan has two after-session rules,
a fixed-time and an interval rule, three rituals, two response windows a day, quiet hours,
two days off and the default cap of 12. It is timed for the whole month (what a full
re-plan costs) and for a two-day horizon (what the re-plan after each sync costs).

``--write-docs`` replaces the "## Planner" section of docs/benchmarks.md with the figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall
from pathlib import Path
from zoneinfo import ZoneInfo

from interlude.planner import (
    AppointmentIn,
    CarePlanIn,
    MicroBreakRuleIn,
    ResponseWindowIn,
    RitualIn,
    TimeOffIn,
    plan,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for bench.*

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
TZ = ZoneInfo("America/New_York")
FIRST_DAY = date(2026, 10, 19)  # a Monday; the month crosses the 1 November fall-back
DAYS = 31
# (start minute after 08:00, length) per session: gaps of 10, 0, 5, 0, 60 (lunch), 10, 0, 15.
DAY_SHAPE = [
    (60, 50),
    (120, 50),
    (170, 50),
    (225, 50),
    (275, 50),
    (385, 50),
    (445, 50),
    (495, 50),
    (560, 45),
]


def busy_month() -> list[AppointmentIn]:
    out: list[AppointmentIn] = []
    for n in range(DAYS):
        day = FIRST_DAY + timedelta(days=n)
        if day.weekday() >= 5:
            continue
        for i, (offset, minutes) in enumerate(DAY_SHAPE[: 8 + n % 2]):
            local = datetime.combine(day, wall(8, 0)) + timedelta(minutes=offset)
            start = local.replace(tzinfo=TZ).astimezone(UTC)
            out.append(
                AppointmentIn(
                    identity=f"{day.isoformat()}-{i}",
                    start=start,
                    end=start + timedelta(minutes=minutes),
                    telehealth=i % 3 == 0,
                    intense=i % 4 == 1,
                )
            )
        if n % 3:
            meeting = datetime.combine(day, wall(8, 15)).replace(tzinfo=TZ).astimezone(UTC)
            out.append(
                AppointmentIn(
                    identity=f"{day.isoformat()}-meeting",
                    start=meeting,
                    end=meeting + timedelta(minutes=30),
                    kind="other",
                )
            )
    return out


def busy_care_plan() -> CarePlanIn:
    return CarePlanIn(
        rules=(
            MicroBreakRuleIn(id="short", min_gap_minutes=5),
            MicroBreakRuleIn(id="long", min_gap_minutes=20, activity="step_outside"),
            MicroBreakRuleIn(id="lunch", trigger="fixed_time", at_time=wall(12, 30)),
            MicroBreakRuleIn(id="every", trigger="interval", every_minutes=90, activity="water"),
        ),
        rituals=(
            RitualIn(id="a", name="Reset", steps=("Breathe",), trigger="after_intense"),
            RitualIn(id="b", name="Log off", steps=("Close the app",), trigger="after_telehealth"),
            RitualIn(id="c", name="Shutdown", steps=("Notes", "Lights"), trigger="end_of_day"),
        ),
        windows=tuple(
            ResponseWindowIn(weekday=d, start=start, end=end)
            for d in range(5)
            for start, end in ((wall(13, 30), wall(14, 0)), (wall(18, 15), wall(18, 45)))
        ),
        time_off=(TimeOffIn(date(2026, 11, 5), date(2026, 11, 6)),),
        quiet_start=wall(21, 0),
        quiet_end=wall(7, 0),
        notify_window_close=True,
    )


def timings_ms(fn: Callable[[], object], repeat: int) -> list[float]:
    fn()  # warm up
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()

    appointments, care_plan = busy_month(), busy_care_plan()
    now = datetime.combine(FIRST_DAY, wall(6, 0)).replace(tzinfo=TZ).astimezone(UTC)
    month_end = now + timedelta(days=DAYS)
    month = plan(appointments, care_plan, TZ, now, month_end)
    month_ms = timings_ms(lambda: plan(appointments, care_plan, TZ, now, month_end), args.repeat)
    two_days = now + timedelta(days=2)
    short_ms = timings_ms(lambda: plan(appointments, care_plan, TZ, now, two_days), args.repeat)
    sessions = sum(1 for a in appointments if a.kind == "session")
    kinds = Counter(r.kind for r in month)
    lines = [
        "## Planner",
        "",
        f"`.venv/bin/python bench/bench_planner.py --repeat {args.repeat}` — "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{datetime.now(UTC):%Y-%m-%d}.",
        "",
        f"A busy month: {len(appointments)} appointments ({sessions} sessions, 8 or 9 a working "
        'day with 0/5/10/15-minute gaps and a lunch hour, plus an "other" meeting most '
        "days), across the 1 November DST change; care plan with two after-session rules, a "
        "fixed-time and an interval rule, three rituals, two response windows a weekday "
        "(close notices on), quiet hours, two days off, cap 12.",
        "",
        "| plan() over | reminders | median | p95 | max |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, figures, count in (
        ("the whole month (31 days)", month_ms, len(month)),
        ("a two-day horizon (re-plan after a sync)", short_ms, None),
    ):
        if count is None:
            count = len(plan(appointments, care_plan, TZ, now, two_days))
        p95 = sorted(figures)[max(int(len(figures) * 0.95) - 1, 0)]
        lines.append(
            f"| {label} | {count} | {statistics.median(figures):.1f} ms | {p95:.1f} ms "
            f"| {max(figures):.1f} ms |"
        )
    lines += [
        "",
        "Reminders in the month by kind: "
        + ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))
        + ".",
        "",
        f"At these medians, re-planning 1,000 users costs about "
        f"{statistics.median(month_ms):.0f} s of one core for a whole month each, "
        f"{statistics.median(short_ms):.1f} s for two days each. The machine is shared "
        "(2 cores, other engineers' test runs), so p95 and max include their noise.",
        "",
        "The two-day horizon still reads the whole month of appointments (the planner "
        "normalises its whole input), so callers should pass only the appointments near the "
        "horizon, as `load_appointments_input(start=, end=)` does.",
        "",
    ]
    section = "\n".join(lines)
    print(section)
    if args.write_docs:
        write_section(section)


def write_section(section: str) -> None:
    from bench.docs_section import replace_section  # ROOT is on sys.path

    replace_section(section)


if __name__ == "__main__":
    main()
