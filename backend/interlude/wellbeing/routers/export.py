"""``GET /export``: the user's wellbeing data as JSON (everything) or CSV (one table)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from interlude.accounts.auth import CurrentUser
from interlude.core.deps import ClockDep, KeyringDep, SessionDep
from interlude.wellbeing import export, service

router = APIRouter()


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
