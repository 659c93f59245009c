"""How many accounts one client address may create (sign-up is open to anyone)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from interlude.core import rate_limits
from interlude.core.runtime import Runtime

SIGNUP_WINDOW = timedelta(hours=1)
SIGNUP_LIMITED = (
    "Too many accounts were created from your network in the last hour. "
    "Try again in {wait}, or sign in if you already have an account."
)


def _signup(runtime: Runtime, address: str) -> tuple[str, rate_limits.Limit]:
    limit = rate_limits.Limit(
        count=runtime.settings.signup_max_per_address_per_hour,
        window=SIGNUP_WINDOW,
        message=SIGNUP_LIMITED,
    )
    return rate_limits.limit_key(runtime.keyring, "signup", address), limit


def check_signup_allowed(*, session: Session, runtime: Runtime, address: str) -> None:
    """429 once ``address`` (the client's, or the one a trusted proxy names) has created
    ``signup_max_per_address_per_hour`` accounts within the last hour."""
    key, limit = _signup(runtime, address)
    rate_limits.check(session=session, key=key, limit=limit, now=runtime.clock.now())


def record_signup(*, session: Session, runtime: Runtime, address: str) -> None:
    """Counts an account created from ``address``, in the transaction that creates it."""
    key, _ = _signup(runtime, address)
    rate_limits.record(session=session, key=key, now=runtime.clock.now())
