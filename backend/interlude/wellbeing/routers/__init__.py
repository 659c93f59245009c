"""HTTP API of the wellbeing domain, under ``/api/v1/wellbeing``: one module per resource."""

from __future__ import annotations

from fastapi import APIRouter

from interlude.core.errors import error_response
from interlude.wellbeing.routers import (
    commitments,
    export,
    journal,
    notes,
    self_checks,
    settings,
    summary,
)

router = APIRouter(
    prefix="/api/v1/wellbeing",
    tags=["wellbeing"],
    responses={**error_response(401, "Not signed in")},
)
for part in (settings, summary, notes, export, journal, self_checks, commitments):
    router.include_router(part.router)
