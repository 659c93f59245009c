"""Every figure of issue 16 from one run (`make bench-figures`), side by side in
docs/benchmarks.md: each script below rewrites its own section, in this order.

1. bench_push.py: the encryption-only limit and PushSender over aiohttp ("## Web Push");
2. bench_reminders.py: a lone reminder and the :50 burst of 10,000, one worker, SQLite and
   PostgreSQL, each burst beside the encryption-only limit measured around it, CPU per push
   ("## Reminders");
3. bench_run.py: `interlude run`'s footprint ("## `interlude run`");
4. bench_api.py: the Today view through its routes, 100 clients pausing 0-1000 ms, both
   databases, the saturation rows beside the bare endpoint ("## API");
5. change_size.py: the change's size in lines ("## Change size (issue 16)").

PostgreSQL from INTERLUDE_TEST_POSTGRES_URL (without it, SQLite only). Prints the load
average before and after, and each script's time: the machine is shared.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent

STEPS: tuple[tuple[str, ...], ...] = (
    ("bench_push.py",),
    ("bench_reminders.py", "--users", "10000", "--workers", "1", "--compare", "", "--write-docs"),
    ("bench_run.py", "--write-docs"),
    ("bench_api.py",),
    ("change_size.py", "--write-docs"),
)


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    print(f"== {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC, load average {_load()}", flush=True)
    began = time.monotonic()
    failures = 0
    for script, *args in STEPS:
        started = time.monotonic()
        print(f"== {script} {' '.join(args)}", flush=True)
        result = subprocess.run([sys.executable, str(HERE / script), *args], cwd=HERE.parent)
        failures += result.returncode != 0
        print(f"== {script}: {time.monotonic() - started:.0f} s, load {_load()}", flush=True)
    print(
        f"== {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC: all in {time.monotonic() - began:.0f} s, "
        f"{failures} failed, load average {_load()}",
        flush=True,
    )
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
