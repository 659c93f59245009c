"""Check-ins through the HTTP API: create, list, edit, delete, validation, ownership."""

from __future__ import annotations

import uuid

BASE = "/api/v1/wellbeing/checkins"


def _create(client, auth, **overrides):
    payload = {
        "energy": 6,
        "emotions": ["calm", "Tired"],
        "sleep_quality": 4,
        "moved": True,
        "connected": False,
        "insight": "Slow mornings help.",
        "gratitude": "The walk at lunch.",
    }
    payload.update(overrides)
    return client.post(BASE, json=payload, headers=auth)


def test_create_and_read_back(client, auth):
    response = _create(client, auth)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["energy"] == 6
    assert body["emotions"] == ["calm", "tired"]
    assert body["insight"] == "Slow mornings help."
    assert body["gratitude"] == "The walk at lunch."
    # 14:00 UTC on Monday 23 November is 09:00 in New York.
    assert body["local_date"] == "2026-11-23"
    assert body["timezone"] == "America/New_York"
    assert "client" in body["privacy_reminder"]
    fetched = client.get(f"{BASE}/{body['id']}", headers=auth)
    assert fetched.status_code == 200
    assert fetched.json() == body


def test_several_a_day_and_only_energy_required(client, auth):
    assert client.post(BASE, json={"energy": 3}, headers=auth).status_code == 201
    assert client.post(BASE, json={"energy": 8}, headers=auth).status_code == 201
    listed = client.get(BASE, headers=auth)
    assert listed.status_code == 200
    assert sorted(item["energy"] for item in listed.json()) == [3, 8]
    only = listed.json()[0]
    assert only["insight"] is None and only["sleep_quality"] is None


def test_backdated_check_in_takes_its_own_local_date(client, auth):
    response = _create(client, auth, at="2026-11-21T03:30:00+00:00")
    assert response.status_code == 201
    # 03:30 UTC on the 21st is still the evening of the 20th in New York.
    assert response.json()["local_date"] == "2026-11-20"
    listed = client.get(BASE, params={"from": "2026-11-20", "to": "2026-11-20"}, headers=auth)
    assert [item["id"] for item in listed.json()] == [response.json()["id"]]
    assert client.get(BASE, params={"from": "2026-11-22"}, headers=auth).json() == []


def test_update_and_clear_free_text(client, auth):
    created = _create(client, auth).json()
    response = client.patch(
        f"{BASE}/{created['id']}", json={"energy": 2, "insight": None}, headers=auth
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["energy"] == 2
    assert body["insight"] is None
    assert body["gratitude"] == "The walk at lunch."


def test_delete(client, auth):
    created = _create(client, auth).json()
    assert client.delete(f"{BASE}/{created['id']}", headers=auth).status_code == 204
    assert client.get(f"{BASE}/{created['id']}", headers=auth).status_code == 404


def test_bad_input_is_a_clear_4xx(client, auth):
    for payload in (
        {"energy": 0},
        {"energy": 11},
        {"energy": 5, "sleep_quality": 6},
        {"energy": 5, "emotions": ["ok", "1234"]},
        {"energy": 5, "insight": "x" * 1001},
        {"energy": 5, "mood": "great"},
        {},
    ):
        response = client.post(BASE, json=payload, headers=auth)
        assert response.status_code == 422, payload
        assert response.json()["error"]["message"]
    future = _create(client, auth, at="2026-11-24T14:00:00+00:00")
    assert future.status_code == 422
    assert "future" in future.json()["error"]["message"]
    naive = _create(client, auth, at="2026-11-23T10:00:00")
    assert naive.status_code == 422
    assert _create(client, auth, at="0001-01-01T00:00:00+05:00").status_code == 422
    assert client.get(BASE, params={"from": "0001-01-01"}, headers=auth).status_code == 422
    created = _create(client, auth).json()
    assert (
        client.patch(f"{BASE}/{created['id']}", json={"energy": None}, headers=auth).status_code
        == 422
    )
    assert (
        client.get(
            BASE, params={"from": "2026-11-20", "to": "2026-11-01"}, headers=auth
        ).status_code
        == 422
    )
    assert client.get(f"{BASE}/not-a-uuid", headers=auth).status_code == 422


def test_unauthenticated_is_401(client):
    assert client.post(BASE, json={"energy": 5}).status_code == 401
    assert client.get(BASE).status_code == 401
    some_id = uuid.uuid4()
    assert client.get(f"{BASE}/{some_id}").status_code == 401
    assert client.patch(f"{BASE}/{some_id}", json={"energy": 5}).status_code == 401
    assert client.delete(f"{BASE}/{some_id}").status_code == 401


def test_another_users_check_in_is_404(client, auth, other_auth):
    created = _create(client, auth).json()
    url = f"{BASE}/{created['id']}"
    assert client.get(url, headers=other_auth).status_code == 404
    assert client.patch(url, json={"energy": 1}, headers=other_auth).status_code == 404
    assert client.delete(url, headers=other_auth).status_code == 404
    assert client.get(BASE, headers=other_auth).json() == []
    assert client.get(url, headers=auth).json()["energy"] == 6
