"""``GET /summary``: a week or a month of energy, load and adherence, with the signals."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from interlude.accounts.auth import CurrentUser
from interlude.core.deps import ClockDep, SessionDep
from interlude.wellbeing.schemas import (
    SaneDate,
)
from interlude.wellbeing.summary import build_summary
from interlude.wellbeing.summary_schemas import SummaryRead

router = APIRouter()


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
