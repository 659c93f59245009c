"""Server-side login sessions, shared by bearer tokens and the PWA's cookie.

One ``AuthSession`` row per login; its token is both the bearer ``access_token`` and the
HttpOnly cookie's value. Cookie-authenticated unsafe requests must echo the CSRF token
(double-submit: readable ``interlude_csrf`` cookie -> ``X-CSRF-Token`` header).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from interlude.accounts.models import AuthSession, LoginFailure, User
from interlude.core import rate_limits
from interlude.core.deps import RuntimeDep, SessionDep
from interlude.core.errors import Forbidden, Unauthorized
from interlude.core.runtime import Runtime
from interlude.core.security import Keyring, constant_time_equals, new_token

SESSION_COOKIE = "interlude_session"
CSRF_COOKIE = "interlude_csrf"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Writing last_used_at on every request would turn reads into writes.
TOUCH_INTERVAL = timedelta(minutes=5)
SESSION_ENDED = "Your session has ended; please sign in again."


@dataclass(frozen=True)
class IssuedSession:
    token: str
    csrf_token: str
    expires_at: datetime


def issue_session(
    *, session: Session, keyring: Keyring, user: User, now: datetime, days: int
) -> IssuedSession:
    token, csrf = new_token(), new_token(24)
    expires_at = now + timedelta(days=days)
    session.add(
        AuthSession(
            user_id=user.id,
            token_hash=keyring.hash_token(token),
            kind="login",
            csrf_hash=keyring.hash_token(csrf),
            created_at=now,
            expires_at=expires_at,
            last_used_at=now,
        )
    )
    return IssuedSession(token=token, csrf_token=csrf, expires_at=expires_at)


def set_session_cookies(response: Response, issued: IssuedSession, *, secure: bool) -> None:
    # The cookies live as long as the server-side session they carry.
    for name, value, httponly in (
        (SESSION_COOKIE, issued.token, True),
        (CSRF_COOKIE, issued.csrf_token, False),
    ):
        response.set_cookie(
            name,
            value,
            expires=issued.expires_at,
            path="/",
            secure=secure,
            httponly=httponly,
            samesite="lax",
        )


def clear_session_cookies(response: Response, *, secure: bool) -> None:
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        response.delete_cookie(name, path="/", secure=secure, samesite="lax")


def _bearer_token(request: HTTPConnection) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def request_token(request: HTTPConnection) -> tuple[str, bool]:
    """The request's session token and whether it came in the cookie (else the bearer)."""
    token = _bearer_token(request)
    via_cookie = False
    if token is None:
        token = request.cookies.get(SESSION_COOKIE)
        via_cookie = token is not None
    if not token:
        raise Unauthorized("Sign in first: send a bearer token or the session cookie.")
    return token, via_cookie


def authenticate_request(request: Request, *, session: Session, runtime: Runtime) -> User:
    token, via_cookie = request_token(request)
    now = runtime.clock.now()
    # One round trip: the login session and its user together.
    found = session.execute(
        select(AuthSession, User)
        .join(User, User.id == AuthSession.user_id)
        .where(AuthSession.token_hash == runtime.keyring.hash_token(token))
    ).first()
    if found is None:
        raise Unauthorized(SESSION_ENDED)
    auth, user = found
    if auth.revoked_at is not None or auth.expires_at <= now:
        raise Unauthorized(SESSION_ENDED)
    if via_cookie and request.method not in _SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        expected = auth.csrf_hash or ""
        if not sent or not constant_time_equals(runtime.keyring.hash_token(sent), expected):
            raise Forbidden(
                f"Missing or wrong {CSRF_HEADER} header: copy the {CSRF_COOKIE} cookie into it.",
                code="csrf_failed",
            )
    if now - auth.last_used_at > TOUCH_INTERVAL:
        auth.last_used_at = now
    request.state.auth_session_id = auth.id
    return user


def current_user(request: Request, session: SessionDep, runtime: RuntimeDep) -> User:
    return authenticate_request(request, session=session, runtime=runtime)


CurrentUser = Annotated[User, Depends(current_user)]


def revoke_session(*, session: Session, auth_session_id: object, now: datetime) -> None:
    auth = session.get(AuthSession, auth_session_id)
    if auth is not None and auth.revoked_at is None:
        auth.revoked_at = now


def revoke_all_sessions(
    *, session: Session, user: User, now: datetime, keep: object | None = None
) -> int:
    rows = session.scalars(
        select(AuthSession).where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))
    ).all()
    count = 0
    for row in rows:
        if row.id != keep:
            row.revoked_at = now
            count += 1
    return count


# --- login rate limiting ---------------------------------------------------------------


def _failure_keys(keyring: Keyring, email: str, address: str) -> tuple[str, str]:
    return keyring.hash_token(f"account:{email}"), keyring.hash_token(f"address:{address}")


def _check_key(*, session: Session, runtime: Runtime, key: str, limit: int, hint: str = "") -> None:
    rate_limits.check(
        session=session,
        key=key,
        limit=rate_limits.Limit(
            count=limit,
            window=timedelta(minutes=runtime.settings.login_failure_window_minutes),
            message="Too many failed sign-ins. Wait {wait} and try again." + hint,
        ),
        now=runtime.clock.now(),
    )


def check_login_allowed(*, session: Session, runtime: Runtime, email: str, address: str) -> None:
    settings = runtime.settings
    account_key, address_key = _failure_keys(runtime.keyring, email, address)
    # A reset link is the way out of a lockout only where the server can send it.
    hint = (
        " Forgot your password? Reset it from the sign-in screen." if settings.email_enabled else ""
    )
    _check_key(
        session=session,
        runtime=runtime,
        key=account_key,
        limit=settings.login_max_failures_per_account,
        hint=hint,
    )
    _check_key(
        session=session,
        runtime=runtime,
        key=address_key,
        limit=settings.login_max_failures_per_address,
        hint=hint,
    )


def check_address_allowed(*, session: Session, runtime: Runtime, address: str) -> None:
    """Registration probes (an email that already has an account) share the address budget."""
    _, address_key = _failure_keys(runtime.keyring, "", address)
    _check_key(
        session=session,
        runtime=runtime,
        key=address_key,
        limit=runtime.settings.login_max_failures_per_address,
    )


def record_login_failure(*, runtime: Runtime, email: str | None, address: str) -> None:
    """Committed on its own: the request's own transaction rolls back on the error."""
    now = runtime.clock.now()
    window = timedelta(minutes=runtime.settings.login_failure_window_minutes)
    account_key, address_key = _failure_keys(runtime.keyring, email or "", address)
    with runtime.session() as session:
        session.add(LoginFailure(key_hash=address_key, at=now))
        if email is not None:
            session.add(LoginFailure(key_hash=account_key, at=now))
        # Other counted actions (core/rate_limits.py) share the table and keep a day of rows.
        rate_limits.prune(session=session, older_than=now - max(2 * window, rate_limits.KEPT_FOR))


def clear_account_failures(*, session: Session, runtime: Runtime, email: str) -> None:
    account_key, _ = _failure_keys(runtime.keyring, email, "")
    session.execute(delete(LoginFailure).where(LoginFailure.key_hash == account_key))
