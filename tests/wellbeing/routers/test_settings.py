"""Wellbeing settings and signal mutes through the HTTP API."""

from __future__ import annotations

from datetime import timedelta

BASE = "/api/v1/wellbeing"


def test_defaults(client, auth):
    response = client.get(f"{BASE}/settings", headers=auth)
    assert response.status_code == 200
    body = response.json()
    assert body["weekly_caseload_limit"] == 25
    assert "calm" in body["emotion_words"]
    assert body["muted_signals"] == {}
    assert len(body["warning_signs"]) == 12


def test_update(client, auth):
    response = client.patch(
        f"{BASE}/settings",
        json={"weekly_caseload_limit": 20, "emotion_words": ["Steady", "frayed", "steady"]},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    assert response.json()["weekly_caseload_limit"] == 20
    assert response.json()["emotion_words"] == ["steady", "frayed"]


def test_mute_for_days_and_unmute(client, auth, clock):
    muted = client.post(f"{BASE}/signals/caseload/mute", json={"days": 7}, headers=auth)
    assert muted.status_code == 200
    assert muted.json()["muted_signals"] == {"caseload": "2026-11-30"}
    forever = client.post(f"{BASE}/signals/energy_drop/mute", headers=auth)
    assert forever.json()["muted_signals"]["energy_drop"] is None
    clock.advance(timedelta(days=8))
    assert client.get(f"{BASE}/settings", headers=auth).json()["muted_signals"] == {
        "energy_drop": None
    }
    unmuted = client.delete(f"{BASE}/signals/energy_drop/mute", headers=auth)
    assert unmuted.json()["muted_signals"] == {}


def test_bad_input(client, auth):
    assert (
        client.patch(
            f"{BASE}/settings", json={"weekly_caseload_limit": 0}, headers=auth
        ).status_code
        == 422
    )
    assert (
        client.patch(f"{BASE}/settings", json={"emotion_words": []}, headers=auth).status_code
        == 422
    )
    assert (
        client.patch(f"{BASE}/settings", json={"emotion_words": ["<b>"]}, headers=auth).status_code
        == 422
    )
    assert client.post(f"{BASE}/signals/sadness/mute", headers=auth).status_code == 422
    assert (
        client.post(f"{BASE}/signals/caseload/mute", json={"days": 0}, headers=auth).status_code
        == 422
    )


def test_unauthenticated(client):
    assert client.get(f"{BASE}/settings").status_code == 401
    assert client.patch(f"{BASE}/settings", json={}).status_code == 401
    assert client.post(f"{BASE}/signals/caseload/mute").status_code == 401
    assert client.delete(f"{BASE}/signals/caseload/mute").status_code == 401


def test_settings_are_per_user(client, auth, other_auth):
    client.patch(f"{BASE}/settings", json={"weekly_caseload_limit": 12}, headers=auth)
    client.post(f"{BASE}/signals/caseload/mute", headers=auth)
    other = client.get(f"{BASE}/settings", headers=other_auth).json()
    assert other["weekly_caseload_limit"] == 25 and other["muted_signals"] == {}
