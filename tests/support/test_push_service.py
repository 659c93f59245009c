"""The local push service checked against the field's reference sender, pywebpush.

Every push test trusts this service to accept a correct push and refuse a wrong one. Here a
push built by pywebpush (which the app's sender is not) must arrive decrypted, and each
kind of wrong push must be refused with the status a real push service gives it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from py_vapid import Vapid02
from pywebpush import WebPusher, WebPushException, webpush

from interlude.core.clock import FrozenClock
from tests.support.push_service import LocalPushService, LocalSubscription

SUBJECT = "mailto:ops@interlude.test"


@pytest.fixture
def service_clock() -> FrozenClock:
    return FrozenClock(datetime.now(UTC))


@pytest.fixture
def service(service_clock: FrozenClock) -> Iterator[LocalPushService]:
    with LocalPushService(clock=service_clock, hang_seconds=5) as running:
        yield running


@pytest.fixture
def vapid() -> Vapid02:
    key = Vapid02()
    key.generate_keys()
    return key


def _public_key(key: Vapid02) -> str:
    """The ``k=`` value of the key's own VAPID header."""
    header = key.sign({"sub": SUBJECT, "aud": "https://any.example", "exp": 2_000_000_000})
    return _header_params(header["Authorization"])["k"]


def _header_params(authorization: str) -> dict[str, str]:
    _, _, params = authorization.partition(" ")
    return dict(p.strip().split("=", 1) for p in params.split(","))


def _reference_send(
    sub: LocalSubscription, key: Vapid02, data: str, claims: dict[str, Any] | None = None
) -> int:
    """pywebpush's one-call send; the status the push service answered."""
    try:
        response = webpush(
            sub.info,
            data=data,
            vapid_private_key=key,
            vapid_claims=dict(claims or {"sub": SUBJECT}),
            ttl=60,
            timeout=5,
        )
    except WebPushException as refused:
        assert refused.response is not None
        return int(refused.response.status_code)
    assert not isinstance(response, str)  # a str only when asked for a curl command
    return int(response.status_code)


def _raw_post(
    service: LocalPushService,
    sub: LocalSubscription,
    key: Vapid02,
    body: bytes,
    **header_changes: str,
) -> int:
    """A hand-made POST with a valid VAPID header, so one part at a time can be made wrong."""
    headers = {
        "TTL": "60",
        "Content-Encoding": "aes128gcm",
        **key.sign({"sub": SUBJECT, "aud": service.origin}),
        **header_changes,
    }
    return httpx.post(sub.endpoint, content=body, headers=headers, timeout=5).status_code


def _encrypted(sub: LocalSubscription, data: bytes) -> bytes:
    body: bytes = WebPusher(sub.info).encode(data, content_encoding="aes128gcm")["body"]
    return body


def test_accepts_and_decrypts_what_pywebpush_sends(
    service: LocalPushService, vapid: Vapid02
) -> None:
    sub = service.subscribe(application_server_key=_public_key(vapid))
    message = json.dumps({"title": "Breathe", "kind": "micro_break"})

    assert _reference_send(sub, vapid, message) == 201

    [push] = service.received(sub)
    assert push.payload == json.loads(message)
    assert push.claims["aud"] == service.origin
    assert push.claims["sub"] == SUBJECT
    assert push.vapid_key == _public_key(vapid)
    assert push.ttl == 60


def test_refuses_a_token_not_signed_by_the_key_it_names(
    service: LocalPushService, vapid: Vapid02
) -> None:
    impostor = Vapid02()
    impostor.generate_keys()
    sub = service.subscribe()
    signed_by_impostor = impostor.sign({"sub": SUBJECT, "aud": service.origin})["Authorization"]
    token = _header_params(signed_by_impostor)["t"]

    status = _raw_post(
        service,
        sub,
        vapid,
        _encrypted(sub, b"{}"),
        Authorization=f"vapid t={token},k={_public_key(vapid)}",
    )

    assert status == 401
    assert service.attempts(sub)[-1].reason == "vapid token rejected: InvalidSignatureError"
    assert service.received(sub) == []


def test_refuses_a_token_for_another_origin(service: LocalPushService, vapid: Vapid02) -> None:
    sub = service.subscribe()

    status = _reference_send(sub, vapid, "{}", {"sub": SUBJECT, "aud": "https://other.example"})

    assert status == 401
    assert service.attempts(sub)[-1].reason == "vapid token rejected: InvalidAudienceError"


@pytest.mark.parametrize(
    ("service_time_shift", "reason"),
    [
        # pywebpush signs for 12 h from the real time; the service's clock decides.
        (timedelta(hours=13), "vapid token expired"),
        (timedelta(hours=-13), "vapid exp more than 24 h ahead"),
    ],
)
def test_refuses_a_token_outside_its_validity(
    service: LocalPushService,
    service_clock: FrozenClock,
    vapid: Vapid02,
    service_time_shift: timedelta,
    reason: str,
) -> None:
    sub = service.subscribe()
    service_clock.advance(service_time_shift)

    assert _reference_send(sub, vapid, "{}") == 401
    assert service.attempts(sub)[-1].reason == reason


def test_refuses_a_subject_that_is_not_a_contact(service: LocalPushService, vapid: Vapid02) -> None:
    sub = service.subscribe()
    claims = {"sub": "ops", "aud": service.origin, "exp": 2_000_000_000}
    # py_vapid refuses to sign such claims, so the token is made with PyJWT from the same key.
    token = jwt.encode(claims, vapid.private_key, algorithm="ES256")
    auth = f"vapid t={token},k={_public_key(vapid)}"

    assert _raw_post(service, sub, vapid, _encrypted(sub, b"{}"), Authorization=auth) == 401
    assert service.attempts(sub)[-1].reason == "vapid sub must be a mailto: or https: URL"


def test_refuses_a_push_from_another_application_server(
    service: LocalPushService, vapid: Vapid02
) -> None:
    other_app = Vapid02()
    other_app.generate_keys()
    sub = service.subscribe(application_server_key=_public_key(other_app))

    assert _reference_send(sub, vapid, "{}") == 403


@pytest.mark.parametrize(
    ("header_changes", "status", "reason"),
    [
        ({"TTL": "soon"}, 400, "TTL header missing or not a number"),
        ({"Content-Encoding": "aesgcm"}, 400, "Content-Encoding must be aes128gcm"),
        ({"Urgency": "urgent"}, 400, "bad Urgency"),
        ({"Topic": "a" * 33}, 400, "Topic must be at most 32 base64url characters"),
    ],
)
def test_refuses_bad_headers(
    service: LocalPushService,
    vapid: Vapid02,
    header_changes: dict[str, str],
    status: int,
    reason: str,
) -> None:
    sub = service.subscribe()

    assert _raw_post(service, sub, vapid, _encrypted(sub, b"{}"), **header_changes) == status
    assert service.attempts(sub)[-1].reason == reason


def test_refuses_a_body_that_does_not_decrypt(service: LocalPushService, vapid: Vapid02) -> None:
    sub = service.subscribe()
    body = bytearray(_encrypted(sub, b'{"title": "Breathe"}'))
    body[-1] ^= 0x01  # the GCM tag no longer matches

    assert _raw_post(service, sub, vapid, bytes(body)) == 400
    assert service.attempts(sub)[-1].reason == "cannot decrypt: ECEException"


def test_refuses_a_body_over_4096_bytes(service: LocalPushService, vapid: Vapid02) -> None:
    sub = service.subscribe()

    assert _reference_send(sub, vapid, "x" * 4_100) == 413
    assert service.received(sub) == []
