"""Small factories for test data. Users are created through the real service."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from interlude.accounts import service as accounts
from interlude.accounts.models import User
from interlude.accounts.schemas import UserCreate
from interlude.core.security import Passwords

DEFAULT_PASSWORD = "correct horse battery staple"
# Argon2id at a test cost (the conftest settings use the same): hashing is not under test here.
ARGON2_TEST_COST = {"time_cost": 1, "memory_kib": 1024}
TEST_PASSWORDS = Passwords(**ARGON2_TEST_COST)
_seq = itertools.count(1)


def user_payload(**overrides: Any) -> dict[str, Any]:
    n = next(_seq)
    payload: dict[str, Any] = {
        "email": f"therapist{n}@example.org",
        "password": DEFAULT_PASSWORD,
        "display_name": f"Dr. Test {n}",
        "timezone": "America/New_York",
    }
    payload.update(overrides)
    return payload


def make_user(db: Session, *, now: datetime, **overrides: Any) -> User:
    """A registered user (with the default care plan), committed."""
    user = accounts.register_user(
        session=db, passwords=TEST_PASSWORDS, data=UserCreate(**user_payload(**overrides)), now=now
    )
    db.commit()
    return user


def login_headers(
    client: TestClient, email: str, password: str = DEFAULT_PASSWORD
) -> dict[str, str]:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    # Bearer only: drop the cookie so tests exercise exactly one authentication path.
    client.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
