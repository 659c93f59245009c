"""The appointment list's lean read: one statement with the sign-in, rows straight to JSON.

See ``interlude.accounts.reads``. ``AppointmentJSON`` mirrors ``schemas.AppointmentRead``
field for field, in order, so the bytes are the ones FastAPI writes from the response model
(tests/accounts/test_reads.py holds them equal).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CTE, Select, and_, bindparam, select
from typing_extensions import TypedDict

from interlude.accounts.reads import row_encoder, signed_in_statement
from interlude.calendars.models import Appointment


class AppointmentJSON(TypedDict):
    id: uuid.UUID
    source_id: uuid.UUID
    start: datetime
    end: datetime
    all_day: bool
    kind: str
    telehealth: bool
    intense: bool


_COLUMNS = [getattr(Appointment, name) for name in AppointmentJSON.__annotations__]


def _build(auth: CTE) -> Select[Any]:
    """Busy appointments overlapping [:start, :end), by start (then end, then id)."""
    on = and_(
        Appointment.user_id == auth.c.user_id,
        Appointment.end > bindparam("start"),
        Appointment.start < bindparam("end"),
    )
    return (
        select(auth.c.id, auth.c.last_used_at, *_COLUMNS)
        .select_from(auth.outerjoin(Appointment, on))
        .order_by(Appointment.start, Appointment.end, Appointment.id)
    )


STATEMENT = signed_in_statement(_build)


encode = row_encoder(AppointmentJSON)
