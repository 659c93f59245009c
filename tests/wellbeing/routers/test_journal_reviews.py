"""Weekly reviews through the HTTP API."""

from __future__ import annotations

import uuid

BASE = "/api/v1/wellbeing/weekly-reviews"


def _create(client, auth, **overrides):
    payload = {
        "warning_signs": ["cynicism", "clock_watching", "cynicism"],
        "commitments_kept": {"supervision": 1},
        "fulfillment": "A quiet breakthrough on Thursday.",
    }
    payload.update(overrides)
    return client.post(BASE, json=payload, headers=auth)


def test_create_defaults_to_this_week_and_counts_commitments(client, auth):
    commitment = client.post(
        "/api/v1/wellbeing/commitments",
        json={
            "kind": "supervision",
            "weekday": 3,
            "start_time": "12:00",
            "starts_on": "2026-11-01",
        },
        headers=auth,
    )
    assert commitment.status_code == 201, commitment.text
    response = _create(client, auth)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["week_start"] == "2026-11-23"
    assert body["warning_signs"] == ["cynicism", "clock_watching"]
    assert body["warning_sign_count"] == 2
    assert body["commitments_planned"] == {"supervision": 1, "peer": 0, "personal_therapy": 0}
    assert body["commitments_kept"] == {"supervision": 1, "peer": 0, "personal_therapy": 0}
    assert body["fulfillment"] == "A quiet breakthrough on Thursday."
    assert client.get(f"{BASE}/{body['id']}", headers=auth).json() == body


def test_one_review_per_week(client, auth):
    first = _create(client, auth, week_start="2026-11-18")
    assert first.status_code == 201
    assert first.json()["week_start"] == "2026-11-16"
    again = _create(client, auth, week_start="2026-11-20")
    assert again.status_code == 409
    assert again.json()["error"]["details"]["id"] == first.json()["id"]


def test_list_edit_delete(client, auth):
    older = _create(client, auth, week_start="2026-11-09").json()
    newer = _create(client, auth).json()
    listed = client.get(BASE, headers=auth).json()
    assert [r["id"] for r in listed] == [newer["id"], older["id"]]
    assert [
        r["id"] for r in client.get(BASE, params={"to": "2026-11-15"}, headers=auth).json()
    ] == [older["id"]]
    patched = client.patch(
        f"{BASE}/{older['id']}",
        json={
            "warning_signs": ["irritability", "autopilot_responses", "decision_fatigue"],
            "fulfillment": None,
        },
        headers=auth,
    )
    assert patched.status_code == 200
    assert patched.json()["warning_sign_count"] == 3
    assert patched.json()["fulfillment"] is None
    assert client.delete(f"{BASE}/{older['id']}", headers=auth).status_code == 204
    assert client.get(f"{BASE}/{older['id']}", headers=auth).status_code == 404


def test_bad_input(client, auth):
    assert _create(client, auth, warning_signs=["sadness"]).status_code == 422
    assert _create(client, auth, week_start="2026-12-01").status_code == 422
    assert _create(client, auth, week_start="0001-01-01").status_code == 422
    assert _create(client, auth, commitments_kept={"supervision": -1}).status_code == 422
    assert _create(client, auth, fulfillment="x" * 2001).status_code == 422
    created = _create(client, auth).json()
    assert (
        client.patch(
            f"{BASE}/{created['id']}", json={"week_start": "2026-11-02"}, headers=auth
        ).status_code
        == 422
    )


def test_unauthenticated_and_other_users(client, auth, other_auth):
    assert client.post(BASE, json={}).status_code == 401
    assert client.get(BASE).status_code == 401
    assert client.get(f"{BASE}/{uuid.uuid4()}").status_code == 401
    created = _create(client, auth).json()
    url = f"{BASE}/{created['id']}"
    assert client.get(url, headers=other_auth).status_code == 404
    assert client.patch(url, json={"warning_signs": []}, headers=other_auth).status_code == 404
    assert client.delete(url, headers=other_auth).status_code == 404
    assert client.get(BASE, headers=other_auth).json() == []
