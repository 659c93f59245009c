"""Tried as a new operator would: the wheel, installed alone, runs the whole product from any
directory (migrations, the PWA, the API, the worker), from a read-only install."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.packaging.conftest import Installed, running, sdist_names

pytestmark = pytest.mark.slow
ZONE = "America/New_York"
PASSWORD = "correct horse battery staple"


def test_the_sdist_and_the_wheel_carry_the_pwa_and_the_migrations(installed: Installed):
    in_sdist = sdist_names(installed.sdist)
    assert {"frontend/dist/index.html", "frontend/dist/sw.js", "setup.py"} <= in_sdist
    assert not any(name.startswith("tests/") for name in in_sdist)
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
    for name in (
        "interlude/static/index.html",
        "interlude/static/sw.js",
        "interlude/static/manifest.webmanifest",
        "interlude/migrations/env.py",
        "interlude/migrations/script.py.mako",
        "interlude/migrations/versions/0001_foundation.py",
        "interlude/autoresponder/templates/en/warm/email.j2",
    ):
        assert name in names, name
    assert not any("/.vite/" in name for name in names)


def _contents(wheel: Path) -> dict[str, str]:
    """Each file's SHA-256, but RECORD (the list of those hashes)."""
    with zipfile.ZipFile(wheel) as archive:
        return {
            name: hashlib.sha256(archive.read(name)).hexdigest()
            for name in archive.namelist()
            if not name.endswith(".dist-info/RECORD")
        }


def test_the_sdist_builds_the_same_wheel_as_the_checkout(installed: Installed):
    from_sdist, from_checkout = _contents(installed.wheel), _contents(installed.checkout_wheel)
    assert sorted(from_sdist) == sorted(from_checkout)
    assert from_sdist == from_checkout


@pytest.fixture
def server(installed: Installed) -> Iterator[tuple[str, Path]]:
    """``interlude run`` of the installed wheel, from an empty directory, with its own data."""
    with running(installed) as started:
        yield started


def test_interlude_run_serves_the_whole_product_from_the_wheel(installed: Installed, server):
    base, data = server
    # The code and the PWA come from the read-only venv, never from the checkout.
    where = subprocess.run(
        [
            str(installed.venv / "bin" / "python"),
            "-c",
            "import interlude; print(interlude.__file__)",
        ],
        cwd=installed.workdir,
        env=installed.env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert where.startswith(str(installed.venv)), where
    assert (data / "interlude.db").is_file() and (data / "secret.key").is_file()

    with httpx.Client(base_url=base, timeout=10) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text

        page = client.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert '<link rel="manifest"' in page.text
        packaged = next(installed.venv.glob("lib/python*/site-packages/interlude/static"))
        assert page.text == (packaged / "index.html").read_text()

        worker = client.get("/sw.js")
        assert worker.status_code == 200
        assert worker.headers["content-type"].startswith("text/javascript")
        assert worker.headers["cache-control"] == "no-cache"
        assert "precache" in worker.text.lower()

        manifest = client.get("/manifest.webmanifest")
        assert manifest.status_code == 200
        assert manifest.headers["content-type"].startswith("application/manifest+json")
        assert json.loads(manifest.text)["display"] == "standalone"

        # register -> sign in (cookies, as the PWA does) -> a calendar -> Today
        account = {
            "email": "new.therapist@example.org",
            "password": PASSWORD,
            "display_name": "Dr. New",
            "timezone": ZONE,
        }
        assert client.post("/api/v1/auth/register", json=account).status_code == 201
        login = client.post(
            "/api/v1/auth/login", json={"email": account["email"], "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        assert {"interlude_session", "interlude_csrf"} <= set(client.cookies)
        csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
        assert client.get("/api/v1/me").json()["email"] == account["email"]
        assert client.post("/api/v1/calendars", json={"kind": "sample"}).status_code == 403
        created = client.post("/api/v1/calendars", json={"kind": "sample"}, headers=csrf)
        assert created.status_code == 201, created.text

        zone = ZoneInfo(ZONE)
        today = datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        window = {"start": today.isoformat(), "end": (today + timedelta(days=1)).isoformat()}
        appointments = client.get("/api/v1/appointments", params=window)
        assert appointments.status_code == 200, appointments.text
        assert len([a for a in appointments.json() if a["kind"] == "session"]) == 6
        reminders = client.get("/api/v1/reminders", params=window)
        assert reminders.status_code == 200, reminders.text
        assert isinstance(reminders.json(), list)

    # The installed commands: --version from the wheel's metadata; doctor, for a deployment
    # that sets its public https address and VAPID contact, passes every check.
    version = installed.wheel.name.split("-")[1]
    assert installed.run("--version", env=installed.env()).stdout.strip() == f"interlude {version}"
    checked = installed.run(
        "doctor",
        env=installed.env(
            INTERLUDE_DATA_DIR=str(data),
            INTERLUDE_BASE_URL="https://breaks.quiet-practice.net",
            INTERLUDE_VAPID_SUBJECT="mailto:ops@quiet-practice.net",
        ),
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert re.search(rf"^ok +PWA files +{re.escape(str(packaged))}$", checked.stdout, re.M)
