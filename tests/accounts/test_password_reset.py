"""Password reset over HTTP, with the mail sent to a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from interlude.accounts.password_reset import RESET_REQUESTS_PER_EMAIL
from interlude.cli import main
from interlude.core.settings import Settings, get_settings
from tests.conftest import with_smtp
from tests.factories import DEFAULT_PASSWORD, login_headers
from tests.support.smtp import LocalSmtp

NEW_PASSWORD = "a brand new passphrase 42"
REQUEST = "/api/v1/auth/password-reset"
CONFIRM = "/api/v1/auth/password-reset/confirm"


@pytest.fixture
def settings(settings: Settings, smtp_server: LocalSmtp) -> Settings:
    return with_smtp(settings, smtp_server)


def _token_from_mail(smtp_server: LocalSmtp, count: int = 1) -> str:
    received = smtp_server.wait_for(count)[count - 1]
    [link] = [link for link in received.links() if "/reset-password" in link]
    parts = urlsplit(link)
    assert parts.scheme == "http" and parts.netloc == "testserver"
    assert parts.path == "/reset-password" and not parts.query  # the token stays out of logs
    assert parts.fragment.startswith("token=")
    return parts.fragment.removeprefix("token=")


def test_features_say_email_is_on(client: TestClient) -> None:
    assert client.get("/api/v1/features").json() == {"email_enabled": True}


def test_the_whole_reset(client: TestClient, user, smtp_server: LocalSmtp) -> None:
    old_session = login_headers(client, user.email)
    response = client.post(REQUEST, json={"email": user.email.upper()})
    assert response.status_code == 202
    received = smtp_server.wait_for(1)[0]
    assert received.rcpt_tos == [user.email]
    assert received.message["Subject"] == "Reset your Interlude password"
    assert received.message["From"] == "Interlude <interlude@test.invalid>"
    token = _token_from_mail(smtp_server)

    assert (
        client.post(CONFIRM, json={"token": token, "new_password": NEW_PASSWORD}).status_code == 204
    )
    # Every session ended; the old password no longer works, the new one does.
    assert client.get("/api/v1/me", headers=old_session).status_code == 401
    old = client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert old.status_code == 401
    login_headers(client, user.email, NEW_PASSWORD)
    # Single use: the new password hash no longer matches the link's fingerprint.
    again = client.post(CONFIRM, json={"token": token, "new_password": "yet another passphrase"})
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "reset_link_invalid"


def test_unknown_address_gets_the_same_answer_and_no_mail(
    client: TestClient, user, smtp_server: LocalSmtp
) -> None:
    unknown = client.post(REQUEST, json={"email": "nobody@example.org"})
    known = client.post(REQUEST, json={"email": user.email})
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()
    assert unknown.headers.keys() == known.headers.keys()
    # The known one's mail arrived; nothing went to the unknown address.
    smtp_server.wait_for(1)
    assert [m.rcpt_tos for m in smtp_server.messages] == [[user.email]]


def test_the_link_expires_after_30_minutes(client: TestClient, user, smtp_server, clock) -> None:
    client.post(REQUEST, json={"email": user.email})
    token = _token_from_mail(smtp_server)
    clock.advance(minutes=31)
    response = client.post(CONFIRM, json={"token": token, "new_password": NEW_PASSWORD})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "reset_link_invalid"
    login_headers(client, user.email)  # the password did not change


def test_a_password_change_ends_earlier_links(client: TestClient, user, smtp_server) -> None:
    client.post(REQUEST, json={"email": user.email})
    token = _token_from_mail(smtp_server)
    headers = login_headers(client, user.email)
    changed = client.patch(
        "/api/v1/me",
        headers=headers,
        json={"current_password": DEFAULT_PASSWORD, "new_password": "changed it myself 7"},
    )
    assert changed.status_code == 200
    response = client.post(CONFIRM, json={"token": token, "new_password": NEW_PASSWORD})
    assert response.status_code == 400


@pytest.mark.parametrize("token", ["x", "gAAAAA" + "A" * 100, "ü" * 40])
def test_forged_tokens_are_refused(client: TestClient, token: str) -> None:
    response = client.post(CONFIRM, json={"token": token, "new_password": NEW_PASSWORD})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "reset_link_invalid"


def test_the_new_password_follows_the_sign_up_rules(client: TestClient, user, smtp_server) -> None:
    client.post(REQUEST, json={"email": user.email})
    token = _token_from_mail(smtp_server)
    response = client.post(CONFIRM, json={"token": token, "new_password": "short"})
    assert response.status_code == 422
    assert any(d["field"] == "new_password" for d in response.json()["error"]["details"])


def test_requests_are_limited_per_address_whether_or_not_it_exists(
    client: TestClient, user, smtp_server, clock
) -> None:
    for email in (user.email, "nobody@example.org"):
        for _ in range(RESET_REQUESTS_PER_EMAIL):
            assert client.post(REQUEST, json={"email": email}).status_code == 202
        limited = client.post(REQUEST, json={"email": email})
        assert limited.status_code == 429
        assert "Retry-After" in limited.headers
    assert len(smtp_server.wait_for(RESET_REQUESTS_PER_EMAIL)) == RESET_REQUESTS_PER_EMAIL
    clock.advance(minutes=16)
    assert client.post(REQUEST, json={"email": user.email}).status_code == 202


def test_a_reset_lifts_the_sign_in_lockout(client: TestClient, user, smtp_server) -> None:
    for _ in range(5):
        client.post("/api/v1/auth/login", json={"email": user.email, "password": "wrong guess 1"})
    locked = client.post("/api/v1/auth/login", json={"email": user.email, "password": "x"})
    assert locked.status_code == 429
    assert "Reset it from the sign-in screen" in locked.json()["error"]["message"]
    client.post(REQUEST, json={"email": user.email})
    token = _token_from_mail(smtp_server)
    assert (
        client.post(CONFIRM, json={"token": token, "new_password": NEW_PASSWORD}).status_code == 204
    )
    login_headers(client, user.email, NEW_PASSWORD)


def test_an_unreachable_smtp_server_still_answers_202_and_logs_no_address(
    app, runtime, user, caplog
) -> None:
    runtime.settings = runtime.settings.model_copy(update={"smtp_port": 9})  # nothing listens
    caplog.set_level(logging.INFO)
    with TestClient(app, base_url="http://testserver") as client:
        response = client.post(REQUEST, json={"email": user.email})
    assert response.status_code == 202
    assert "mail not sent" in caplog.text
    assert user.email not in caplog.text


class TestWithoutSmtp:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"smtp_host": ""})

    def test_features_say_email_is_off(self, client: TestClient) -> None:
        assert client.get("/api/v1/features").json() == {"email_enabled": False}

    def test_no_link_is_sent(self, client: TestClient, user, smtp_server) -> None:
        response = client.post(REQUEST, json={"email": user.email})
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "email_not_configured"
        assert "Ask whoever runs the server" in response.json()["error"]["message"]
        assert smtp_server.messages == []

    def test_the_operator_prints_a_link_that_works_once(
        self, client: TestClient, user, settings: Settings, clock, monkeypatch, capsys
    ) -> None:
        monkeypatch.setenv("INTERLUDE_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("INTERLUDE_SECRET_KEY", settings.secret_key)
        monkeypatch.setenv("INTERLUDE_BASE_URL", "https://breaks.example.org")
        monkeypatch.setenv("INTERLUDE_DATA_DIR", str(settings.data_dir))
        get_settings.cache_clear()
        try:
            assert main(["reset-link", user.email.upper()]) == 0
            link = capsys.readouterr().out.splitlines()[0]
            assert main(["reset-link", "nobody@example.org"]) == 1
        finally:
            get_settings.cache_clear()
        assert link.startswith("https://breaks.example.org/reset-password#token=")
        token = link.partition("#token=")[2]
        clock.set(datetime.now(UTC))  # the command ran on the system clock
        body = {"token": token, "new_password": NEW_PASSWORD}
        assert client.post(CONFIRM, json=body).status_code == 204
        login_headers(client, user.email, NEW_PASSWORD)
        assert client.post(CONFIRM, json=body).status_code == 400

    def test_the_lockout_does_not_mention_a_reset(self, client: TestClient, user) -> None:
        for _ in range(6):
            locked = client.post(
                "/api/v1/auth/login", json={"email": user.email, "password": "wrong guess 1"}
            )
        assert locked.status_code == 429
        assert "reset" not in locked.json()["error"]["message"].lower()


def test_reset_tokens_are_not_session_tokens(client: TestClient, user, smtp_server) -> None:
    client.post(REQUEST, json={"email": user.email})
    token = _token_from_mail(smtp_server)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_reset_link_lifetime_is_thirty_minutes(
    client: TestClient, user, smtp_server, clock
) -> None:
    client.post(REQUEST, json={"email": user.email})
    token = _token_from_mail(smtp_server)
    clock.advance(timedelta(minutes=29))
    assert (
        client.post(CONFIRM, json={"token": token, "new_password": NEW_PASSWORD}).status_code == 204
    )
