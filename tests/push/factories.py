"""Builders for push test data: browser-shaped subscription JSON and registered devices."""

from __future__ import annotations

import base64
import secrets
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient

from tests.support.push_service import LocalPushService, LocalSubscription


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def subscription_json(
    endpoint: str | None = None, *, label: str | None = "Phone", **overrides: Any
) -> dict[str, Any]:
    """What ``PushSubscription.toJSON()`` plus a label looks like, with fresh keys."""
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    body: dict[str, Any] = {
        "endpoint": endpoint or f"https://fcm.googleapis.com/fcm/send/{secrets.token_urlsafe(24)}",
        "expirationTime": None,
        "keys": {"p256dh": b64(point), "auth": b64(secrets.token_bytes(16))},
    }
    if label is not None:
        body["label"] = label
    body.update(overrides)
    return body


def vapid_public_key(client: TestClient, auth: dict[str, str]) -> str:
    response = client.get("/api/v1/push/vapid-public-key", headers=auth)
    assert response.status_code == 200, response.text
    return str(response.json()["public_key"])


def register_device(
    client: TestClient,
    auth: dict[str, str],
    service: LocalPushService,
    *,
    label: str = "Phone",
) -> tuple[LocalSubscription, dict[str, Any]]:
    """A device of ``service`` subscribed with the app's key and registered via the API."""
    device = service.subscribe(application_server_key=vapid_public_key(client, auth))
    response = client.post(
        "/api/v1/push/subscriptions", json={**device.info, "label": label}, headers=auth
    )
    assert response.status_code == 201, response.text
    return device, response.json()
