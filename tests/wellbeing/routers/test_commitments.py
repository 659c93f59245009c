"""Supervision / peer / personal therapy commitments through the HTTP API."""

from __future__ import annotations

import uuid

from interlude.core import hooks

BASE = "/api/v1/wellbeing/commitments"
PAYLOAD = {
    "kind": "supervision",
    "label": "Group  supervision",
    "weekday": 2,
    "start_time": "10:00",
    "duration_minutes": 90,
    "frequency": "biweekly",
    "starts_on": "2026-11-25",
}


def test_create_list_and_next_occurrence(client, auth):
    response = client.post(BASE, json=PAYLOAD, headers=auth)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["label"] == "Group supervision"
    # Wednesday 25 November 10:00 in New York is 15:00 UTC.
    assert body["next_occurrence"].startswith("2026-11-25T15:00:00")
    assert [c["id"] for c in client.get(BASE, headers=auth).json()] == [body["id"]]
    occurrences = client.get(
        f"{BASE}/occurrences", params={"from": "2026-11-23", "to": "2026-12-13"}, headers=auth
    ).json()
    assert [o["local_date"] for o in occurrences] == ["2026-11-25", "2026-12-09"]
    assert occurrences[0]["kind"] == "supervision"


def test_changes_announce_a_schedule_change(client, auth):
    seen = []

    def listener(*, session, user_id, now):
        seen.append(user_id)

    hooks.on_schedule_changed(listener)
    created = client.post(BASE, json=PAYLOAD, headers=auth).json()
    client.patch(f"{BASE}/{created['id']}", json={"active": False}, headers=auth)
    client.delete(f"{BASE}/{created['id']}", headers=auth)
    assert len(seen) == 3
    assert {str(user_id) for user_id in seen} == {
        client.get("/api/v1/me", headers=auth).json()["id"]
    }


def test_edit_pause_and_delete(client, auth):
    created = client.post(BASE, json=PAYLOAD, headers=auth).json()
    url = f"{BASE}/{created['id']}"
    paused = client.patch(url, json={"active": False, "frequency": "monthly"}, headers=auth)
    assert paused.status_code == 200
    assert paused.json()["next_occurrence"] is None
    assert client.get(f"{BASE}/occurrences", headers=auth).json() == []
    assert client.delete(url, headers=auth).status_code == 204
    assert client.get(url, headers=auth).status_code == 404


def test_bad_input(client, auth):
    for change in (
        {"kind": "coffee"},
        {"weekday": 7},
        {"start_time": "25:00"},
        {"duration_minutes": 1},
        {"frequency": "daily"},
        {"starts_on": "0001-01-01"},
        {"label": "x" * 81},
    ):
        assert client.post(BASE, json={**PAYLOAD, **change}, headers=auth).status_code == 422, (
            change
        )
    created = client.post(BASE, json=PAYLOAD, headers=auth).json()
    assert (
        client.patch(f"{BASE}/{created['id']}", json={"weekday": None}, headers=auth).status_code
        == 422
    )
    too_long = client.get(
        f"{BASE}/occurrences", params={"from": "2026-01-01", "to": "2026-12-31"}, headers=auth
    )
    assert too_long.status_code == 422


def test_unauthenticated_and_other_users(client, auth, other_auth):
    assert client.post(BASE, json=PAYLOAD).status_code == 401
    assert client.get(f"{BASE}/occurrences").status_code == 401
    assert client.get(f"{BASE}/{uuid.uuid4()}").status_code == 401
    created = client.post(BASE, json=PAYLOAD, headers=auth).json()
    url = f"{BASE}/{created['id']}"
    assert client.get(url, headers=other_auth).status_code == 404
    assert client.patch(url, json={"active": False}, headers=other_auth).status_code == 404
    assert client.delete(url, headers=other_auth).status_code == 404
    assert client.get(f"{BASE}/occurrences", headers=other_auth).json() == []
