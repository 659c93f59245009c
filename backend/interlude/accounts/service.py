"""Accounts: registration, credentials, profile, export and deletion."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from interlude.accounts.auth import revoke_all_sessions
from interlude.accounts.models import User
from interlude.accounts.schemas import UserCreate, UserRead, UserUpdate
from interlude.core import hooks
from interlude.core.errors import Conflict, Unauthorized
from interlude.core.security import Keyring, Passwords


def normalize_email(email: str) -> str:
    return email.strip().lower()


def get_by_email(*, session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def register_user(
    *, session: Session, passwords: Passwords, data: UserCreate, now: datetime
) -> User:
    email = normalize_email(str(data.email))
    if get_by_email(session=session, email=email) is not None:
        raise Conflict(
            "An account with this email already exists. Sign in, or use another address.",
            code="email_taken",
        )
    user = User(
        email=email,
        password_hash=passwords.hash(data.password),
        display_name=data.display_name,
        timezone=data.timezone,
        created_at=now,
        updated_at=now,
        password_changed_at=now,
    )
    session.add(user)
    session.flush()
    # care_plan gives the new user the default plan (wired in interlude/wiring.py).
    hooks.user_registered(session=session, user_id=user.id, now=now)
    return user


def authenticate(
    *, session: Session, passwords: Passwords, email: str, password: str
) -> User | None:
    """The user if the password matches; takes the same time whether or not the user exists."""
    user = get_by_email(session=session, email=email)
    if not passwords.verify(user.password_hash if user else None, password) or user is None:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash(password)
    return user


def update_user(
    *,
    session: Session,
    passwords: Passwords,
    user: User,
    data: UserUpdate,
    now: datetime,
    current_auth_session: uuid.UUID | None,
) -> User:
    changes = data.model_dump(exclude_unset=True)
    wants_credentials = bool(changes.get("email") or changes.get("new_password"))
    if wants_credentials and not passwords.verify(
        user.password_hash, changes.get("current_password") or ""
    ):
        raise Unauthorized(
            "Enter your current password to change your email or password.",
            code="current_password_required",
        )
    credentials_changed = False
    if changes.get("email"):
        email = normalize_email(str(changes["email"]))
        existing = get_by_email(session=session, email=email)
        if existing is not None and existing.id != user.id:
            raise Conflict("Another account already uses this email.", code="email_taken")
        credentials_changed = email != user.email
        user.email = email
    if changes.get("new_password"):
        user.password_hash = passwords.hash(changes["new_password"])
        user.password_changed_at = now
        credentials_changed = True
    if credentials_changed:
        # Other devices must sign in again with the new email or password: whoever took
        # over a session elsewhere does not keep it through the change.
        revoke_all_sessions(session=session, user=user, now=now, keep=current_auth_session)
    if changes.get("display_name"):
        user.display_name = changes["display_name"]
    timezone_changed = bool(changes.get("timezone")) and changes["timezone"] != user.timezone
    if changes.get("timezone"):
        user.timezone = changes["timezone"]
    user.updated_at = now
    session.flush()
    if timezone_changed:
        hooks.schedule_changed(session=session, user_id=user.id, now=now)
    return user


def export_user(*, session: Session, user: User, keyring: Keyring, now: datetime) -> dict[str, Any]:
    data: dict[str, Any] = {
        "exported_at": now.isoformat(),
        "format": "interlude-export/1",
        "account": UserRead.model_validate(user).model_dump(mode="json"),
    }
    for name, exporter in sorted(hooks.exporters().items()):
        data[name] = exporter(session=session, user_id=user.id, keyring=keyring)
    return data


def delete_user(*, session: Session, user: User) -> None:
    """Everything the user owns goes with them (ON DELETE CASCADE on every user_id)."""
    session.execute(delete(User).where(User.id == user.id))
    session.expunge(user)
