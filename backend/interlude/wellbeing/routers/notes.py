"""``GET /notes``: the notes backlog and the ran-over counts (Today's backlog card, and the
Well-being screen beside the load indicators)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from interlude.accounts.auth import CurrentUser
from interlude.core.deps import ClockDep, SessionDep
from interlude.wellbeing.notes import notes_load
from interlude.wellbeing.summary_schemas import NotesLoadRead

router = APIRouter()


@router.get("/notes", response_model=NotesLoadRead)
def get_notes_load(user: CurrentUser, session: SessionDep, clock: ClockDep) -> Any:
    """Sessions still without notes (those notes time applies to, ended in the last
    ``backlog_days`` days: the count and the newest 50), and how many sessions ran over in the
    last 28 days. While notes time is off (care plan ``notes_minutes`` 0) the backlog is 0."""
    return notes_load(session=session, user_id=user.id, now=clock.now())
