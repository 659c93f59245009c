"""The reminder list's lean read: one statement with the sign-in, rows straight to JSON.

See ``interlude.accounts.reads``. ``ReminderJSON`` mirrors ``schemas.ReminderRead`` field for
field, in order, so the bytes are the ones FastAPI writes from the response model
(tests/accounts/test_reads.py holds them equal).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CTE, Select, and_, bindparam, select
from typing_extensions import TypedDict

from interlude.accounts.reads import row_encoder, signed_in_statement
from interlude.reminders.models import Reminder

LIMIT = 2000


class ReminderJSON(TypedDict):
    id: uuid.UUID
    kind: str
    due_at: datetime
    expires_at: datetime
    state: str
    title: str
    body: str
    activity: str | None
    duration_minutes: int
    ritual_steps: list[str]
    attempts: int
    sent_at: datetime | None
    last_error: str | None
    ack_action: str | None
    acked_at: datetime | None
    snoozed_from_id: uuid.UUID | None


_COLUMNS = [getattr(Reminder, name) for name in ReminderJSON.__annotations__]


def _statement(*, with_states: bool) -> Select[Any]:
    def build(auth: CTE) -> Select[Any]:
        on = [
            Reminder.user_id == auth.c.user_id,
            Reminder.due_at >= bindparam("start"),
            Reminder.due_at < bindparam("end"),
        ]
        if with_states:
            on.append(Reminder.state.in_(bindparam("states", expanding=True)))
        return (
            select(auth.c.id, auth.c.last_used_at, *_COLUMNS)
            .select_from(auth.outerjoin(Reminder, and_(*on)))
            .order_by(Reminder.due_at, Reminder.kind)
            .limit(LIMIT)
        )

    return signed_in_statement(build)


ALL_STATES = _statement(with_states=False)
SOME_STATES = _statement(with_states=True)


encode = row_encoder(ReminderJSON)
