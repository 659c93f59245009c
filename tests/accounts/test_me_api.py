"""Profile changes, password change, export and deletion."""

from __future__ import annotations

from sqlalchemy import func, select

from interlude.accounts.models import AuthSession, User
from interlude.care_plan.models import MicroBreakRule, ResponseWindow
from tests.factories import DEFAULT_PASSWORD, login_headers

NEW_PASSWORD = "a much better passphrase"


def test_read_me(client, user, auth):
    body = client.get("/api/v1/me", headers=auth).json()
    assert body == {
        "id": str(user.id),
        "email": user.email,
        "display_name": user.display_name,
        "timezone": "America/New_York",
        "created_at": "2026-11-23T14:00:00Z",
    }


def test_update_timezone_validates_iana_names(client, auth):
    bad = client.patch("/api/v1/me", json={"timezone": "EST5EDT-ish"}, headers=auth)
    assert bad.status_code == 422 and "timezone" in bad.json()["error"]["message"]
    good = client.patch("/api/v1/me", json={"timezone": "Australia/Sydney"}, headers=auth)
    assert good.status_code == 200 and good.json()["timezone"] == "Australia/Sydney"


def test_password_change_needs_current_password(client, user, auth):
    response = client.patch("/api/v1/me", json={"new_password": NEW_PASSWORD}, headers=auth)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "current_password_required"
    response = client.patch(
        "/api/v1/me",
        json={"new_password": NEW_PASSWORD, "current_password": "wrong one!"},
        headers=auth,
    )
    assert response.status_code == 401


def test_password_change_revokes_other_sessions_only(client, user, auth):
    other_device = login_headers(client, user.email)
    response = client.patch(
        "/api/v1/me",
        json={"new_password": NEW_PASSWORD, "current_password": DEFAULT_PASSWORD},
        headers=auth,
    )
    assert response.status_code == 200
    assert client.get("/api/v1/me", headers=auth).status_code == 200
    assert client.get("/api/v1/me", headers=other_device).status_code == 401
    assert login_headers(client, user.email, NEW_PASSWORD)


def test_email_change_rejects_an_address_in_use(client, auth, other_user):
    response = client.patch(
        "/api/v1/me",
        json={"email": other_user.email, "current_password": DEFAULT_PASSWORD},
        headers=auth,
    )
    assert response.status_code == 409


def test_export_contains_account_and_care_plan(client, user, auth):
    response = client.get("/api/v1/me/export", headers=auth)
    assert response.status_code == 200
    data = response.json()
    assert data["account"]["email"] == user.email
    assert data["care_plan"]["settings"]["daily_cap"] == 12
    assert len(data["care_plan"]["response_windows"]) == 10
    assert "password_hash" not in response.text


def test_delete_needs_password_and_removes_everything(client, user, auth, other_user, db):
    user_id, other_id = user.id, other_user.id
    wrong = client.request("DELETE", "/api/v1/me", json={"password": "not mine!!"}, headers=auth)
    assert wrong.status_code == 401
    assert db.get(User, user_id) is not None
    response = client.request(
        "DELETE", "/api/v1/me", json={"password": DEFAULT_PASSWORD}, headers=auth
    )
    assert response.status_code == 204
    db.expunge_all()
    assert db.get(User, user_id) is None
    for model in (AuthSession, MicroBreakRule, ResponseWindow):
        owned = db.scalar(select(func.count()).select_from(model).where(model.user_id == user_id))
        assert owned == 0, model
    # The other account is untouched.
    assert (
        db.scalar(
            select(func.count())
            .select_from(ResponseWindow)
            .where(ResponseWindow.user_id == other_id)
        )
        == 10
    )
    assert client.get("/api/v1/me", headers=auth).status_code == 401
