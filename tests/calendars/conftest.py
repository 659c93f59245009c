from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interlude.calendars import fetch
from interlude.core import hooks

from .feedserver import FeedServer


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    server = FeedServer()
    server.start()
    yield server
    server.stop()


class ScheduleRecorder:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


@pytest.fixture(autouse=True)
def schedule_changes(monkeypatch: pytest.MonkeyPatch) -> ScheduleRecorder:
    """Records ``schedule_changed`` calls. The calendars tests check this domain's side of the
    seam only; the reminders domain tests its re-planning against real appointments."""
    recorder = ScheduleRecorder()
    monkeypatch.setattr(hooks, "_schedule_listeners", [recorder])
    return recorder


@pytest.fixture(autouse=True)
def quick_fetch_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short timeouts so slow and hanging feeds fail in about a second."""
    monkeypatch.setattr(
        fetch,
        "DEFAULT_LIMITS",
        fetch.FetchLimits(connect_timeout=2.0, read_timeout=1.0, total_seconds=3.0),
    )


def add_feed(client: TestClient, auth: dict[str, str], url: str, **extra: Any) -> dict[str, Any]:
    response = client.post(
        "/api/v1/calendars", json={"kind": "ics_url", "url": url, **extra}, headers=auth
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def appointments(
    client: TestClient,
    auth: dict[str, str],
    start: str = "2026-11-01T00:00:00Z",
    end: str = "2027-01-01T00:00:00Z",
) -> list[dict[str, Any]]:
    response = client.get("/api/v1/appointments", params={"start": start, "end": end}, headers=auth)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


def slots(rows: list[dict[str, Any]]) -> list[tuple[str, str, str, bool, bool]]:
    """(start, end, kind, telehealth, all_day) with times as 'YYYY-MM-DDTHH:MMZ'."""

    def short(value: str) -> str:
        return value.replace("+00:00", "Z")[:16] + "Z"

    return [
        (short(r["start"]), short(r["end"]), r["kind"], r["telehealth"], r["all_day"]) for r in rows
    ]
