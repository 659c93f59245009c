"""Email: the one place Interlude sends mail (aiosmtplib), when INTERLUDE_SMTP_HOST is set.

Two features use it: the password reset link (accounts/password_reset.py) and the daily
"reminders are not reaching your devices" alert (push/alerts.py). Without SMTP settings
both are absent (``Settings.email_enabled``) and the app says so (``GET /api/v1/features``).

Nothing here logs a recipient, a subject or a body, and never the SMTP password: a failure
is logged by its exception type only.
"""

from __future__ import annotations

import asyncio
import logging
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from interlude.core.settings import Settings

log = logging.getLogger("interlude.mail")


class MailNotConfigured(RuntimeError):
    """Raised by ``send`` when the settings have no SMTP host."""


class MailFailed(RuntimeError):
    """The SMTP server could not be reached or refused the message."""


def compose(settings: Settings, *, to: str, subject: str, text: str) -> EmailMessage:
    """A plain-text message from the configured sender."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = settings.smtp_from.rpartition("@")[2].strip(" >") or None
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies back
    message.set_content(text)
    return message


async def send(settings: Settings, message: EmailMessage) -> None:
    """Sends one message; raises ``MailFailed`` (logged by type, never with the address)."""
    if not settings.email_enabled:
        raise MailNotConfigured("INTERLUDE_SMTP_HOST is not set")
    # Imported here: a server without SMTP (most single-therapist installs) never loads it
    # (~12 MB of RSS in `interlude run`, issue 16).
    import aiosmtplib

    password = settings.smtp_password.get_secret_value()
    try:
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.resolved_smtp_port,
            username=settings.smtp_username or None,
            password=password if settings.smtp_username else None,
            use_tls=settings.smtp_tls,
            # True: STARTTLS is required (an attacker cannot strip it); False: never tried.
            start_tls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        )
    except (aiosmtplib.SMTPException, OSError) as exc:
        log.warning("mail not sent: %s", type(exc).__name__)
        raise MailFailed(type(exc).__name__) from None


def send_sync(settings: Settings, message: EmailMessage) -> None:
    """``send`` from a thread without an event loop (the worker's jobs)."""
    asyncio.run(send(settings, message))
