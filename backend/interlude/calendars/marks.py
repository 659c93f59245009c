"""Marks on one occurrence (flags only, never text), and what is counted from them: the
notes backlog and how often sessions ran over.

A mark is a row in ``occurrence_marks`` keyed by the occurrence's source and identity hash, so
it outlives re-syncs; the appointment's column of the same name carries the effective value
for readers (the sync in ``service.py`` copies the marks onto the rows it writes).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from interlude.accounts.models import User
from interlude.calendars.models import OCCURRENCE_MARKS, Appointment, OccurrenceMark
from interlude.core import hooks
from interlude.core.db import is_postgres
from interlude.core.errors import NotFound, Unprocessable


def occurrence_marks(*, session: Session, source_id: uuid.UUID) -> dict[tuple[str, str], bool]:
    """The marks set on a source's occurrences: (identity hash, mark) -> value."""
    rows = session.execute(
        select(OccurrenceMark.identity_hash, OccurrenceMark.mark, OccurrenceMark.value).where(
            OccurrenceMark.source_id == source_id
        )
    )
    return {(row.identity_hash, row.mark): row.value for row in rows}


def _put_mark(
    *,
    session: Session,
    appointment: Appointment,
    mark: str,
    value: bool,
    now: datetime,
    overwrite: bool = True,
) -> bool:
    """Insert or update one mark (one statement: two devices marking at once both land).

    ``overwrite=False`` only inserts: an existing mark stays. Returns whether a row was written.
    """
    insert = postgresql_insert if is_postgres(session) else sqlite_insert
    statement = insert(OccurrenceMark).values(
        id=uuid.uuid4(),
        user_id=appointment.user_id,
        source_id=appointment.source_id,
        identity_hash=appointment.identity_hash,
        mark=mark,
        value=value,
        updated_at=now,
    )
    keys = ["source_id", "identity_hash", "mark"]
    written = session.execute(
        (
            statement.on_conflict_do_update(
                index_elements=keys, set_={"value": value, "updated_at": now}
            )
            if overwrite
            else statement.on_conflict_do_nothing(index_elements=keys)
        ).returning(OccurrenceMark.id)
    ).scalar()
    return written is not None


def mark_occurrence(
    *,
    session: Session,
    user: User,
    appointment_id: uuid.UUID,
    marks: dict[str, bool],
    now: datetime,
) -> Appointment:
    """Set flags on one occurrence (kept across re-syncs); the reminders re-plan on a change.

    Not the user's, or unknown: NotFound.
    """
    appointment = session.get(Appointment, appointment_id)
    if appointment is None or appointment.user_id != user.id:
        raise NotFound("No appointment with this id.")
    unknown = sorted(set(marks) - set(OCCURRENCE_MARKS))
    if unknown:  # pragma: no cover - the schema only lets known marks through
        raise Unprocessable(f"Unknown mark {unknown[0]!r}.")
    changed = False
    for mark, value in marks.items():
        _put_mark(session=session, appointment=appointment, mark=mark, value=value, now=now)
        if getattr(appointment, mark) != value:
            setattr(appointment, mark, value)
            changed = True
    session.flush()
    if changed:
        hooks.schedule_changed(session=session, user_id=user.id, now=now)
    return appointment


def appointment_for_anchor(
    *, session: Session, user_id: uuid.UUID, identity: str, near: datetime
) -> Appointment | None:
    """The user's appointment a reminder hangs on (its anchor is the identity hash), or None.

    The same event in two of the user's calendars shares its identity: the one ending nearest
    ``near`` (the reminder's due time, a session's end) is the one meant.
    """
    found = session.scalars(
        select(Appointment).where(
            Appointment.user_id == user_id, Appointment.identity_hash == identity
        )
    ).all()
    return min(found, key=lambda a: (abs(a.end - near), str(a.id)), default=None)


def infer_ran_over(*, session: Session, appointment: Appointment, now: datetime) -> bool:
    """Mark the occurrence ran over, unless it has a ran-over mark already: one the therapist
    set (either way) wins, and an earlier inference said so already. Insert-only, in one
    statement, so a mark set at the same moment is never overwritten. No re-plan: the planner
    does not read it. Returns whether it marked."""
    if not _put_mark(
        session=session,
        appointment=appointment,
        mark="ran_over",
        value=True,
        now=now,
        overwrite=False,
    ):
        return False
    appointment.ran_over = True
    session.flush()
    return True


# --- counted from the marks ----------------------------------------------------------------

NotesAppliesTo = Literal["every", "intense", "telehealth"]
# The most unnoted sessions one answer lists (the count is always the full one).
BACKLOG_LIST_LIMIT = 50


@dataclass(frozen=True, slots=True)
class UnnotedSessions:
    count: int  # every applicable session in the range without notes
    newest: list[Appointment]  # the newest of them, at most the limit asked for


def _sessions_ended(
    user_id: uuid.UUID, since: datetime, until: datetime
) -> tuple[ColumnElement[bool], ...]:
    """Client sessions with a time (as well-being counts them) that ended in (since, until]."""
    return (
        Appointment.user_id == user_id,
        Appointment.kind == "session",
        Appointment.all_day == false(),
        Appointment.end > Appointment.start,
        Appointment.end > since,
        Appointment.end <= until,
    )


def unnoted_sessions(
    *,
    session: Session,
    user_id: uuid.UUID,
    since: datetime,
    until: datetime,
    applies_to: NotesAppliesTo,
    limit: int = BACKLOG_LIST_LIMIT,
) -> UnnotedSessions:
    """The notes backlog: sessions that notes time applies to (every session, intense ones
    or telehealth ones) that ended in (since, until] without "notes done", newest first."""
    where = [*_sessions_ended(user_id, since, until), Appointment.notes_done == false()]
    if applies_to == "intense":
        where.append(Appointment.intense.is_(True))
    elif applies_to == "telehealth":
        where.append(Appointment.telehealth.is_(True))
    count = session.scalar(select(func.count()).select_from(Appointment).where(*where)) or 0
    newest = session.scalars(
        select(Appointment)
        .where(*where)
        .order_by(Appointment.end.desc(), Appointment.start.desc(), Appointment.id)
        .limit(limit)
    ).all()
    return UnnotedSessions(count=int(count), newest=list(newest))


def ran_over_counts(
    *, session: Session, user_id: uuid.UUID, since: datetime, until: datetime
) -> tuple[int, int]:
    """(sessions that ended in (since, until], those of them that ran over)."""
    row = session.execute(
        select(
            func.count(),
            func.count().filter(Appointment.ran_over.is_(True)),
        ).where(*_sessions_ended(user_id, since, until))
    ).one()
    return int(row[0]), int(row[1])
