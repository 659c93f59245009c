"""`interlude run`'s footprint: the embedded default for one therapist, as a process.

    .venv/bin/python bench/bench_run.py [--burst 1000] [--idle-seconds 20] [--write-docs]

From an empty data directory (SQLite, the default), the installed ``interlude run`` script:

1. started once on the empty directory (it creates and migrates the database), then stopped;
2. started again on that migrated database: "ready" is the time from the process's start to
   the first 200 from GET /readyz (the target: <= 3 s); RSS and the number of processes are
   read once it has settled (two samples 2 s apart within 1 MB, at most 20 s);
3. a burst: N users with one device and one reminder each, written straight into the
   database (bench_reminders.seed), all due in the same second a few seconds ahead; the
   embedded worker sends them to a push receiver on loopback (nginx when installed, else
   bench_reminders' Python receiver). RSS after the burst once settled, and the peak (VmHWM);
4. idle CPU: user + system time of the process over S seconds after the burst, as a share
   of one core.

The targets (issue 16): one process, <= 120 MB RSS after start and after a 1,000-reminder
burst, ready <= 3 s on a migrated database, idle CPU <= 1 %.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "backend"))
from bench import bench_reminders  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks.md"
# The product as `make install` installs it, without the test extras (`make bench` makes this
# venv): they change what the product imports (httpx loads its rich/pygments command line
# when they are installed, ~3 MB). Without it, this venv's script stands in.
PRODUCT = ROOT / ".venv-run" / "bin" / "interlude"
BURST_LEAD = timedelta(seconds=6)  # the burst is due this long after its rows are written


@dataclass
class Footprint:
    ready_empty_s: float  # first start: creates and migrates the database
    ready_s: float  # second start, on the migrated database
    processes: int  # the process and its children once started
    threads: int
    rss_start_mb: float
    burst: int
    delivered: int
    burst_p50_ms: float
    burst_p99_ms: float
    rss_after_burst_mb: float
    peak_rss_mb: float
    idle_cpu_percent: float
    idle_seconds: float
    rss_after_idle_mb: float  # at the end of the idle period


def _status(pid: int, field: str) -> float:
    match = re.search(rf"^{field}:\s+(\d+)", Path(f"/proc/{pid}/status").read_text(), re.M)
    return int(match.group(1)) / 1024 if match else float("nan")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            kids = [int(k) for k in (task / "children").read_text().split()]
        except OSError:
            continue
        for kid in kids:
            found += [kid, *_children(kid)]
    return found


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _settled_rss(pid: int, limit: float = 20.0) -> float:
    """VmRSS once two samples 2 s apart are within 1 MB (at most ``limit`` seconds)."""
    deadline = time.monotonic() + limit
    last = _status(pid, "VmRSS")
    while time.monotonic() < deadline:
        time.sleep(2)
        now = _status(pid, "VmRSS")
        if abs(now - last) < 1:
            return now
        last = now
    return last


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Run:
    """One ``interlude run`` process."""

    def __init__(self, interlude: Path, env: dict[str, str], log: Path) -> None:
        self.port = _free_port()
        self.log = log.open("ab")
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [str(interlude), "run", "--port", str(self.port)],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, limit: float = 120) -> float:
        url = f"http://127.0.0.1:{self.port}/readyz"
        while time.monotonic() - self.started < limit:
            if self.process.poll() is not None:
                raise RuntimeError(f"interlude run exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(url, timeout=1) as answer:
                    if answer.status == 200:
                        return time.monotonic() - self.started
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError("interlude run was not ready in time")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def measure(
    interlude: Path, burst: int, idle_seconds: float, python_receiver: bool = False
) -> Footprint:
    with tempfile.TemporaryDirectory(prefix="interlude-run-") as tmp_name:
        tmp = Path(tmp_name)
        data = tmp / "var"
        data.mkdir()
        env = {
            **os.environ,
            "INTERLUDE_DATA_DIR": str(data),
            # The bench writes the burst's rows (and the VAPID key) itself: same key.
            "INTERLUDE_SECRET_KEY": bench_reminders.SECRET,
            "INTERLUDE_ALLOW_PRIVATE_NETWORK": "true",  # the receiver is on loopback
            "INTERLUDE_LOG_LEVEL": "WARNING",
        }
        for name in ("INTERLUDE_DATABASE_URL", "INTERLUDE_PUSH_ENCRYPTION_PROCESSES"):
            env.pop(name, None)
        log = tmp / "run.log"
        first = Run(interlude, env, log)
        try:
            ready_empty = first.wait_ready()
        finally:
            first.stop()
        database = next(data.glob("*.db"))
        url = f"sqlite:///{database}"

        receiver = bench_reminders.Receiver(tmp, python=python_receiver)
        run = Run(interlude, env, log)
        try:
            ready = run.wait_ready()
            pid = run.process.pid
            rss_start = _settled_rss(pid)
            processes = 1 + len(_children(pid))
            threads = len(list(Path(f"/proc/{pid}/task").iterdir()))

            placeholder = datetime.now(UTC) + timedelta(days=1)
            topics = bench_reminders.seed(url, receiver.origin, [placeholder] * burst)
            start = (datetime.now(UTC) + BURST_LEAD).replace(microsecond=0)
            topics = bench_reminders.set_due(url, topics, start, 0.0)
            deadline = time.monotonic() + BURST_LEAD.total_seconds() + 120
            arrivals: list[tuple[str, float]] = []
            while time.monotonic() < deadline:
                time.sleep(0.5)
                arrivals = receiver.arrivals()
                if len(arrivals) >= burst:
                    break
            rss_after = _settled_rss(pid)
            peak = _status(pid, "VmHWM")

            cpu_before = _cpu_seconds(pid)
            began = time.monotonic()
            time.sleep(idle_seconds)
            idle_cpu = (_cpu_seconds(pid) - cpu_before) / (time.monotonic() - began) * 100
            rss_idle = _status(pid, "VmRSS")
        finally:
            run.stop()
            receiver.stop()
        lateness = [(t - topics[topic]) * 1000 for topic, t in arrivals if topic in topics]
        nan = float("nan")
        return Footprint(
            ready_empty_s=ready_empty,
            ready_s=ready,
            processes=processes,
            threads=threads,
            rss_start_mb=rss_start,
            burst=burst,
            delivered=len(lateness),
            burst_p50_ms=statistics.median(lateness) if lateness else nan,
            burst_p99_ms=bench_reminders._percentile(lateness, 0.99) if lateness else nan,
            rss_after_burst_mb=rss_after,
            peak_rss_mb=peak,
            idle_cpu_percent=idle_cpu,
            idle_seconds=idle_seconds,
            rss_after_idle_mb=rss_idle,
        )


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def render(f: Footprint, interlude: Path, load_before: str, load_after: str) -> str:
    rows = [
        ("processes (the `interlude run` process and its children)", f"{f.processes}", "1",
         f.processes == 1),
        ("ready on the migrated database (start to first 200 from /readyz)",
         f"{f.ready_s:.2f} s", "≤ 3 s", f.ready_s <= 3),
        ("RSS after start (settled)", f"{f.rss_start_mb:.0f} MB", "≤ 120 MB",
         f.rss_start_mb <= 120),
        (f"RSS after a {f.burst:,}-reminder burst (settled)", f"{f.rss_after_burst_mb:.0f} MB",
         "≤ 120 MB", f.rss_after_burst_mb <= 120),
        (f"idle CPU over {f.idle_seconds:.0f} s after the burst", f"{f.idle_cpu_percent:.2f} %",
         "≤ 1 %", f.idle_cpu_percent <= 1),
    ]  # fmt: skip
    lines = [
        "## `interlude run`",
        "",
        f"`.venv/bin/python bench/bench_run.py --burst {f.burst}` — Python "
        f"{sys.version.split()[0]}, {os.cpu_count()} CPUs, {datetime.now(UTC):%Y-%m-%d %H:%M} "
        f"UTC, load average at start {load_before}, at the end {load_after}.",
        "",
        f"`{_shown(interlude)} run` (the product installed alone: `make bench-deps` makes",
        "`.venv-run` without the test extras), from an empty data directory (SQLite): started",
        "once to create and migrate the database, stopped, and started again on it; then",
        f"{f.burst:,} reminders due in the same second, written into its database, sent by the",
        "embedded worker to a push receiver on loopback; then the process left idle.",
        "",
        "| measure | value | target | |",
        "| --- | ---: | ---: | --- |",
    ]
    lines += [f"| {name} | {value} | {goal} | {_verdict(ok)} |" for name, value, goal, ok in rows]
    lines += [
        "",
        f"Also: first start on the empty directory (creates and migrates the database) "
        f"{f.ready_empty_s:.2f} s; {f.threads} threads once started; the burst delivered "
        f"{f.delivered:,}/{f.burst:,}, lateness p50 {f.burst_p50_ms:,.0f} ms, p99 "
        f"{f.burst_p99_ms:,.0f} ms; peak RSS (VmHWM) {f.peak_rss_mb:.0f} MB; RSS at the end of "
        f"the idle period {f.rss_after_idle_mb:.0f} MB.",
        "",
        "",
    ]
    return "\n".join(lines)


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def write_docs(section: str) -> None:
    from bench.docs_section import replace_section  # ROOT is on sys.path

    replace_section(section)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--idle-seconds", type=float, default=20.0)
    parser.add_argument("--python-receiver", action="store_true")
    parser.add_argument(
        "--interlude",
        type=Path,
        default=PRODUCT if PRODUCT.exists() else Path(sys.executable).parent / "interlude",
        help="the interlude script to measure (default: .venv-run's, made by `make bench`)",
    )
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    load_before = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    footprint = measure(args.interlude, args.burst, args.idle_seconds, args.python_receiver)
    load_after = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(asdict(footprint))
    section = render(footprint, args.interlude, load_before, load_after)
    print(section)
    if args.write_docs:
        write_docs(section)


if __name__ == "__main__":
    main()
