"""core/mail.py against a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from pydantic import SecretStr

from interlude.core import mail
from interlude.core.settings import Settings
from tests.conftest import with_smtp
from tests.support.smtp import LocalSmtp

SECRET = "smtp-secret-do-not-log"
# The local server takes AUTH over plain TCP on loopback on purpose.
_PLAIN_AUTH = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        secret_key="x" * 32,
        _env_file=None,  # type: ignore[call-arg]
    )


@_PLAIN_AUTH
def test_logs_in_and_sends_plain_text(tmp_path: Path, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="interlude")
    with LocalSmtp(username="interlude", password=SECRET) as server:
        settings = with_smtp(
            _settings(tmp_path), server, smtp_username="interlude", smtp_password=SecretStr(SECRET)
        )
        message = mail.compose(settings, to="a@example.org", subject="Hello", text="Body ü")
        mail.send_sync(settings, message)
        [received] = server.wait_for(1)
    assert server.logins == [("interlude", SECRET)]
    assert received.rcpt_tos == ["a@example.org"]
    assert received.text.strip() == "Body ü"
    assert received.message["Auto-Submitted"] == "auto-generated"
    assert SECRET not in caplog.text
    assert SECRET not in repr(settings) and SECRET not in str(settings.model_dump())


@_PLAIN_AUTH
def test_wrong_credentials_fail_without_logging_them(tmp_path: Path, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="interlude")
    with LocalSmtp(username="interlude", password="the right one") as server:
        settings = with_smtp(
            _settings(tmp_path), server, smtp_username="interlude", smtp_password=SecretStr(SECRET)
        )
        message = mail.compose(settings, to="a@example.org", subject="Hello", text="Body")
        with pytest.raises(mail.MailFailed):
            mail.send_sync(settings, message)
        assert server.messages == []
    assert "mail not sent: SMTPAuthenticationError" in caplog.text
    assert SECRET not in caplog.text and "a@example.org" not in caplog.text


def test_starttls_is_required_when_on(tmp_path: Path) -> None:
    """A server (or a man in the middle) that offers no STARTTLS gets nothing in the clear."""
    with LocalSmtp() as server:
        settings = with_smtp(_settings(tmp_path), server, smtp_starttls=True)
        message = mail.compose(settings, to="a@example.org", subject="Hello", text="Body")
        with pytest.raises(mail.MailFailed):
            asyncio.run(mail.send(settings, message))
        assert server.messages == []


def test_without_a_host_nothing_is_sent(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    assert not settings.email_enabled
    with pytest.raises(mail.MailNotConfigured):
        asyncio.run(mail.send(settings, mail.compose(settings, to="a@b.c", subject="s", text="t")))


def test_settings_need_a_sender_and_pick_the_port(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="INTERLUDE_SMTP_FROM"):
        Settings(smtp_host="mail.example.org", _env_file=None)  # type: ignore[call-arg]
    base = {"smtp_host": "mail.example.org", "smtp_from": "x@example.org", "_env_file": None}
    assert Settings(**base).resolved_smtp_port == 587  # type: ignore[arg-type]
    tls = Settings(**base, smtp_tls=True)  # type: ignore[arg-type]
    assert (tls.resolved_smtp_port, tls.smtp_starttls) == (465, False)
    assert Settings(**base, smtp_starttls=False).resolved_smtp_port == 25  # type: ignore[arg-type]
    assert Settings(**base, smtp_port=2525).resolved_smtp_port == 2525  # type: ignore[arg-type]
