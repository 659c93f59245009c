"""Browser end-to-end fixtures: the real app on a random port, a calendar feed, Chromium.

Chromium is Debian's /usr/bin/chromium (never a downloaded browser), driven by Playwright
through a persistent profile (installability checks report "in-incognito" otherwise).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, sync_playwright

from interlude import migrations
from interlude.app import create_app
from interlude.core.runtime import Runtime
from interlude.core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
DIST = FRONTEND / "dist"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
SCREENSHOTS = ROOT / "docs" / "screenshots"
SECRET = "e2e-secret-key-that-is-long-enough-0123456789"
# Client names in the feed: they must never reach the page.
CLIENT_NAMES = ("Alice Example", "Bob Sample", "Carol Test", "Dan Demo", "Eve Mock", "Fay Fake")


def _dist_is_stale() -> bool:
    index = DIST / "index.html"
    if not index.is_file():
        return True
    built = index.stat().st_mtime
    sources = [
        *FRONTEND.joinpath("src").rglob("*"),
        FRONTEND / "index.html",
        FRONTEND / "vite.config.ts",
    ]
    return any(p.is_file() and p.stat().st_mtime > built for p in sources)


@pytest.fixture(scope="session")
def built_frontend() -> Path:
    """frontend/dist, rebuilt when a source is newer (npm ci first if node_modules is missing)."""
    if not Path(CHROMIUM).exists():
        raise pytest.UsageError("Chromium is missing: apt-get install -y chromium")
    if _dist_is_stale():
        npm = shutil.which("npm")
        if npm is None:
            raise pytest.UsageError("npm is needed to build the PWA for the browser tests")
        if not (FRONTEND / "node_modules").is_dir():
            subprocess.run([npm, "ci"], cwd=FRONTEND, check=True)
        subprocess.run([npm, "run", "build"], cwd=FRONTEND, check=True)
    return DIST


# --- a practice calendar feed ------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """A day placed so that, in the browser's zone, it is early morning now."""

    timezone: str  # a fixed-offset zone, so the test is the same all year
    offset_hours: int
    local_date: str
    sessions: tuple[tuple[datetime, datetime], ...]  # UTC

    def local(self, instant: datetime) -> datetime:
        return instant + timedelta(hours=self.offset_hours)


def make_scenario(now: datetime) -> Scenario:
    # Local time ~07:xx now: the whole working day is ahead of us.
    offset = ((7 - now.hour + 12) % 24) - 12
    # Chromium reports a device set to Etc/GMT as "UTC" (its canonical id), so the zero
    # offset uses that id and the detected zone matches the one the test set.
    zone = "Etc/GMT" + ("-" if offset > 0 else "+") + str(abs(offset)) if offset else "UTC"
    local_now = now + timedelta(hours=offset)
    day = local_now.date()

    def at(hour: int, minute: int) -> datetime:
        local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
        return local - timedelta(hours=offset)

    # 09:00 and 10:00 with a 10-minute gap; 11:00-13:40 back-to-back (5-minute gaps); 15:00.
    slots = ((9, 0), (10, 0), (11, 0), (11, 55), (12, 50), (15, 0))
    sessions = tuple((at(h, m), at(h, m) + timedelta(minutes=50)) for h, m in slots)
    return Scenario(zone, offset, day.isoformat(), sessions)


def ics_for(scenario: Scenario) -> str:
    def stamp(value: datetime) -> str:
        return value.strftime("%Y%m%dT%H%M%SZ")

    events = []
    for i, ((start, end), name) in enumerate(zip(scenario.sessions, CLIENT_NAMES, strict=True)):
        events.append(
            "\r\n".join(
                (
                    "BEGIN:VEVENT",
                    f"UID:e2e-{i}@interlude.test",
                    f"DTSTAMP:{stamp(start)}",
                    f"DTSTART:{stamp(start)}",
                    f"DTEND:{stamp(end)}",
                    f"SUMMARY:{name}",
                    "DESCRIPTION:Progress notes due",
                    "END:VEVENT",
                )
            )
        )
    return (
        "\r\n".join(
            (
                "BEGIN:VCALENDAR",
                "VERSION:2.0",
                "PRODID:-//Interlude e2e//EN",
                *events,
                "END:VCALENDAR",
            )
        )
        + "\r\n"
    )


@pytest.fixture(scope="session")
def scenario() -> Scenario:
    return make_scenario(datetime.now(UTC))


@pytest.fixture(scope="session")
def ics_url(scenario: Scenario) -> Iterator[str]:
    body = ics_for(scenario).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/practice.ics"
    server.shutdown()
    server.server_close()


# --- the app -----------------------------------------------------------------------------


@dataclass
class LiveApp:
    base_url: str
    runtime: Runtime


@pytest.fixture(scope="session")
def live_app(built_frontend: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    data_dir = tmp_path_factory.mktemp("e2e-var")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = Settings(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'e2e.db'}",
        secret_key=SECRET,
        base_url=base_url,
        allow_private_network=True,
        frontend_dist=built_frontend,
        # Every browser test signs up from 127.0.0.1 against this one app: the per-address
        # sign-up limit (tests/accounts/test_limits.py covers it) would stop the 11th.
        signup_max_per_address_per_hour=1000,
        _env_file=None,  # type: ignore[call-arg]
    )
    migrations.upgrade(settings.resolved_database_url)
    runtime = Runtime.from_settings(settings)
    server = uvicorn.Server(uvicorn.Config(create_app(runtime), log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    yield LiveApp(base_url, runtime)
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
    runtime.dispose()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def browser(live_app: LiveApp, artifacts: Path) -> Iterator[Browser]:
    """One headless Debian Chromium for a test module (test_audits brings its own)."""
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()
