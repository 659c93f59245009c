from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status

from interlude.accounts import service
from interlude.accounts.auth import (
    CurrentUser,
    check_address_allowed,
    check_login_allowed,
    clear_account_failures,
    clear_session_cookies,
    issue_session,
    record_login_failure,
    revoke_session,
    set_session_cookies,
)
from interlude.accounts.limits import check_signup_allowed, record_signup
from interlude.accounts.schemas import (
    AccountDelete,
    LoginRequest,
    TokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from interlude.core.deps import ClockDep, PasswordsDep, RuntimeDep, SessionDep
from interlude.core.errors import Conflict, Unauthorized, error_responses

auth_router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
me_router = APIRouter(prefix="/api/v1/me", tags=["account"])

_UNAUTHORIZED = error_responses(401)


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@auth_router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
    responses=error_responses(409, 429),
)
def register(
    data: UserCreate,
    request: Request,
    session: SessionDep,
    passwords: PasswordsDep,
    runtime: RuntimeDep,
) -> Any:
    """Create an account; it starts with a sensible default care plan."""
    address = _client_address(request)
    check_address_allowed(session=session, runtime=runtime, address=address)
    check_signup_allowed(session=session, runtime=runtime, address=address)
    try:
        user = service.register_user(
            session=session, passwords=passwords, data=data, now=runtime.clock.now()
        )
    except Conflict:
        # Probing for existing accounts spends the same budget as failed sign-ins.
        record_login_failure(runtime=runtime, email=None, address=address)
        raise
    record_signup(session=session, runtime=runtime, address=address)
    return user


@auth_router.post(
    "/login",
    response_model=TokenRead,
    responses=error_responses(401, 429),
)
def login(
    data: LoginRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    runtime: RuntimeDep,
) -> Any:
    """Sign in: returns a bearer token and sets the PWA's session cookie."""
    email = service.normalize_email(data.email)
    address = _client_address(request)
    check_login_allowed(session=session, runtime=runtime, email=email, address=address)
    user = service.authenticate(
        session=session, passwords=runtime.passwords, email=email, password=data.password
    )
    if user is None:
        record_login_failure(runtime=runtime, email=email, address=address)
        raise Unauthorized("Email or password is wrong.", code="invalid_credentials")
    clear_account_failures(session=session, runtime=runtime, email=email)
    issued = issue_session(
        session=session,
        keyring=runtime.keyring,
        user=user,
        now=runtime.clock.now(),
        days=runtime.settings.session_days,
    )
    set_session_cookies(response, issued, secure=runtime.settings.secure_cookies)
    return TokenRead(
        access_token=issued.token, csrf_token=issued.csrf_token, expires_at=issued.expires_at
    )


@auth_router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=_UNAUTHORIZED)
def logout(
    request: Request, user: CurrentUser, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """End this login (the token and the cookie stop working at once)."""
    revoke_session(
        session=session,
        auth_session_id=request.state.auth_session_id,
        now=runtime.clock.now(),
    )
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookies(response, secure=runtime.settings.secure_cookies)
    return response


@me_router.get("", response_model=UserRead, responses=_UNAUTHORIZED)
def read_me(user: CurrentUser) -> Any:
    return user


@me_router.patch(
    "",
    response_model=UserRead,
    responses=error_responses(401, 409),
)
def update_me(
    data: UserUpdate,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    passwords: PasswordsDep,
    clock: ClockDep,
) -> Any:
    """Change name, time zone, email or password (the last two need current_password)."""
    return service.update_user(
        session=session,
        passwords=passwords,
        user=user,
        data=data,
        now=clock.now(),
        current_auth_session=request.state.auth_session_id,
    )


@me_router.get("/export", responses=_UNAUTHORIZED)
def export_me(user: CurrentUser, session: SessionDep, runtime: RuntimeDep) -> dict[str, Any]:
    """Everything Interlude holds about you, as JSON."""
    return service.export_user(
        session=session, user=user, keyring=runtime.keyring, now=runtime.clock.now()
    )


@me_router.delete("", status_code=status.HTTP_204_NO_CONTENT, responses=_UNAUTHORIZED)
def delete_me(
    data: AccountDelete, user: CurrentUser, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """Delete the account and everything it owns. Needs the current password."""
    if not runtime.passwords.verify(user.password_hash, data.password):
        raise Unauthorized(
            "The password is wrong; the account was not deleted.", code="invalid_credentials"
        )
    service.delete_user(session=session, user=user)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookies(response, secure=runtime.settings.secure_cookies)
    return response
