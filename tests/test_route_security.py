"""Generated from the live route table, so a new endpoint cannot be forgotten:
every API operation refuses anonymous callers, except the few that are public on purpose."""

from __future__ import annotations

import re
import uuid

# Operations that must answer without a login, and why.
PUBLIC_OPERATIONS = {
    ("post", "/api/v1/auth/register"),  # creating an account
    ("post", "/api/v1/auth/login"),  # signing in
    ("get", "/api/v1/push/vapid-public-key"),  # the browser needs it before subscribing
    ("get", "/api/v1/calendars/breaks.ics"),  # authenticated by its own revocable token
    ("get", "/api/v1/autoresponder/crisis-lines"),  # public reference data
    ("get", "/api/v1/features"),  # the sign-in screen: whether a forgotten password can be reset
    ("post", "/api/v1/auth/password-reset"),  # a forgotten password: the link by email
    ("post", "/api/v1/auth/password-reset/confirm"),  # authenticated by the emailed link
}
SAMPLE_PATH_VALUES = {"format": "email"}


def _concrete(path: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return SAMPLE_PATH_VALUES.get(name, str(uuid.uuid4()))

    return re.sub(r"{([^}]+)}", value, path)


def _operations(client):
    spec = client.get("/openapi.json").json()
    for path, item in spec["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method in item:
            yield method, path


def test_every_private_operation_needs_a_login(client):
    checked = 0
    for method, path in _operations(client):
        if (method, path) in PUBLIC_OPERATIONS:
            continue
        response = client.request(method.upper(), _concrete(path), json={})
        assert response.status_code == 401, (method, path, response.status_code, response.text)
        assert response.json()["error"]["code"] == "unauthorized"
        checked += 1
    assert checked >= 20


def test_public_operations_exist(client):
    operations = set(_operations(client))
    # An allow-listed endpoint that is gone must leave the allow-list too.
    assert operations >= PUBLIC_OPERATIONS, PUBLIC_OPERATIONS - operations
