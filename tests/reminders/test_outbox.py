"""The outbox's writes on both backends: what ``mark`` stores for each outcome, the batch
helpers' id lists, and (PostgreSQL) that the batch statement is planned afresh each time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from interlude.core.clock import FrozenClock
from interlude.core.db import is_postgres, one_of
from interlude.reminders import outbox
from interlude.reminders.models import EXPIRED, FAILED, PLANNED, SENT, Reminder
from tests.conftest import POSTGRES_URL
from tests.reminders.factories import make_reminder

LEASE = timedelta(seconds=30)
ON_POSTGRES = pytest.mark.parametrize("db_backend", ["postgres"] if POSTGRES_URL else [])


def _claim(db: Session, now, count: int) -> list[outbox.Claimed]:  # type: ignore[no-untyped-def]
    claimed = outbox.claim_due(session=db, now=now, owner="w", limit=count, lease=LEASE)
    db.commit()
    return claimed


def test_mark_stores_what_each_outcome_means(db: Session, user, clock: FrozenClock) -> None:
    now = clock.now()
    rows = [make_reminder(db, user_id=user.id, due_at=now - timedelta(seconds=n)) for n in range(4)]
    claimed = {c.id: c for c in _claim(db, now, 10)}
    assert set(claimed) == {r.id for r in rows}
    sent, retry, failed, expired = rows
    at = now + timedelta(seconds=1, microseconds=234_999)
    retry_at = now + timedelta(seconds=8)
    outcomes = [
        outbox.Outcome(sent.id, SENT, at, sent.due_at),
        outbox.Outcome(retry.id, PLANNED, at, retry.due_at, retry_at, "push service error (503)"),
        outbox.Outcome(failed.id, FAILED, at, failed.due_at, error="x" * 400),
        outbox.Outcome(expired.id, EXPIRED, at, expired.due_at, error="too late"),
    ]

    assert outbox.mark(session=db, owner="w", outcomes=outcomes) == 4
    db.commit()
    db.expire_all()
    got = {r.id: r for r in db.scalars(select(Reminder))}

    assert (got[sent.id].state, got[sent.id].sent_at, got[sent.id].lateness_ms) == (SENT, at, 1234)
    assert got[sent.id].next_attempt_at == at and got[sent.id].last_error is None
    assert (got[retry.id].state, got[retry.id].next_attempt_at) == (PLANNED, retry_at)
    assert (got[retry.id].sent_at, got[retry.id].lateness_ms) == (None, None)
    assert got[retry.id].last_error == "push service error (503)"
    assert got[failed.id].last_error == "x" * 300
    assert (got[expired.id].state, got[expired.id].sent_at) == (EXPIRED, None)
    for row in got.values():
        assert (row.lease_owner, row.lease_until, row.updated_at) == (None, None, at)


def test_mark_leaves_rows_the_owner_no_longer_holds(db: Session, user, clock: FrozenClock) -> None:
    now = clock.now()
    row = make_reminder(db, user_id=user.id, due_at=now)
    _claim(db, now, 1)
    outcome = outbox.Outcome(row.id, SENT, now, row.due_at)
    assert outbox.mark(session=db, owner="someone else", outcomes=[outcome]) == 0


@ON_POSTGRES
def test_the_batch_outcome_statement_is_never_a_prepared_generic_plan(
    db: Session, user, clock: FrozenClock
) -> None:
    """psycopg prepares a statement on its fifth run; PostgreSQL's generic plan for a join
    against unnest(array) guessed 10 rows and ran 500 x 500 nested loops. The claim, run as
    often, shows that this connection does prepare statements."""
    now = clock.now()
    for _ in range(7):
        row = make_reminder(db, user_id=user.id, due_at=now)
        [claimed] = _claim(db, now, 1)
        assert claimed.id == row.id
        outbox.mark(session=db, owner="w", outcomes=[outbox.Outcome(row.id, SENT, now, now)])
        db.commit()
    prepared = db.scalars(text("SELECT statement FROM pg_prepared_statements")).all()
    assert any("FOR UPDATE SKIP LOCKED" in sql for sql in prepared)
    assert not any("unnest(" in sql for sql in prepared)


def test_one_of_matches_exactly_the_listed_values(db: Session, user, clock: FrozenClock) -> None:
    now = clock.now()
    rows = [make_reminder(db, user_id=user.id, due_at=now) for _ in range(3)]
    ids = [r.id for r in rows]

    def matching(values: list) -> set:  # type: ignore[type-arg]
        return set(db.scalars(select(Reminder.id).where(one_of(db, Reminder.id, values))))

    assert matching(ids[:2]) == set(ids[:2])
    assert matching([ids[2]]) == {ids[2]}
    assert matching([]) == set()
    assert ("ANY" in str(one_of(db, Reminder.id, ids))) == is_postgres(db)


def test_a_claim_carries_the_notes_time_the_gap_reserves(
    db: Session, user, clock: FrozenClock
) -> None:
    """The push payload offers "Notes done" from it."""
    now = clock.now()
    with_notes = make_reminder(db, user_id=user.id, due_at=now, notes_minutes=10)
    plain = make_reminder(db, user_id=user.id, due_at=now - timedelta(seconds=1))
    claimed = {c.id: c for c in _claim(db, now, 10)}
    assert (claimed[with_notes.id].notes_minutes, claimed[plain.id].notes_minutes) == (10, 0)
