"""The push HTTP API: VAPID public key and the devices (subscriptions) of a user."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from interlude.accounts.models import User
from interlude.core.hooks import exporters
from interlude.push.models import HealthAlert, PushSubscription, VapidKey
from interlude.push.service import MAX_SUBSCRIPTIONS_PER_USER
from interlude.push.vapid import b64url_decode
from tests.push.factories import b64, subscription_json

SUBS = "/api/v1/push/subscriptions"


# --- VAPID public key ------------------------------------------------------------------


def test_vapid_public_key_is_an_uncompressed_p256_point_and_stable(client, auth, db, runtime):
    first = client.get("/api/v1/push/vapid-public-key", headers=auth)
    assert first.status_code == 200
    key = first.json()["public_key"]
    raw = b64url_decode(key)
    assert len(raw) == 65 and raw[0] == 0x04 and "=" not in key
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    assert client.get("/api/v1/push/vapid-public-key", headers=auth).json()["public_key"] == key

    [row] = db.scalars(select(VapidKey)).all()
    assert row.public_key == key
    assert "PRIVATE KEY" not in row.private_key_encrypted
    assert "PRIVATE KEY" in runtime.keyring.decrypt(row.private_key_encrypted)


def test_vapid_public_key_is_public_and_the_same_for_everyone(client, auth):
    anonymous = client.get("/api/v1/push/vapid-public-key")
    assert anonymous.status_code == 200
    signed_in = client.get("/api/v1/push/vapid-public-key", headers=auth)
    assert anonymous.json() == signed_in.json()


# --- create / upsert -------------------------------------------------------------------


def test_register_device_then_list_it(client, auth):
    body = subscription_json(label="  Work   phone ", expirationTime=1_900_000_000_000)
    created = client.post(SUBS, json=body, headers=auth)
    assert created.status_code == 201, created.text
    device = created.json()
    assert device["label"] == "Work phone"
    assert device["endpoint"] == body["endpoint"]
    assert device["expiration_time"].startswith("2030-03-17")
    assert device["created_at"] == "2026-11-23T14:00:00Z"
    assert device["last_outcome"] is None
    assert "keys" not in device and "p256dh" not in device and "auth" not in device

    listed = client.get(SUBS, headers=auth)
    assert listed.status_code == 200
    assert [d["id"] for d in listed.json()] == [device["id"]]


def test_same_endpoint_again_updates_the_device(client, auth, clock):
    body = subscription_json(label="Phone")
    first = client.post(SUBS, json=body, headers=auth).json()
    clock.advance(minutes=5)
    again = subscription_json(body["endpoint"], label="Pixel")
    second = client.post(SUBS, json=again, headers=auth)
    assert second.status_code == 200
    assert second.json()["id"] == first["id"]
    assert second.json()["label"] == "Pixel"
    assert second.json()["updated_at"] == "2026-11-23T14:05:00Z"
    assert len(client.get(SUBS, headers=auth).json()) == 1


def test_silent_capability_is_kept_and_follows_every_post_of_the_endpoint(client, auth, db):
    """The PWA says on every subscribe and reconcile whether this browser can show a
    notification silently; absent means no (the wrap-up cue is never risked)."""
    plain = client.post(SUBS, json=subscription_json(), headers=auth)
    assert plain.status_code == 201 and plain.json()["silent_capable"] is False

    body = subscription_json(silent_capable=True)
    created = client.post(SUBS, json=body, headers=auth)
    assert created.status_code == 201 and created.json()["silent_capable"] is True
    row = db.get(PushSubscription, uuid.UUID(created.json()["id"]))
    assert row is not None and row.silent_capable is True

    # Reconcile on a browser that turned out not to be capable: the same device, updated.
    again = client.post(SUBS, json={**body, "silent_capable": False}, headers=auth)
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    assert again.json()["silent_capable"] is False
    listed = {d["id"]: d["silent_capable"] for d in client.get(SUBS, headers=auth).json()}
    assert listed == {plain.json()["id"]: False, created.json()["id"]: False}


def test_keys_are_normalised_and_stored(client, auth, db):
    body = subscription_json()
    # Standard base64 with padding, as some older browsers and libraries send.
    raw_auth = b64url_decode(body["keys"]["auth"])
    import base64

    body["keys"]["auth"] = base64.b64encode(raw_auth).decode()
    created = client.post(SUBS, json=body, headers=auth)
    assert created.status_code == 201
    row = db.get(PushSubscription, uuid.UUID(created.json()["id"]))
    assert row.auth == b64(raw_auth)
    assert row.p256dh == body["keys"]["p256dh"]


def test_label_defaults_when_missing(client, auth):
    created = client.post(SUBS, json=subscription_json(label=None), headers=auth)
    assert created.status_code == 201
    assert created.json()["label"] == "My device"


def test_an_endpoint_registered_by_another_account_moves_to_the_new_one(client, auth, other_auth):
    body = subscription_json()
    assert client.post(SUBS, json=body, headers=other_auth).status_code == 201
    moved = client.post(SUBS, json=subscription_json(body["endpoint"]), headers=auth)
    assert moved.status_code == 201
    assert client.get(SUBS, headers=other_auth).json() == []
    assert [d["endpoint"] for d in client.get(SUBS, headers=auth).json()] == [body["endpoint"]]


def _bad_p256dh_not_on_curve() -> str:
    return b64(b"\x04" + b"\x01" * 64)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"endpoint": "ftp://push.example.com/x"}, "https"),
        ({"endpoint": "not a url at all"}, "https"),
        ({"endpoint": "https://user:pw@push.example.com/x"}, "credentials"),
        ({"endpoint": "https://push exa<mple>.com/x"}, "host"),
        ({"endpoint": "https://push.example.com:0/x"}, "port"),
        ({"endpoint": "https://push.example.com:99999/x"}, "valid URL"),
        ({"keys": {"p256dh": b64(b"\x04" + b"\x01" * 10), "auth": b64(b"a" * 16)}}, "p256dh"),
        ({"keys": {"p256dh": _bad_p256dh_not_on_curve(), "auth": b64(b"a" * 16)}}, "curve"),
        ({"keys": {"p256dh": "!!!not-base64!!!", "auth": b64(b"a" * 16)}}, "p256dh"),
        ({"keys": {"auth": b64(b"a" * 16)}}, "keys.p256dh"),
        ({"auth_only": True}, "keys"),
        ({"label": "   "}, "label"),
        ({"label": "x" * 81}, "label"),
        ({"expirationTime": 1_000}, "expired"),
        ({"expirationTime": -5}, "expirationTime"),
        ({"silent_capable": "maybe"}, "silent_capable"),
        ({"silent_capable": [True]}, "silent_capable"),
    ],
)
def test_bad_subscriptions_get_a_clear_422(client, auth, change, fragment):
    body = subscription_json()
    change = dict(change)
    if change.pop("auth_only", False):
        del body["keys"]
    body.update(change)
    response = client.post(SUBS, json=body, headers=auth)
    assert response.status_code == 422, response.text
    assert fragment in response.json()["error"]["message"]
    assert client.get(SUBS, headers=auth).json() == []


def test_auth_secret_of_wrong_size_is_rejected(client, auth):
    body = subscription_json()
    body["keys"]["auth"] = b64(b"short")
    response = client.post(SUBS, json=body, headers=auth)
    assert response.status_code == 422
    assert "16 bytes" in response.json()["error"]["message"]


def test_plain_http_and_private_hosts_need_allow_private_network(client, auth, runtime):
    runtime.settings.allow_private_network = False
    for endpoint, fragment in [
        ("http://push.example.com/abc", "https"),
        ("https://127.0.0.1:8443/abc", "private"),
        ("https://localhost/abc", "private"),
        ("https://[::1]/abc", "private"),
        ("https://10.1.2.3/abc", "private"),
        ("https://169.254.169.254/latest", "private"),
        ("https://2130706433/abc", "private"),
        ("https://0x7f.0.0.1/abc", "private"),
        ("https://127.1/abc", "private"),
        ("https://[::ffff:127.0.0.1]/abc", "private"),
    ]:
        response = client.post(SUBS, json=subscription_json(endpoint), headers=auth)
        assert response.status_code == 422, endpoint
        assert fragment in response.json()["error"]["message"]
    runtime.settings.allow_private_network = True
    allowed = client.post(SUBS, json=subscription_json("http://127.0.0.1:9/abc"), headers=auth)
    assert allowed.status_code == 201


def test_device_limit_per_user(client, auth):
    for _ in range(MAX_SUBSCRIPTIONS_PER_USER):
        assert client.post(SUBS, json=subscription_json(), headers=auth).status_code == 201
    response = client.post(SUBS, json=subscription_json(), headers=auth)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "too_many_devices"


def test_subscription_endpoints_need_sign_in(client):
    some_id = uuid.uuid4()
    assert client.post(SUBS, json=subscription_json()).status_code == 401
    assert client.get(SUBS).status_code == 401
    assert client.patch(f"{SUBS}/{some_id}", json={"label": "x"}).status_code == 401
    assert client.delete(f"{SUBS}/{some_id}").status_code == 401
    assert client.post("/api/v1/push/test").status_code == 401


# --- rename / delete -------------------------------------------------------------------


def test_rename_device(client, auth, clock):
    device = client.post(SUBS, json=subscription_json(), headers=auth).json()
    clock.advance(minutes=1)
    renamed = client.patch(f"{SUBS}/{device['id']}", json={"label": "Tablet"}, headers=auth)
    assert renamed.status_code == 200
    assert renamed.json()["label"] == "Tablet"
    assert renamed.json()["updated_at"] == "2026-11-23T14:01:00Z"
    assert client.get(SUBS, headers=auth).json()[0]["label"] == "Tablet"


@pytest.mark.parametrize("body", [{"label": ""}, {"label": " "}, {}, {"label": "ok", "x": 1}])
def test_rename_rejects_bad_labels(client, auth, body):
    device = client.post(SUBS, json=subscription_json(), headers=auth).json()
    response = client.patch(f"{SUBS}/{device['id']}", json=body, headers=auth)
    assert response.status_code == 422


def test_unknown_or_malformed_ids(client, auth):
    missing = client.patch(f"{SUBS}/{uuid.uuid4()}", json={"label": "x"}, headers=auth)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "device_not_found"
    assert client.delete(f"{SUBS}/{uuid.uuid4()}", headers=auth).status_code == 404
    assert client.delete(f"{SUBS}/not-a-uuid", headers=auth).status_code == 422


def test_delete_device(client, auth):
    device = client.post(SUBS, json=subscription_json(), headers=auth).json()
    response = client.delete(f"{SUBS}/{device['id']}", headers=auth)
    assert response.status_code == 204 and response.content == b""
    assert client.get(SUBS, headers=auth).json() == []
    assert client.delete(f"{SUBS}/{device['id']}", headers=auth).status_code == 404


def test_another_users_device_is_not_found(client, auth, other_auth):
    theirs = client.post(SUBS, json=subscription_json(), headers=other_auth).json()
    assert client.get(SUBS, headers=auth).json() == []
    rename = client.patch(f"{SUBS}/{theirs['id']}", json={"label": "mine"}, headers=auth)
    assert rename.status_code == 404
    assert client.delete(f"{SUBS}/{theirs['id']}", headers=auth).status_code == 404
    [still] = client.get(SUBS, headers=other_auth).json()
    assert still["label"] == theirs["label"]


# --- export and account deletion --------------------------------------------------------


def test_exporter_lists_devices_without_keys(client, auth, db, user, runtime):
    body = subscription_json(label="Laptop")
    client.post(SUBS, json=body, headers=auth)
    exported = exporters()["push"](session=db, user_id=user.id, keyring=runtime.keyring)
    assert [d["label"] for d in exported["devices"]] == ["Laptop"]
    assert exported["devices"][0]["push_service"] == "https://fcm.googleapis.com"
    assert exported["devices"][0]["silent_capable"] is False
    assert exported["delivery_alert_last_sent_at"] is None
    db.add(HealthAlert(user_id=user.id, last_sent_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC)))
    db.flush()
    exported = exporters()["push"](session=db, user_id=user.id, keyring=runtime.keyring)
    assert exported["delivery_alert_last_sent_at"] == "2026-12-01T09:00:00+00:00"
    text = repr(exported)
    assert body["keys"]["p256dh"] not in text and body["keys"]["auth"] not in text

    via_api = client.get("/api/v1/me/export", headers=auth)
    assert via_api.status_code == 200
    assert body["keys"]["auth"] not in via_api.text


def test_deleting_the_user_deletes_their_devices(client, auth, db, user):
    client.post(SUBS, json=subscription_json(), headers=auth)
    db.delete(db.get(User, user.id))
    db.commit()
    assert db.scalars(select(PushSubscription)).all() == []
