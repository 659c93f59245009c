"""Monthly self-checks: the instruments, and the user's stored checks."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response, status

from interlude.accounts.auth import CurrentUser
from interlude.core.deps import ClockDep, KeyringDep, SessionDep
from interlude.core.errors import NotFound, error_response
from interlude.wellbeing import self_checks
from interlude.wellbeing.instruments import get_instrument, instruments
from interlude.wellbeing.routers.params import NOT_FOUND
from interlude.wellbeing.schemas import (
    InstrumentRead,
    SelfCheckCreate,
    SelfCheckRead,
    SelfCheckUpdate,
)

router = APIRouter()


@router.get("/self-checks/instruments", response_model=list[InstrumentRead])
def list_instruments(user: CurrentUser) -> Any:
    """The built-in reflection aid, plus any licensed instrument this installation added."""
    return [self_checks.instrument_read(i) for _, i in sorted(instruments().items())]


@router.get(
    "/self-checks/instruments/{instrument_id}", response_model=InstrumentRead, responses=NOT_FOUND
)
def get_instrument_items(instrument_id: str, user: CurrentUser) -> Any:
    found = get_instrument(instrument_id)
    if found is None:
        raise NotFound(f"No instrument called {instrument_id!r}.")
    return self_checks.instrument_read(found)


@router.post(
    "/self-checks",
    status_code=status.HTTP_201_CREATED,
    response_model=SelfCheckRead,
    responses={**error_response(409, "That month is already done")},
)
def create_self_check(
    data: SelfCheckCreate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    keyring: KeyringDep,
) -> Any:
    """Score this month's self-check (a reflection aid, not a validated instrument)."""
    row = self_checks.create_self_check(
        session=session, user=user, data=data, keyring=keyring, now=clock.now()
    )
    return self_checks.self_check_read(session=session, row=row, keyring=keyring)


@router.get("/self-checks", response_model=list[SelfCheckRead])
def list_self_checks(user: CurrentUser, session: SessionDep, keyring: KeyringDep) -> Any:
    rows = self_checks.list_self_checks(session=session, user_id=user.id)
    return [self_checks.self_check_read(session=session, row=r, keyring=keyring) for r in rows]


@router.get("/self-checks/{check_id}", response_model=SelfCheckRead, responses=NOT_FOUND)
def get_self_check(
    check_id: uuid.UUID, user: CurrentUser, session: SessionDep, keyring: KeyringDep
) -> Any:
    row = self_checks.get_self_check(session=session, user_id=user.id, check_id=check_id)
    return self_checks.self_check_read(session=session, row=row, keyring=keyring)


@router.patch("/self-checks/{check_id}", response_model=SelfCheckRead, responses=NOT_FOUND)
def update_self_check(
    check_id: uuid.UUID,
    data: SelfCheckUpdate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    keyring: KeyringDep,
) -> Any:
    row = self_checks.update_self_check(
        session=session,
        user_id=user.id,
        check_id=check_id,
        data=data,
        keyring=keyring,
        now=clock.now(),
    )
    return self_checks.self_check_read(session=session, row=row, keyring=keyring)


@router.delete(
    "/self-checks/{check_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND
)
def delete_self_check(check_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Response:
    session.delete(self_checks.get_self_check(session=session, user_id=user.id, check_id=check_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
