"""HTTP API of the wellbeing domain, under ``/api/v1/wellbeing``."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse

from interlude.accounts.auth import CurrentUser
from interlude.core import hooks
from interlude.core.deps import ClockDep, KeyringDep, SessionDep
from interlude.core.errors import NotFound, Unprocessable
from interlude.wellbeing import commitments, export, self_checks, service
from interlude.wellbeing.loaders import local_midnight
from interlude.wellbeing.schemas import (
    CheckInCreate,
    CheckInRead,
    CheckInUpdate,
    CommitmentCreate,
    CommitmentRead,
    CommitmentUpdate,
    InstrumentRead,
    MuteRequest,
    OccurrenceRead,
    SelfCheckCreate,
    SelfCheckRead,
    SelfCheckUpdate,
    SettingsRead,
    SettingsUpdate,
    SignalCodeIn,
    SummaryRead,
    WeeklyReviewCreate,
    WeeklyReviewRead,
    WeeklyReviewUpdate,
)
from interlude.wellbeing.selfcheck import get_instrument, instruments
from interlude.wellbeing.summary import build_summary

router = APIRouter(
    prefix="/api/v1/wellbeing",
    tags=["wellbeing"],
    responses={401: {"description": "Not signed in"}},
)
hooks.register_exporter("wellbeing", export.export_json)

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such object (or not yours)"}
}
FromDate = Annotated[date | None, Query(alias="from", description="First local date, inclusive.")]
ToDate = Annotated[date | None, Query(alias="to", description="Last local date, inclusive.")]


def _check_range(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise Unprocessable("to: must be on or after from.")


# --- settings and signals ----------------------------------------------------------------


@router.get("/settings", response_model=SettingsRead)
def get_wellbeing_settings(user: CurrentUser, session: SessionDep, clock: ClockDep) -> Any:
    """Caseload limit, emotion word chips, muted signals and the warning-sign checklist."""
    now = clock.now()
    row = service.get_settings(session=session, user_id=user.id, now=now)
    return service.settings_read(row, service.local_today(user, now))


@router.patch("/settings", response_model=SettingsRead)
def update_wellbeing_settings(
    data: SettingsUpdate, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> Any:
    now = clock.now()
    row = service.update_settings(session=session, user_id=user.id, data=data, now=now)
    return service.settings_read(row, service.local_today(user, now))


@router.post("/signals/{code}/mute", response_model=SettingsRead)
def mute_signal(
    code: SignalCodeIn,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    data: MuteRequest | None = None,
) -> Any:
    """Stop showing a signal, for ``days`` days or until unmuted."""
    now = clock.now()
    days = data.days if data else None
    row = service.mute_signal(session=session, user=user, code=code, days=days, now=now)
    return service.settings_read(row, service.local_today(user, now))


@router.delete("/signals/{code}/mute", response_model=SettingsRead)
def unmute_signal(
    code: SignalCodeIn, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> Any:
    now = clock.now()
    row = service.unmute_signal(session=session, user=user, code=code, now=now)
    return service.settings_read(row, service.local_today(user, now))


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
    _check_range(start, end)
    rows = service.list_checkins(
        session=session, user_id=user.id, start=start, end=end, limit=limit
    )
    return [service.checkin_read(row, keyring) for row in rows]


@router.get("/checkins/{checkin_id}", response_model=CheckInRead, responses=_NOT_FOUND)
def get_checkin(
    checkin_id: uuid.UUID, user: CurrentUser, session: SessionDep, keyring: KeyringDep
) -> Any:
    row = service.get_checkin(session=session, user_id=user.id, checkin_id=checkin_id)
    return service.checkin_read(row, keyring)


@router.patch("/checkins/{checkin_id}", response_model=CheckInRead, responses=_NOT_FOUND)
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
    "/checkins/{checkin_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_NOT_FOUND
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
    responses={409: {"description": "That week is already reviewed"}},
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
    _check_range(start, end)
    rows = service.list_reviews(session=session, user_id=user.id, start=start, end=end)
    return [_review_read(session, user, row, keyring) for row in rows]


@router.get("/weekly-reviews/{review_id}", response_model=WeeklyReviewRead, responses=_NOT_FOUND)
def get_weekly_review(
    review_id: uuid.UUID, user: CurrentUser, session: SessionDep, keyring: KeyringDep
) -> Any:
    row = service.get_review(session=session, user_id=user.id, review_id=review_id)
    return _review_read(session, user, row, keyring)


@router.patch("/weekly-reviews/{review_id}", response_model=WeeklyReviewRead, responses=_NOT_FOUND)
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
    "/weekly-reviews/{review_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_NOT_FOUND
)
def delete_weekly_review(review_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Response:
    session.delete(service.get_review(session=session, user_id=user.id, review_id=review_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- monthly self-checks -----------------------------------------------------------------


@router.get("/self-checks/instruments", response_model=list[InstrumentRead])
def list_instruments(user: CurrentUser) -> Any:
    """The built-in reflection aid, plus any licensed instrument this installation added."""
    return [self_checks.instrument_read(i) for _, i in sorted(instruments().items())]


@router.get(
    "/self-checks/instruments/{instrument_id}", response_model=InstrumentRead, responses=_NOT_FOUND
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
    responses={409: {"description": "That month is already done"}},
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


@router.get("/self-checks/{check_id}", response_model=SelfCheckRead, responses=_NOT_FOUND)
def get_self_check(
    check_id: uuid.UUID, user: CurrentUser, session: SessionDep, keyring: KeyringDep
) -> Any:
    row = self_checks.get_self_check(session=session, user_id=user.id, check_id=check_id)
    return self_checks.self_check_read(session=session, row=row, keyring=keyring)


@router.patch("/self-checks/{check_id}", response_model=SelfCheckRead, responses=_NOT_FOUND)
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
    "/self-checks/{check_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_NOT_FOUND
)
def delete_self_check(check_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Response:
    session.delete(self_checks.get_self_check(session=session, user_id=user.id, check_id=check_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- commitments -------------------------------------------------------------------------


def _commitment_read(row: Any, user: CurrentUser, clock: ClockDep) -> CommitmentRead:
    read = CommitmentRead.model_validate(row)
    read.next_occurrence = commitments.next_occurrence(
        row, now=clock.now(), zone=service.user_zone(user)
    )
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
    zone = service.user_zone(user)
    today = service.local_today(user, clock.now())
    start = start or today
    end = end or start + timedelta(days=13)
    _check_range(start, end)
    if (end - start).days > 92:
        raise Unprocessable("to: ask for at most 92 days at a time.")
    found = commitments.upcoming_commitments(
        session=session,
        user_id=user.id,
        start=local_midnight(start, zone),
        end=local_midnight(end + timedelta(days=1), zone),
    )
    return [OccurrenceRead.model_validate(o, from_attributes=True) for o in found]


@router.get("/commitments/{commitment_id}", response_model=CommitmentRead, responses=_NOT_FOUND)
def get_commitment(
    commitment_id: uuid.UUID, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> Any:
    row = commitments.get_commitment(session=session, user_id=user.id, commitment_id=commitment_id)
    return _commitment_read(row, user, clock)


@router.patch("/commitments/{commitment_id}", response_model=CommitmentRead, responses=_NOT_FOUND)
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
    "/commitments/{commitment_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_NOT_FOUND
)
def delete_commitment(
    commitment_id: uuid.UUID, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> Response:
    commitments.delete_commitment(
        session=session, user=user, commitment_id=commitment_id, now=clock.now()
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- summary and export ------------------------------------------------------------------


@router.get("/summary", response_model=SummaryRead)
def get_summary(
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    period: Literal["week", "month"] = "week",
    end: Annotated[
        date | None, Query(description="Last local date shown; defaults to today.")
    ] = None,
) -> Any:
    """Energy, load and break adherence for a week or a month, with correlations and
    active early-warning signals (each with a gentle nudge and a way to mute it)."""
    if end is not None and not date(2000, 1, 1) <= end <= date(2100, 12, 31):
        raise Unprocessable("end: give a date between 2000 and 2100.")
    return build_summary(session=session, user=user, now=clock.now(), period=period, end=end)


@router.get(
    "/export",
    responses={200: {"content": {"text/csv": {}, "application/json": {}}}},
    response_model=None,
)
def export_wellbeing(
    user: CurrentUser,
    session: SessionDep,
    keyring: KeyringDep,
    clock: ClockDep,
    format: Literal["csv", "json"] = "json",
    dataset: export.Dataset = "checkins",
) -> Response:
    """Your wellbeing data: JSON holds everything; CSV holds one ``dataset`` at a time."""
    stamp = service.local_today(user, clock.now()).isoformat()
    if format == "json":
        body = export.export_json(session=session, user_id=user.id, keyring=keyring)
        return JSONResponse(
            body,
            headers={
                "Content-Disposition": f'attachment; filename="interlude-wellbeing-{stamp}.json"',
                "Cache-Control": "no-store",
            },
        )
    text = export.export_csv(session=session, user_id=user.id, keyring=keyring, dataset=dataset)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="interlude-{dataset}-{stamp}.csv"',
            "Cache-Control": "no-store",
        },
    )
