"""A session marked intense (or telehealth) on Today: its ritual is planned at once, merged
with the break after it, and the mark follows the occurrence."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.reminders.test_end_to_end import ICS, _upload

RITUALS = "/api/v1/care-plan/rituals"


def _after(client: TestClient, auth: dict[str, str], due: str) -> dict[str, Any]:
    items = client.get("/api/v1/reminders", headers=auth).json()
    [item] = [r for r in items if r["due_at"].startswith(due) and r["state"] == "planned"]
    return item  # type: ignore[no-any-return]


def _sessions(client: TestClient, auth: dict[str, str]) -> list[dict[str, Any]]:
    rows = client.get(
        "/api/v1/appointments",
        params={"start": "2026-11-23T00:00:00Z", "end": "2026-11-24T00:00:00Z"},
        headers=auth,
    ).json()
    return rows  # type: ignore[no-any-return]


def _ritual(client: TestClient, auth: dict[str, str], **body: Any) -> None:
    response = client.post(RITUALS, json=body, headers=auth)
    assert response.status_code == 201, response.text


def test_marking_a_session_intense_plans_its_ritual(
    client: TestClient, auth: dict[str, str]
) -> None:
    _upload(client, auth, ICS)
    _ritual(
        client,
        auth,
        name="Heavy reset",
        steps=["Wash your hands", "Name three things you see"],
        trigger="after_intense",
        duration_minutes=4,
    )
    before = _after(client, auth, "2026-11-23T15:50")
    assert before["kind"] == "micro_break"
    assert before["ritual_name"] is None and before["ritual_steps"] == []

    first = _sessions(client, auth)[0]
    marked = client.patch(
        f"/api/v1/appointments/{first['id']}", json={"intense": True}, headers=auth
    )
    assert marked.status_code == 200, marked.text
    assert marked.json()["intense"] is True

    after = _after(client, auth, "2026-11-23T15:50")
    assert after["id"] == before["id"]  # the same break, now carrying the ritual
    assert after["ritual_name"] == "Heavy reset" and after["ritual_minutes"] == 4
    assert after["ritual_steps"] == ["Wash your hands", "Name three things you see"]
    assert "Then your ritual: Heavy reset." in after["body"]
    # The Today read shows the mark.
    assert [a["intense"] for a in _sessions(client, auth)] == [True, False]

    # Unmarked: the ritual goes again.
    client.patch(f"/api/v1/appointments/{first['id']}", json={"intense": False}, headers=auth)
    assert _after(client, auth, "2026-11-23T15:50")["ritual_name"] is None


def test_marking_a_session_telehealth_plans_the_telehealth_ritual(
    client: TestClient, auth: dict[str, str]
) -> None:
    _upload(client, auth, ICS)
    _ritual(client, auth, name="Log off", steps=["Close the video app"], trigger="after_telehealth")
    first = _sessions(client, auth)[0]
    assert first["telehealth"] is False
    response = client.patch(
        f"/api/v1/appointments/{first['id']}", json={"telehealth": True}, headers=auth
    )
    assert response.status_code == 200 and response.json()["telehealth"] is True
    assert _after(client, auth, "2026-11-23T15:50")["ritual_name"] == "Log off"
    preview = client.get("/api/v1/planner/preview?date=2026-11-23", headers=auth).json()
    [merged] = [r for r in preview["reminders"] if r["due_at"].startswith("2026-11-23T15:50")]
    assert merged["ritual_name"] == "Log off" and merged["ritual_steps"] == ["Close the video app"]
    assert [s["telehealth"] for s in preview["sessions"]] == [True, False]
