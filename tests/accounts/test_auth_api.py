"""Registration, sign-in (bearer and cookie), CSRF, logout and rate limiting, over HTTP."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from interlude.accounts.models import AuthSession, User
from tests.factories import DEFAULT_PASSWORD, login_headers, user_payload


def test_register_returns_201_without_secrets(client):
    payload = user_payload(email="New.Person@Example.org")
    response = client.post("/api/v1/auth/register", json=payload)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == "new.person@example.org"
    assert body["timezone"] == "America/New_York"
    assert "password" not in response.text and "password_hash" not in body


def test_password_is_stored_as_argon2id(client, db):
    payload = user_payload()
    client.post("/api/v1/auth/register", json=payload)
    stored = db.scalar(select(User).where(User.email == payload["email"]))
    assert stored is not None
    assert stored.password_hash.startswith("$argon2id$")
    assert payload["password"] not in stored.password_hash


def test_register_rejects_duplicate_email_case_insensitively(client, user):
    response = client.post("/api/v1/auth/register", json=user_payload(email=user.email.upper()))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "email_taken"


def test_register_validation_names_the_field(client):
    cases = {
        "timezone": user_payload(timezone="Mars/Olympus"),
        "password": user_payload(password="short"),
        "email": user_payload(email="not-an-email"),
        "display_name": user_payload(display_name="   "),
    }
    for field, payload in cases.items():
        response = client.post("/api/v1/auth/register", json=payload)
        assert response.status_code == 422, (field, response.text)
        error = response.json()["error"]
        assert error["code"] == "validation_error"
        assert any(d["field"] == field for d in error["details"]), error
        assert field in error["message"]


def test_register_rejects_unknown_fields_and_bad_json(client):
    response = client.post("/api/v1/auth/register", json={**user_payload(), "admin": True})
    assert response.status_code == 422
    response = client.post(
        "/api/v1/auth/register",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_login_returns_bearer_token_and_sets_cookies(client, user):
    response = client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["access_token"]
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("interlude_session="))
    csrf_cookie = next(c for c in cookies if c.startswith("interlude_csrf="))
    assert "HttpOnly" in session_cookie and "samesite=lax" in session_cookie.lower()
    assert "HttpOnly" not in csrf_cookie
    assert "Secure" not in session_cookie  # base_url is http in tests


def test_cookie_is_secure_when_base_url_is_https(client, user, runtime):
    runtime.settings.base_url = "https://interlude.example"
    response = client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": DEFAULT_PASSWORD}
    )
    session_cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("interlude_session=")
    )
    assert "Secure" in session_cookie


def test_tokens_are_stored_only_as_hashes(client, user, db):
    token = login_headers(client, user.email)["Authorization"].split()[1]
    rows = db.scalars(select(AuthSession)).all()
    assert rows and all(token not in (r.token_hash, r.csrf_hash) for r in rows)


def test_wrong_password_and_unknown_email_look_the_same(client, user):
    wrong = client.post("/api/v1/auth/login", json={"email": user.email, "password": "nope" * 3})
    unknown = client.post(
        "/api/v1/auth/login", json={"email": "ghost@example.org", "password": "nope" * 3}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_me_requires_authentication(client):
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic x"}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"


def test_cookie_session_reads_and_needs_csrf_for_writes(client, user):
    login = client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": DEFAULT_PASSWORD}
    )
    csrf = login.json()["csrf_token"]
    assert client.get("/api/v1/me").status_code == 200  # cookie alone is enough to read
    denied = client.patch("/api/v1/me", json={"display_name": "Changed"})
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "csrf_failed"
    wrong = client.patch(
        "/api/v1/me", json={"display_name": "Changed"}, headers={"X-CSRF-Token": "forged"}
    )
    assert wrong.status_code == 403
    allowed = client.patch(
        "/api/v1/me", json={"display_name": "Changed"}, headers={"X-CSRF-Token": csrf}
    )
    assert allowed.status_code == 200
    assert allowed.json()["display_name"] == "Changed"


def test_bearer_requests_need_no_csrf(client, auth):
    response = client.patch("/api/v1/me", json={"display_name": "Via bearer"}, headers=auth)
    assert response.status_code == 200


def test_logout_revokes_token_and_cookie(client, user):
    login = client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": DEFAULT_PASSWORD}
    )
    token = login.json()["access_token"]
    csrf = login.json()["csrf_token"]
    response = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 204
    client.cookies.set("interlude_session", token)
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_session_expires(client, user, clock, runtime):
    headers = login_headers(client, user.email)
    clock.advance(timedelta(days=runtime.settings.session_days, seconds=1))
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_login_rate_limited_per_account_with_retry_after(client, user, runtime, clock):
    limit = runtime.settings.login_max_failures_per_account
    for _ in range(limit):
        bad = {"email": user.email, "password": "wrong password!"}
        assert client.post("/api/v1/auth/login", json=bad).status_code == 401
    blocked = client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "Too many failed sign-ins" in blocked.json()["error"]["message"]
    clock.advance(minutes=runtime.settings.login_failure_window_minutes + 1)
    ok = client.post("/api/v1/auth/login", json={"email": user.email, "password": DEFAULT_PASSWORD})
    assert ok.status_code == 200


def test_login_rate_limited_per_client_address(client, runtime):
    limit = runtime.settings.login_max_failures_per_address
    for n in range(limit):
        client.post(
            "/api/v1/auth/login", json={"email": f"nobody{n}@example.org", "password": "x" * 12}
        )
    blocked = client.post(
        "/api/v1/auth/login", json={"email": "someone@example.org", "password": "x" * 12}
    )
    assert blocked.status_code == 429
