"""Sign-up is open, so accounts per client address are bounded (default 10 an hour, the
setting ``signup_max_per_address_per_hour``): then 429 with Retry-After and the wait."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from interlude.accounts.models import User
from interlude.app import create_app
from interlude.core.runtime import Runtime
from tests.factories import user_payload

REGISTER = "/api/v1/auth/register"


def _accounts(runtime: Runtime) -> int:
    with runtime.session() as session:
        return int(session.scalar(select(func.count()).select_from(User)) or 0)


def test_the_eleventh_account_from_one_address_within_an_hour_waits(client, runtime, clock):
    assert runtime.settings.signup_max_per_address_per_hour == 10
    for _ in range(10):
        assert client.post(REGISTER, json=user_payload()).status_code == 201
        clock.advance(minutes=3)
    refused = client.post(REGISTER, json=user_payload())
    assert refused.status_code == 429, refused.text
    error = refused.json()["error"]
    assert error["code"] == "rate_limited"
    # The first account is 30 minutes old: the hour ends in 30 minutes (and a second).
    assert refused.headers["Retry-After"] == "1801"
    assert error["details"] == {"retry_after_seconds": 1801}
    assert error["message"] == (
        "Too many accounts were created from your network in the last hour. "
        "Try again in 31 minutes, or sign in if you already have an account."
    )
    assert _accounts(runtime) == 10

    clock.advance(seconds=1801)
    assert client.post(REGISTER, json=user_payload()).status_code == 201
    assert _accounts(runtime) == 11


def test_signing_in_is_not_limited_by_sign_ups(client, runtime):
    payloads = [user_payload() for _ in range(10)]
    for payload in payloads:
        assert client.post(REGISTER, json=payload).status_code == 201
    assert client.post(REGISTER, json=user_payload()).status_code == 429
    for payload in payloads:
        login = {"email": payload["email"], "password": payload["password"]}
        assert client.post("/api/v1/auth/login", json=login).status_code == 200


def test_a_refused_sign_up_for_a_taken_email_does_not_count(client, runtime):
    taken = user_payload()
    assert client.post(REGISTER, json=taken).status_code == 201
    for _ in range(3):
        assert client.post(REGISTER, json=taken).status_code == 409
    for _ in range(9):
        assert client.post(REGISTER, json=user_payload()).status_code == 201
    assert client.post(REGISTER, json=user_payload()).status_code == 429


def test_the_limit_is_a_setting(settings, clock):
    runtime = Runtime.from_settings(
        settings.model_copy(update={"signup_max_per_address_per_hour": 2}), clock
    )
    try:
        with TestClient(create_app(runtime)) as client:
            statuses = [client.post(REGISTER, json=user_payload()).status_code for _ in range(3)]
    finally:
        runtime.dispose()
    assert statuses == [201, 201, 429]
