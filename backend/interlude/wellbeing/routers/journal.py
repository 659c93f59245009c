"""Check-ins and weekly reviews: the user's own entries."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from interlude.accounts.auth import CurrentUser
from interlude.core.deps import ClockDep, KeyringDep, SessionDep
from interlude.core.errors import error_response
from interlude.wellbeing import service
from interlude.wellbeing.routers.params import NOT_FOUND, FromDate, ToDate, check_range
from interlude.wellbeing.schemas import (
    CheckInCreate,
    CheckInRead,
    CheckInUpdate,
    WeeklyReviewCreate,
    WeeklyReviewRead,
    WeeklyReviewUpdate,
)

router = APIRouter()


# --- check-ins ---------------------------------------------------------------------------


@router.post("/checkins", status_code=status.HTTP_201_CREATED, response_model=CheckInRead)
def create_checkin(
    data: CheckInCreate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    keyring: KeyringDep,
) -> Any:
    """A 20-second check-in. Several a day are fine; skipped days cost nothing."""
    row = service.create_checkin(
        session=session, user=user, data=data, keyring=keyring, now=clock.now()
    )
    return service.checkin_read(row, keyring)


@router.get("/checkins", response_model=list[CheckInRead])
def list_checkins(
    user: CurrentUser,
    session: SessionDep,
    keyring: KeyringDep,
    start: FromDate = None,
    end: ToDate = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Any:
    """Newest first."""
    check_range(start, end)
    rows = service.list_checkins(
        session=session, user_id=user.id, start=start, end=end, limit=limit
    )
    return [service.checkin_read(row, keyring) for row in rows]


@router.get("/checkins/{checkin_id}", response_model=CheckInRead, responses=NOT_FOUND)
def get_checkin(
    checkin_id: uuid.UUID, user: CurrentUser, session: SessionDep, keyring: KeyringDep
) -> Any:
    row = service.get_checkin(session=session, user_id=user.id, checkin_id=checkin_id)
    return service.checkin_read(row, keyring)


@router.patch("/checkins/{checkin_id}", response_model=CheckInRead, responses=NOT_FOUND)
def update_checkin(
    checkin_id: uuid.UUID,
    data: CheckInUpdate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    keyring: KeyringDep,
) -> Any:
    row = service.update_checkin(
        session=session,
        user=user,
        checkin_id=checkin_id,
        data=data,
        keyring=keyring,
        now=clock.now(),
    )
    return service.checkin_read(row, keyring)


@router.delete(
    "/checkins/{checkin_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND
)
def delete_checkin(checkin_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Response:
    session.delete(service.get_checkin(session=session, user_id=user.id, checkin_id=checkin_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- weekly reviews ----------------------------------------------------------------------


def _review_read(session: SessionDep, user: CurrentUser, row: Any, keyring: KeyringDep) -> Any:
    planned = service.planned_commitments(session=session, user=user, week=row.week_start)
    return service.review_read(row, keyring, planned=planned)


@router.post(
    "/weekly-reviews",
    status_code=status.HTTP_201_CREATED,
    response_model=WeeklyReviewRead,
    responses={**error_response(409, "That week is already reviewed")},
)
def create_weekly_review(
    data: WeeklyReviewCreate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    keyring: KeyringDep,
) -> Any:
    """The week's warning-sign checklist, kept commitments and a meaningful moment."""
    row = service.create_review(
        session=session, user=user, data=data, keyring=keyring, now=clock.now()
    )
    return _review_read(session, user, row, keyring)


@router.get("/weekly-reviews", response_model=list[WeeklyReviewRead])
def list_weekly_reviews(
    user: CurrentUser,
    session: SessionDep,
    keyring: KeyringDep,
    start: FromDate = None,
    end: ToDate = None,
) -> Any:
    check_range(start, end)
    rows = service.list_reviews(session=session, user_id=user.id, start=start, end=end)
    return [_review_read(session, user, row, keyring) for row in rows]


@router.get("/weekly-reviews/{review_id}", response_model=WeeklyReviewRead, responses=NOT_FOUND)
def get_weekly_review(
    review_id: uuid.UUID, user: CurrentUser, session: SessionDep, keyring: KeyringDep
) -> Any:
    row = service.get_review(session=session, user_id=user.id, review_id=review_id)
    return _review_read(session, user, row, keyring)


@router.patch("/weekly-reviews/{review_id}", response_model=WeeklyReviewRead, responses=NOT_FOUND)
def update_weekly_review(
    review_id: uuid.UUID,
    data: WeeklyReviewUpdate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    keyring: KeyringDep,
) -> Any:
    row = service.update_review(
        session=session,
        user_id=user.id,
        review_id=review_id,
        data=data,
        keyring=keyring,
        now=clock.now(),
    )
    return _review_read(session, user, row, keyring)


@router.delete(
    "/weekly-reviews/{review_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND
)
def delete_weekly_review(review_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Response:
    session.delete(service.get_review(session=session, user_id=user.id, review_id=review_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
