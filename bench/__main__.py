"""`make bench`: runs every bench/bench_*.py in turn; each writes its section of
docs/benchmarks.md with the machine, date and command. ``python -m bench api growth`` runs
only those. bench_growth.py goes last: it reuses the others and takes longest (≤ 10 min)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LAST = "bench_growth"
# Scripts that print unless told to write their section (run alone, they are for exploring).
WRITE_DOCS = {"bench_planner", "bench_reminders", "bench_run"}


def main(argv: list[str]) -> int:
    wanted = set(argv)
    failures = 0
    began = time.monotonic()
    scripts = sorted(HERE.glob("bench_*.py"), key=lambda p: (p.stem == LAST, p.name))
    for script in scripts:
        if wanted and script.stem.removeprefix("bench_") not in wanted:
            continue
        print(f"== {script.name}", flush=True)
        started = time.monotonic()
        command = [sys.executable, str(script)]
        if script.stem in WRITE_DOCS:
            command.append("--write-docs")
        result = subprocess.run(command, cwd=HERE.parent, check=False)
        failures += result.returncode != 0
        print(f"== {script.name}: {time.monotonic() - started:.0f} s", flush=True)
    print(f"== all: {time.monotonic() - began:.0f} s, {failures} failed", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
