"""Recurring supervision / peer / personal-therapy commitments and their occurrences."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Response, status

from interlude.accounts.auth import CurrentUser
from interlude.core.deps import ClockDep, SessionDep
from interlude.core.errors import Unprocessable
from interlude.core.timezones import local_midnight, user_zone
from interlude.wellbeing import commitments, service
from interlude.wellbeing.routers.params import NOT_FOUND, FromDate, ToDate, check_range
from interlude.wellbeing.schemas import (
    CommitmentCreate,
    CommitmentRead,
    CommitmentUpdate,
    OccurrenceRead,
)

router = APIRouter()


def _commitment_read(row: Any, user: CurrentUser, clock: ClockDep) -> CommitmentRead:
    read = CommitmentRead.model_validate(row)
    read.next_occurrence = commitments.next_occurrence(row, now=clock.now(), zone=user_zone(user))
    return read


@router.post("/commitments", status_code=status.HTTP_201_CREATED, response_model=CommitmentRead)
def create_commitment(
    data: CommitmentCreate, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> Any:
    """A recurring supervision, peer check-in or personal therapy slot."""
    row = commitments.create_commitment(session=session, user=user, data=data, now=clock.now())
    return _commitment_read(row, user, clock)


@router.get("/commitments", response_model=list[CommitmentRead])
def list_commitments(user: CurrentUser, session: SessionDep, clock: ClockDep) -> Any:
    rows = commitments.list_commitments(session=session, user_id=user.id)
    return [_commitment_read(row, user, clock) for row in rows]


@router.get("/commitments/occurrences", response_model=list[OccurrenceRead])
def list_commitment_occurrences(
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    start: FromDate = None,
    end: ToDate = None,
) -> Any:
    """Occurrences between two local dates (default: the next 14 days; at most 92 days)."""
    zone = user_zone(user)
    today = service.local_today(user, clock.now())
    start = start or today
    end = end or start + timedelta(days=13)
    check_range(start, end)
    if (end - start).days > 92:
        raise Unprocessable("to: ask for at most 92 days at a time.")
    found = commitments.upcoming_commitments(
        session=session,
        user_id=user.id,
        start=local_midnight(start, zone),
        end=local_midnight(end + timedelta(days=1), zone),
    )
    return [OccurrenceRead.model_validate(o, from_attributes=True) for o in found]


@router.get("/commitments/{commitment_id}", response_model=CommitmentRead, responses=NOT_FOUND)
def get_commitment(
    commitment_id: uuid.UUID, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> Any:
    row = commitments.get_commitment(session=session, user_id=user.id, commitment_id=commitment_id)
    return _commitment_read(row, user, clock)


@router.patch("/commitments/{commitment_id}", response_model=CommitmentRead, responses=NOT_FOUND)
def update_commitment(
    commitment_id: uuid.UUID,
    data: CommitmentUpdate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
) -> Any:
    row = commitments.update_commitment(
        session=session, user=user, commitment_id=commitment_id, data=data, now=clock.now()
    )
    return _commitment_read(row, user, clock)


@router.delete(
    "/commitments/{commitment_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND
)
def delete_commitment(
    commitment_id: uuid.UUID, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> Response:
    commitments.delete_commitment(
        session=session, user=user, commitment_id=commitment_id, now=clock.now()
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
