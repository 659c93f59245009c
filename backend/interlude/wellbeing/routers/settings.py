"""Wellbeing settings and the early-warning signals: which show, which are muted."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from interlude.accounts.auth import CurrentUser
from interlude.core.deps import ClockDep, SessionDep
from interlude.wellbeing import service
from interlude.wellbeing.schemas import (
    MuteRequest,
    SettingsRead,
    SettingsUpdate,
    SignalCodeIn,
    SignalsRead,
)
from interlude.wellbeing.summary import build_summary

router = APIRouter()


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
