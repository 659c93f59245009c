"""Forgotten passwords: a signed, short-lived, single-use link sent by email.

- ``POST /auth/password-reset`` answers 202 with the same body whether or not an account
  uses the address, and does the same work before answering (one lookup, one rate-limit
  row); the mail goes out after the response (a background task), so its SMTP round trips
  never show in the answer's timing.
- The link carries a Fernet token (``Keyring.seal_link``: encrypted, authenticated, with its
  time of issue) holding the user's id and a keyed fingerprint of their *current* password
  hash. It is refused after ``RESET_LINK_LIFETIME``, and once used: the new password changes
  the hash, so the fingerprint no longer matches (no table of used tokens). Any other change
  of password also ends every link sent before it.
- ``POST /auth/password-reset/confirm`` sets the new password (the sign-up rules), ends every
  session of the user, and clears the sign-in lockout of the account.
- Without SMTP (``Settings.email_enabled``) the request answers 404 ``email_not_configured``
  and ``GET /features`` tells the PWA to send people to the operator, who can print a link with
  ``interlude reset-link EMAIL``; the confirm step takes a valid link whoever made it.
"""

from __future__ import annotations

import contextlib
import hmac
import uuid
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request, Response, status
from sqlalchemy.orm import Session

from interlude.accounts.auth import clear_account_failures, revoke_all_sessions
from interlude.accounts.models import User
from interlude.accounts.schemas import (
    FeaturesRead,
    PasswordResetAccepted,
    PasswordResetConfirm,
    PasswordResetRequest,
)
from interlude.accounts.service import get_by_email, normalize_email
from interlude.core import mail, rate_limits
from interlude.core.deps import RuntimeDep, SessionDep
from interlude.core.errors import BadRequest, NotFound, error_responses
from interlude.core.runtime import Runtime
from interlude.core.security import Keyring
from interlude.core.settings import Settings

# Long enough to switch to the mail app and back on a phone, short enough that a link left
# in a mailbox is useless to whoever reads the mailbox later.
RESET_LINK_LIFETIME = timedelta(minutes=30)
# Requests per email address, and per client address, within the sign-in limit's window
# (INTERLUDE_LOGIN_FAILURE_WINDOW_MINUTES): enough for a lost mail or two, too few to flood
# someone's inbox. The count is kept whether or not the account exists.
RESET_REQUESTS_PER_EMAIL = 3
RESET_REQUESTS_PER_ADDRESS = 10
RESET_PATH = "/reset-password"
ACCEPTED = (
    "If an account uses this address, a link to choose a new password is on its way. "
    "It works for 30 minutes."
)
NOT_CONFIGURED = (
    "This Interlude server does not send email, so passwords cannot be reset by link. "
    "Ask whoever runs the server for a reset link."
)
RESET_LIMITED = (
    "Too many reset requests. Check your inbox (and spam folder) for the link already sent, "
    "or wait {wait} and try again."
)
LINK_INVALID = (
    "This reset link has expired or was already used. Ask for a new one from the sign-in screen."
)

router = APIRouter(tags=["auth"])


def _fingerprint(keyring: Keyring, user: User) -> bytes:
    return bytes.fromhex(keyring.hash_token(f"password-reset:{user.password_hash}"))[:16]


def reset_token(*, keyring: Keyring, user: User, now: datetime) -> str:
    return keyring.seal_link(user.id.bytes + _fingerprint(keyring, user), now=now)


def reset_link(settings: Settings, token: str) -> str:
    # In the fragment: browsers never send it to the server, so it stays out of access logs
    # and Referer headers.
    return f"{settings.base_url}{RESET_PATH}#token={token}"


def user_for_token(*, session: Session, keyring: Keyring, token: str, now: datetime) -> User | None:
    data = keyring.open_link(token, now=now, max_age=RESET_LINK_LIFETIME)
    if data is None or len(data) != 32:
        return None
    user = session.get(User, uuid.UUID(bytes=data[:16]))
    if user is None or not hmac.compare_digest(data[16:], _fingerprint(keyring, user)):
        return None
    return user


def reset_message(settings: Settings, *, user: User, link: str) -> EmailMessage:
    text = f"""Hello {user.display_name},

someone, hopefully you, asked to reset the password of your Interlude account.

Open this link within 30 minutes to choose a new password:

{link}

The link works once. Setting a new password signs you out of Interlude on every device;
sign in again with the new one.

If you did not ask for this, ignore this email: your password stays as it is.

Interlude · {settings.base_url}
"""
    return mail.compose(settings, to=user.email, subject="Reset your Interlude password", text=text)


async def _deliver(settings: Settings, message: EmailMessage) -> None:
    # Logged by mail.send (without the address); the person asks again.
    with contextlib.suppress(mail.MailFailed):
        await mail.send(settings, message)


def _keys(keyring: Keyring, email: str, address: str) -> tuple[str, str]:
    return keyring.hash_token(f"reset:{email}"), keyring.hash_token(f"reset-address:{address}")


def _check_and_count(*, session: Session, runtime: Runtime, email: str, address: str) -> None:
    now = runtime.clock.now()
    window = timedelta(minutes=runtime.settings.login_failure_window_minutes)
    keys = _keys(runtime.keyring, email, address)
    counts = (RESET_REQUESTS_PER_EMAIL, RESET_REQUESTS_PER_ADDRESS)
    for key, count in zip(keys, counts, strict=True):
        limit = rate_limits.Limit(count=count, window=window, message=RESET_LIMITED)
        rate_limits.check(session=session, key=key, limit=limit, now=now)
    for key in keys:
        rate_limits.record(session=session, key=key, now=now)


def _require_email(settings: Settings) -> None:
    if not settings.email_enabled:
        raise NotFound(NOT_CONFIGURED, code="email_not_configured")


@router.get("/api/v1/features", response_model=FeaturesRead, tags=["features"])
async def read_features(runtime: RuntimeDep) -> Any:
    """What this server offers before sign-in: whether it sends email."""
    return FeaturesRead(email_enabled=runtime.settings.email_enabled)


@router.post(
    "/api/v1/auth/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=PasswordResetAccepted,
    responses=error_responses(404, 429),
)
def request_password_reset(
    data: PasswordResetRequest,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    runtime: RuntimeDep,
) -> Any:
    """Email a link to choose a new password. The answer is the same whether or not an
    account uses the address."""
    settings = runtime.settings
    _require_email(settings)
    email = normalize_email(data.email)
    address = request.client.host if request.client else "unknown"
    _check_and_count(session=session, runtime=runtime, email=email, address=address)
    user = get_by_email(session=session, email=email)
    if user is not None:
        token = reset_token(keyring=runtime.keyring, user=user, now=runtime.clock.now())
        message = reset_message(settings, user=user, link=reset_link(settings, token))
        background.add_task(_deliver, settings, message)
    return PasswordResetAccepted(message=ACCEPTED)


@router.post(
    "/api/v1/auth/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(400),
)
def confirm_password_reset(
    data: PasswordResetConfirm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """Set the new password from the emailed link; every session of the account ends."""
    now = runtime.clock.now()
    user = user_for_token(session=session, keyring=runtime.keyring, token=data.token, now=now)
    if user is None:
        raise BadRequest(LINK_INVALID, code="reset_link_invalid")
    user.password_hash = runtime.passwords.hash(data.new_password)
    user.password_changed_at = now
    user.updated_at = now
    revoke_all_sessions(session=session, user=user, now=now)
    clear_account_failures(session=session, runtime=runtime, email=user.email)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
