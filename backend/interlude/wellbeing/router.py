"""HTTP API of the wellbeing domain, under ``/api/v1/wellbeing``.

Settings, signal mutes, the summary and the export live here; check-ins and reviews in
``routes_journal``, self-checks and commitments in ``routes_practice``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from interlude.accounts.auth import CurrentUser
from interlude.core.deps import ClockDep, KeyringDep, SessionDep
from interlude.core.errors import error_response
from interlude.wellbeing import (
    export,
    routes_journal,
    routes_practice,
    service,
)
from interlude.wellbeing.schemas import (
    MuteRequest,
    SaneDate,
    SettingsRead,
    SettingsUpdate,
    SignalCodeIn,
    SignalsRead,
)
from interlude.wellbeing.summary import build_summary
from interlude.wellbeing.summary_schemas import SummaryRead

router = APIRouter(
    prefix="/api/v1/wellbeing",
    tags=["wellbeing"],
    responses={**error_response(401, "Not signed in")},
)


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


@router.get("/signals", response_model=SignalsRead)
def list_active_signals(user: CurrentUser, session: SessionDep, clock: ClockDep) -> Any:
    """The early-warning signals active today (muted ones left out), for a badge or banner."""
    summary = build_summary(session=session, user=user, now=clock.now(), period="week", end=None)
    return {"signals": summary["signals"], "muted_signals": summary["muted_signals"]}


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


# --- summary and export ------------------------------------------------------------------


@router.get("/summary", response_model=SummaryRead)
def get_summary(
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    period: Literal["week", "month"] = "week",
    end: Annotated[
        SaneDate | None, Query(description="Last local date shown; defaults to today.")
    ] = None,
) -> Any:
    """Energy, load and break adherence for a week or a month, with correlations and
    active early-warning signals (each with a gentle nudge and a way to mute it)."""
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


router.include_router(routes_journal.router)
router.include_router(routes_practice.router)
