"""The outbox's database side: expire, claim with a lease, mark the outcome.

Claiming is the only place where workers compete. On PostgreSQL due rows are selected
``FOR UPDATE SKIP LOCKED`` and flipped to ``sending`` in the same transaction, so several
workers take disjoint batches. On SQLite (one worker) the same flip is a conditional UPDATE.
A row whose lease ran out (its worker died) is due again and is reclaimed like a planned one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam, case, func, or_, select, text, update
from sqlalchemy.orm import Session

from interlude.core.db import is_postgres
from interlude.reminders.models import DELIVERED, EXPIRED, PLANNED, SENDING, SENT, Reminder

EXPIRED_REASON = "Not delivered before it expired: the next session had started."
_table: Table = Reminder.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Claimed:
    """A claimed reminder as plain data: the send phase holds no ORM objects or sessions."""

    id: uuid.UUID
    user_id: uuid.UUID
    kind: str
    title: str
    body: str
    due_at: datetime
    expires_at: datetime
    attempts: int
    activity: str | None
    duration_minutes: int
    ritual_steps: tuple[str, ...] = field(default=())
    # The notes time this reminder's gap reserves (issue 21): its push offers "Notes done".
    notes_minutes: int = 0


@dataclass(frozen=True)
class Outcome:
    """What to write back for one claimed reminder."""

    reminder_id: uuid.UUID
    state: str  # sent | failed | expired | planned (retry)
    at: datetime
    due_at: datetime
    next_attempt_at: datetime | None = None
    error: str | None = None


def expire_overdue(*, session: Session, now: datetime) -> int:
    """Planned rows (and dead leases) whose expiry passed become ``expired`` unsent."""
    result = session.execute(
        update(Reminder)
        .where(
            Reminder.expires_at <= now,
            or_(
                Reminder.state == PLANNED,
                (Reminder.state == SENDING) & (Reminder.lease_until < now),
            ),
        )
        .values(
            state=EXPIRED,
            last_error=EXPIRED_REASON,
            lease_owner=None,
            lease_until=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _due_rows(now: datetime) -> ColumnElement[bool]:
    """Planned and due, or leased by a worker whose lease ran out. Core, not ORM: the claim
    is the burst's hot statement, and plain Core skips the ORM's bulk-update machinery."""
    c = _table.c
    return or_(
        (c.state == PLANNED) & (c.next_attempt_at <= now),
        (c.state == SENDING) & (c.lease_until < now),
    )


# The claim returns exactly what ``Claimed`` holds (its fields are the table's column names);
# a field whose column this schema does not have yet keeps its default.
_CLAIMED_COLUMNS = tuple(_table.c[f.name] for f in fields(Claimed) if f.name in _table.c)


def claim_due(
    *, session: Session, now: datetime, owner: str, limit: int, lease: timedelta
) -> list[Claimed]:
    """Take up to ``limit`` due rows for ``owner`` until ``now + lease``; caller commits.

    One statement on both backends: on PostgreSQL the ids come from a ``FOR UPDATE SKIP
    LOCKED`` subquery (rows another worker holds are skipped, not waited for); on SQLite the
    outer UPDATE re-checks that each row is still due.
    """
    c = _table.c
    ids_query = select(c.id).where(_due_rows(now)).order_by(c.next_attempt_at).limit(limit)
    where: ColumnElement[bool]
    if is_postgres(session):
        where = c.id.in_(ids_query.with_for_update(skip_locked=True).scalar_subquery())
    else:
        where = c.id.in_(ids_query.scalar_subquery()) & _due_rows(now)
    rows = session.execute(
        update(_table)
        .where(where)
        .values(
            state=SENDING,
            lease_owner=owner,
            lease_until=now + lease,
            attempts=c.attempts + 1,
            updated_at=now,
        )
        .returning(*_CLAIMED_COLUMNS)
    ).all()
    claimed = [
        Claimed(**{**row._mapping, "ritual_steps": tuple(row.ritual_steps or ())}) for row in rows
    ]
    claimed.sort(key=lambda item: item.due_at)
    return claimed


# PostgreSQL: a batch's outcomes in one statement, each column one array parameter (an
# executemany of 500 UPDATEs was ~17 % of the worker's CPU in a burst). The columns that
# follow from others (sent_at, updated_at, the usual next attempt) are derived here rather
# than sent as more arrays: psycopg adapts every array element in Python.
_MARK_POSTGRES = text(
    """
    UPDATE reminders AS r
    SET state = CASE WHEN v.state = :sent AND r.delivered_at IS NOT NULL
                     THEN :delivered ELSE v.state END,
        sent_at = CASE WHEN v.state = :sent THEN v.at END,
        lateness_ms = v.lateness_ms,
        next_attempt_at = COALESCE(v.next_attempt_at, v.at),
        last_error = v.last_error,
        lease_owner = NULL, lease_until = NULL, updated_at = v.at
    FROM unnest(
        CAST(:ids AS uuid[]), CAST(:states AS varchar[]), CAST(:at AS timestamptz[]),
        CAST(:lateness AS integer[]), CAST(:next_at AS timestamptz[]),
        CAST(:errors AS varchar[])
    ) AS v(id, state, at, lateness_ms, next_attempt_at, last_error)
    WHERE r.id = v.id AND r.state = :sending AND r.lease_owner = :owner
    """
)


def _lateness_ms(item: Outcome) -> int | None:
    if item.state != SENT:
        return None
    return max((item.at - item.due_at) // timedelta(milliseconds=1), 0)


def _error(item: Outcome) -> str | None:
    return item.error[:300] if item.error else None


@contextmanager
def _planned_afresh(session: Session) -> Iterator[None]:
    """Statements run inside are never prepared on the server, so each is planned with its
    own parameters.

    psycopg prepares a statement on its fifth run, after which PostgreSQL may settle on a
    generic plan. For a join against ``unnest(array)`` that plan cannot know the array's
    length, guesses 10 rows, and picked a nested loop over 500 x 500 rows: 90 ms of the
    server's CPU per batch of 500 instead of 8 (found with auto_explain during a burst).
    """
    driver: Any = session.connection().connection.driver_connection
    threshold = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = threshold


def mark(*, session: Session, owner: str, outcomes: Sequence[Outcome]) -> int:
    """Write outcomes back, only for rows this owner still holds (a reclaimed row is not ours).

    Returns the number of rows updated.
    """
    if not outcomes:
        return 0
    if is_postgres(session):
        with _planned_afresh(session):
            result = session.execute(
                _MARK_POSTGRES,
                {
                    "ids": [item.reminder_id for item in outcomes],
                    "states": [item.state for item in outcomes],
                    "at": [item.at for item in outcomes],
                    "lateness": [_lateness_ms(item) for item in outcomes],
                    "next_at": [item.next_attempt_at for item in outcomes],
                    "errors": [_error(item) for item in outcomes],
                    "sent": SENT,
                    "delivered": DELIVERED,
                    "sending": SENDING,
                    "owner": owner,
                },
            )
        return int(getattr(result, "rowcount", 0) or 0)
    rows = [
        (
            item.reminder_id,
            item.state,
            item.at if item.state == SENT else None,
            _lateness_ms(item),
            item.next_attempt_at or item.at,
            _error(item),
            item.at,
        )
        for item in outcomes
    ]
    names = ("b_id", "b_state", "b_sent_at", "b_lateness", "b_next", "b_error", "b_now")
    stmt = (
        update(_table)
        .where(
            _table.c.id == bindparam("b_id"),
            _table.c.state == SENDING,
            _table.c.lease_owner == owner,
        )
        .values(
            # A receipt that came while the row was being sent: the device already showed it.
            state=case(
                (
                    (bindparam("b_state") == SENT) & _table.c.delivered_at.is_not(None),
                    DELIVERED,
                ),
                else_=bindparam("b_state"),
            ),
            sent_at=bindparam("b_sent_at"),
            lateness_ms=bindparam("b_lateness"),
            next_attempt_at=bindparam("b_next"),
            last_error=bindparam("b_error"),
            lease_owner=None,
            lease_until=None,
            updated_at=bindparam("b_now"),
        )
    )
    params = [dict(zip(names, row, strict=True)) for row in rows]
    result = session.connection().execute(stmt, params)
    return int(getattr(result, "rowcount", 0) or 0)


def extend_lease(*, session: Session, owner: str, ids: Sequence[uuid.UUID], until: datetime) -> int:
    """Push the lease of rows this owner still holds to ``until``; caller commits."""
    result = session.execute(
        update(Reminder)
        .where(Reminder.id.in_(list(ids)), Reminder.state == SENDING, Reminder.lease_owner == owner)
        .values(lease_until=until)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def next_wake(*, session: Session) -> datetime | None:
    """When the earliest planned row is due, or the earliest lease runs out."""
    planned = session.scalar(
        select(func.min(Reminder.next_attempt_at)).where(Reminder.state == PLANNED)
    )
    leased = session.scalar(select(func.min(Reminder.lease_until)).where(Reminder.state == SENDING))
    candidates = [t for t in (planned, leased) if t is not None]
    return min(candidates) if candidates else None
