"""The domains' seams (core/hooks.py) are connected where the app and the worker are built,
never as a side effect of importing a module (interlude/wiring.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from interlude.app import create_app
from interlude.core import hooks
from interlude.core.runtime import Runtime
from interlude.reminders import service as reminders
from interlude.wiring import EXPORTERS
from interlude.worker import Worker
from tests.factories import DEFAULT_PASSWORD, user_payload

ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//EN
BEGIN:VEVENT
UID:session-1@example.org
DTSTART;TZID=America/New_York:20261123T100000
DTEND;TZID=America/New_York:20261123T105000
SUMMARY:Client A. B. - intake
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def unconnected(monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty seams, as in a process that has not built the app or the worker yet."""
    monkeypatch.setattr(hooks, "_user_listeners", [])
    monkeypatch.setattr(hooks, "_schedule_listeners", [])
    monkeypatch.setattr(hooks, "_commitment_sources", [])
    monkeypatch.setattr(hooks, "_exporters", {})
    monkeypatch.setattr(hooks, "_connected", False)


def test_importing_every_module_connects_no_seam() -> None:
    code = (
        "import importlib, pkgutil, interlude\n"
        "for m in pkgutil.walk_packages(interlude.__path__, 'interlude.'):\n"
        "    importlib.import_module(m.name)\n"
        "from interlude.core import hooks\n"
        "assert not hooks._connected\n"
        "assert hooks._user_listeners == [], hooks._user_listeners\n"
        "assert hooks._schedule_listeners == [], hooks._schedule_listeners\n"
        "assert hooks._commitment_sources == [], hooks._commitment_sources\n"
        "assert hooks._exporters == {}, sorted(hooks._exporters)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


@pytest.mark.usefixtures("unconnected")
def test_the_built_app_re_plans_a_calendar_change_and_exports_every_domain(
    runtime: Runtime,
) -> None:
    with TestClient(create_app(runtime)) as client:
        payload = user_payload()
        assert client.post("/api/v1/auth/register", json=payload).status_code == 201
        token = client.post(
            "/api/v1/auth/login", json={"email": payload["email"], "password": DEFAULT_PASSWORD}
        ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}

        def due_at_session_end() -> list[str]:
            listed = client.get("/api/v1/reminders", headers=auth).json()
            return [r["kind"] for r in listed if r["due_at"] == "2026-11-23T15:50:00Z"]

        assert due_at_session_end() == []
        uploaded = client.post(
            "/api/v1/calendars/upload",
            files={"file": ("practice.ics", ICS.encode(), "text/calendar")},
            headers=auth,
        )
        assert uploaded.status_code == 201, uploaded.text
        # The upload re-planned the outbox at once (schedule_changed), with the default care
        # plan (user_registered): the day's last session ends in the shutdown ritual.
        assert due_at_session_end() == ["end_of_day"]

        export = client.get("/api/v1/me/export", headers=auth)
        assert export.status_code == 200
        assert set(EXPORTERS) <= set(export.json())


@pytest.mark.usefixtures("unconnected")
def test_a_standalone_worker_connects_the_seams(runtime: Runtime) -> None:
    """``interlude worker`` never builds the app: a calendar sync it runs must still re-plan."""
    Worker(runtime, background=True)
    assert reminders.replan_on_schedule_change in hooks._schedule_listeners
    assert hooks._user_listeners and hooks._commitment_sources
    assert set(hooks.exporters()) == set(EXPORTERS)
