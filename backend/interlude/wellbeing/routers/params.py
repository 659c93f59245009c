"""Query parameters and helpers shared by the wellbeing routers."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Query

from interlude.core.errors import Unprocessable, error_response
from interlude.wellbeing.schemas import SaneDate

NOT_FOUND: dict[int | str, dict[str, Any]] = error_response(404, "No such object (or not yours)")
FromDate = Annotated[
    SaneDate | None, Query(alias="from", description="First local date, inclusive.")
]
ToDate = Annotated[SaneDate | None, Query(alias="to", description="Last local date, inclusive.")]


def check_range(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise Unprocessable("to: must be on or after from.")
