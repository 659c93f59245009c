"""Authentication hardening beyond tests/accounts (which covers cookie flags, CSRF on
PATCH /me, logout, password-change revocation, rate limits and the login error shape):

- CSRF on every unsafe operation, generated from the route table;
- the CSRF token is bound to its own session;
- deleting the account ends its sessions;
- the rate limit cannot be dodged by re-spelling the email;
- password policy on change, and a length cap before any hashing;
- unknown and known emails take the same Argon2 path (one verify each, same cost);
- registration does not become an unlimited account-existence oracle.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interlude.core.runtime import Runtime
from tests.factories import DEFAULT_PASSWORD, login_headers, user_payload

UNSAFE = {"post", "put", "patch", "delete"}
# Public operations: no session to forge a request with (see tests/test_route_security.py).
# No session is involved (the reset confirm is authorised by the emailed link's token).
PUBLIC = {
    ("post", "/api/v1/auth/register"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/password-reset"),
    ("post", "/api/v1/auth/password-reset/confirm"),
}
SAMPLE_PATH_VALUES = {"format": "email", "slot": "sms", "code": "low_energy"}


def _concrete(path: str) -> str:
    return re.sub(
        r"{([^}]+)}", lambda m: SAMPLE_PATH_VALUES.get(m.group(1), str(uuid.uuid4())), path
    )


def _unsafe_operations(client: TestClient) -> list[tuple[str, str]]:
    spec = client.get("/openapi.json").json()
    return [
        (method, path)
        for path, item in spec["paths"].items()
        if path.startswith("/api/")
        for method in item
        if method in UNSAFE and (method, path) not in PUBLIC
    ]


def _cookie_login(client: TestClient, email: str) -> dict[str, Any]:
    response = client.post(
        "/api/v1/auth/login", json={"email": email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_every_unsafe_operation_needs_the_csrf_token_with_a_cookie(
    client: TestClient, user: Any
) -> None:
    login = _cookie_login(client, user.email)
    operations = _unsafe_operations(client)
    assert len(operations) >= 30
    for method, path in operations:
        for headers in ({}, {"X-CSRF-Token": "forged"}, {"X-CSRF-Token": ""}):
            response = client.request(method.upper(), _concrete(path), json={}, headers=headers)
            assert response.status_code == 403, (method, path, headers, response.text)
            assert response.json()["error"]["code"] == "csrf_failed", (method, path)
    # The session survived all of that and still works with the right token.
    ok = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": login["csrf_token"]})
    assert ok.status_code == 204


def test_csrf_token_is_bound_to_its_own_session(
    client: TestClient, user: Any, other_user: Any
) -> None:
    theirs = _cookie_login(client, other_user.email)["csrf_token"]
    client.cookies.clear()
    _cookie_login(client, user.email)
    response = client.patch(
        "/api/v1/me", json={"display_name": "Forged"}, headers={"X-CSRF-Token": theirs}
    )
    assert response.status_code == 403
    assert client.get("/api/v1/me").json()["display_name"] != "Forged"


def test_account_deletion_ends_every_session(client: TestClient, user: Any) -> None:
    first = login_headers(client, user.email)
    second = login_headers(client, user.email)
    response = client.request(
        "DELETE", "/api/v1/me", json={"password": DEFAULT_PASSWORD}, headers=first
    )
    assert response.status_code == 204
    for headers in (first, second):
        assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_password_change_ends_cookie_sessions_elsewhere(client: TestClient, user: Any) -> None:
    _cookie_login(client, user.email)
    cookie_jar = dict(client.cookies)
    client.cookies.clear()
    bearer = login_headers(client, user.email)
    new_password = "a brand new passphrase 42"
    changed = client.patch(
        "/api/v1/me",
        json={"new_password": new_password, "current_password": DEFAULT_PASSWORD},
        headers=bearer,
    )
    assert changed.status_code == 200, changed.text
    client.cookies.update(cookie_jar)
    assert client.get("/api/v1/me").status_code == 401
    client.cookies.clear()
    old = client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert old.status_code == 401
    new = client.post("/api/v1/auth/login", json={"email": user.email, "password": new_password})
    assert new.status_code == 200


def test_rate_limit_counts_every_spelling_of_the_email(
    client: TestClient, user: Any, runtime: Runtime
) -> None:
    limit = runtime.settings.login_max_failures_per_account
    local, domain = user.email.split("@")
    spellings = [user.email.upper(), f"  {user.email}  ", f"{local}@{domain.upper()}"]
    for n in range(limit):
        bad = {"email": spellings[n % len(spellings)], "password": "wrong password!"}
        assert client.post("/api/v1/auth/login", json=bad).status_code == 401
    right = {"email": user.email, "password": DEFAULT_PASSWORD}
    assert client.post("/api/v1/auth/login", json=right).status_code == 429


def test_an_email_change_ends_every_other_session(client: TestClient, user: Any) -> None:
    here = login_headers(client, user.email)
    elsewhere = login_headers(client, user.email)
    client.post("/api/v1/auth/login", json={"email": user.email, "password": DEFAULT_PASSWORD})
    cookie_session = dict(client.cookies)
    client.cookies.clear()
    response = client.patch(
        "/api/v1/me",
        json={"email": "moved@example.org", "current_password": DEFAULT_PASSWORD},
        headers=here,
    )
    assert response.status_code == 200, response.text
    assert client.get("/api/v1/me", headers=here).json()["email"] == "moved@example.org"
    assert client.get("/api/v1/me", headers=elsewhere).status_code == 401
    client.cookies.update(cookie_session)
    assert client.get("/api/v1/me").status_code == 401
    client.cookies.clear()
    # The same address again (no change) ends nothing.
    same = client.patch(
        "/api/v1/me",
        json={"email": "Moved@Example.org", "current_password": DEFAULT_PASSWORD},
        headers=here,
    )
    assert same.status_code == 200
    assert client.get("/api/v1/me", headers=here).status_code == 200


def test_the_lockout_promises_nothing_that_does_not_exist(
    client: TestClient, user: Any, runtime: Runtime
) -> None:
    """There is no password reset (Interlude sends no email): the 429 says when to try again
    and nothing else."""
    bad = {"email": user.email, "password": "wrong password!"}
    for _ in range(runtime.settings.login_max_failures_per_account):
        client.post("/api/v1/auth/login", json=bad)
    response = client.post("/api/v1/auth/login", json=bad)
    assert response.status_code == 429
    message = response.json()["error"]["message"]
    assert re.fullmatch(r"Too many failed sign-ins\. Wait \d+ minutes and try again\.", message)
    assert "reset" not in message.lower()


@pytest.mark.parametrize(
    "new_password",
    ["short", "aaaaaaaaaaaaaaaa", "abababababababab", "x" * 257],
)
def test_password_policy_applies_to_changes(
    client: TestClient, auth: dict[str, str], new_password: str
) -> None:
    response = client.patch(
        "/api/v1/me",
        json={"new_password": new_password, "current_password": DEFAULT_PASSWORD},
        headers=auth,
    )
    assert response.status_code == 422, response.text
    assert any(d["field"] == "new_password" for d in response.json()["error"]["details"])


class _RecordingHasher:
    """Wraps argon2's PasswordHasher; records the parameters of every hash it verifies."""

    def __init__(self, inner: Any, seen: list[str]) -> None:
        self._inner = inner
        self._seen = seen

    def verify(self, hash_: str, password: str) -> bool:
        self._seen.append(hash_.rsplit("$", 2)[0])  # algorithm, version, cost; not the salt
        return bool(self._inner.verify(hash_, password))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _record_argon2(runtime: Runtime, monkeypatch: pytest.MonkeyPatch, seen: list[str]) -> None:
    passwords = runtime.passwords
    monkeypatch.setattr(passwords, "_hasher", _RecordingHasher(passwords._hasher, seen))


def test_huge_passwords_are_refused_before_hashing(
    client: TestClient, user: Any, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    _record_argon2(runtime, monkeypatch, calls)
    huge = "p" * 1_000_000
    login = client.post("/api/v1/auth/login", json={"email": user.email, "password": huge})
    assert login.status_code == 422
    register = client.post("/api/v1/auth/register", json=user_payload(password=huge))
    assert register.status_code == 422
    assert calls == []


def test_unknown_and_known_emails_take_the_same_argon2_path(
    client: TestClient, user: Any, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Timing: an unknown email is verified against a dummy hash of the same cost, so both
    misses do exactly one Argon2 verify with the same parameters."""
    seen: list[str] = []
    _record_argon2(runtime, monkeypatch, seen)
    for email in (user.email, "nobody-here@example.org"):
        response = client.post("/api/v1/auth/login", json={"email": email, "password": "x" * 12})
        assert response.status_code == 401
    assert len(seen) == 2 and seen[0] == seen[1], seen


def test_registration_probing_is_rate_limited(
    client: TestClient, user: Any, runtime: Runtime
) -> None:
    limit = runtime.settings.login_max_failures_per_address
    statuses = [
        client.post("/api/v1/auth/register", json=user_payload(email=user.email)).status_code
        for _ in range(limit + 1)
    ]
    assert statuses[-1] == 429, statuses
