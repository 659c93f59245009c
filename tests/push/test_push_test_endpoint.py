"""POST /push/test: one notification to every device, each device's result reported."""

from __future__ import annotations

import pytest

from interlude.push import testsend
from tests.push.factories import register_device, subscription_json

TEST = "/api/v1/push/test"
SUBS = "/api/v1/push/subscriptions"


def test_sends_to_every_device_and_reports_each(client, auth, push_service):
    phone, _ = register_device(client, auth, push_service, label="Phone")
    laptop, laptop_row = register_device(client, auth, push_service, label="Laptop")

    response = client.post(TEST, headers=auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["sent"] == 2
    by_label = {r["label"]: r for r in body["results"]}
    assert by_label["Phone"]["outcome"] == "sent" and by_label["Phone"]["http_status"] == 201
    assert by_label["Laptop"]["subscription_id"] == laptop_row["id"]

    for device in (phone, laptop):
        [push] = push_service.received(device)
        assert push.payload["kind"] == "test"
        # Declarative Web Push (Safari 18.4+) with the service worker's fields beside it.
        assert push.payload["web_push"] == 8030
        assert push.payload["notification"]["title"] == "Interlude"
        assert push.payload["notification"]["navigate"].endswith("/settings")
        assert push.payload["reminder_id"] is None
        assert push.payload["expires_at"] == "2026-11-23T14:05:00+00:00"
        assert push.ttl == 300 and push.urgency == "high" and push.topic == "interlude-test"
        assert push.claims["aud"] == push_service.origin

    listed = {d["label"]: d for d in client.get(SUBS, headers=auth).json()}
    assert listed["Phone"]["last_outcome"] == "sent"
    assert listed["Phone"]["last_sent_at"] == "2026-11-23T14:00:00Z"
    assert listed["Phone"]["last_error"] is None


def test_gone_devices_are_kept_marked_gone_and_failures_recorded(client, auth, push_service):
    gone, _ = register_device(client, auth, push_service, label="Old phone")
    broken, _ = register_device(client, auth, push_service, label="Broken")
    ok, _ = register_device(client, auth, push_service, label="Phone")
    push_service.respond(gone, 410)
    push_service.respond(broken, 413)

    body = client.post(TEST, headers=auth).json()
    results = {r["label"]: r for r in body["results"]}
    assert body["sent"] == 1
    assert results["Old phone"]["outcome"] == "gone" and results["Old phone"]["removed"] is True
    assert results["Broken"]["outcome"] == "failed" and results["Broken"]["removed"] is False
    assert "413" in results["Broken"]["reason"]

    listed = {d["label"]: d for d in client.get(SUBS, headers=auth).json()}
    # Kept, so the app can say since when it stopped, until it is repaired or removed.
    assert set(listed) == {"Old phone", "Broken", "Phone"}
    assert listed["Old phone"]["health"] == "gone"
    assert listed["Old phone"]["health_since"] == "2026-11-23T14:00:00Z"
    assert listed["Phone"]["health"] == "pending"  # accepted, no receipt yet
    assert listed["Broken"]["last_outcome"] == "failed"
    assert listed["Broken"]["last_status"] == 413
    assert "413" in listed["Broken"]["last_error"]
    assert len(push_service.received(ok)) == 1

    # A gone device gets no more pushes.
    push_service.clear()
    again = {r["label"] for r in client.post(TEST, headers=auth).json()["results"]}
    assert again == {"Broken", "Phone"}
    assert push_service.attempts(gone) == []


def test_retryable_answers_are_reported_as_retry(client, auth, push_service, monkeypatch):
    monkeypatch.setattr(testsend, "TEST_TIMEOUT_SECONDS", 0.3)
    busy, _ = register_device(client, auth, push_service, label="Busy")
    slow, _ = register_device(client, auth, push_service, label="Slow")
    push_service.respond(busy, 429, retry_after="60")
    push_service.hang(slow)

    results = {r["label"]: r for r in client.post(TEST, headers=auth).json()["results"]}
    push_service.release_hangs()
    assert results["Busy"]["outcome"] == "retry" and results["Busy"]["http_status"] == 429
    assert results["Slow"]["outcome"] == "retry" and "timed out" in results["Slow"]["reason"]
    assert len(client.get(SUBS, headers=auth).json()) == 2


def test_no_devices_sends_nothing(client, auth, push_service):
    response = client.post(TEST, headers=auth)
    assert response.status_code == 200
    assert response.json() == {"sent": 0, "results": []}
    assert push_service.attempts() == []


def test_only_the_callers_devices_are_notified(client, auth, other_auth, push_service):
    theirs, _ = register_device(client, other_auth, push_service, label="Theirs")
    mine, _ = register_device(client, auth, push_service, label="Mine")
    body = client.post(TEST, headers=auth).json()
    assert [r["label"] for r in body["results"]] == ["Mine"]
    assert push_service.received(theirs) == []
    assert len(push_service.received(mine)) == 1


def test_a_device_subscribed_with_another_key_fails_with_a_reason(client, auth, push_service):
    stale = push_service.subscribe(application_server_key="B" + "A" * 86)
    client.post(SUBS, json={**stale.info, "label": "Stale"}, headers=auth)
    [result] = client.post(TEST, headers=auth).json()["results"]
    assert result["outcome"] == "failed" and result["http_status"] == 403


@pytest.mark.parametrize("body", [{"unexpected": True}])
def test_extra_body_is_ignored(client, auth, body):
    client.post(SUBS, json=subscription_json("http://127.0.0.1:9/never"), headers=auth)
    response = client.post(TEST, json=body, headers=auth)
    assert response.status_code == 200
    [result] = response.json()["results"]
    assert result["outcome"] == "retry"  # nothing listens on port 9
