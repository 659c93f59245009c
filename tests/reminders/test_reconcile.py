"""Re-planning is idempotent: unchanged rows stay, moved ones move, removed ones cancel."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlude.core.clock import FrozenClock
from interlude.reminders.models import CANCELLED, PLANNED, SENT, Reminder
from interlude.reminders.service import reconcile
from tests.reminders.factories import planned

HORIZON = timedelta(days=14)


def _rows(db: Session, user_id: object) -> list[Reminder]:
    db.expire_all()
    return list(
        db.scalars(select(Reminder).where(Reminder.user_id == user_id).order_by(Reminder.due_at))
    )


def _reconcile(db: Session, user_id: object, items: list, now):  # type: ignore[no-untyped-def]
    result = reconcile(
        session=db, user_id=user_id, planned=items, now=now, horizon_end=now + HORIZON
    )
    db.commit()
    return result


def test_same_plan_twice_keeps_the_same_rows(db: Session, user, clock: FrozenClock) -> None:
    now = clock.now()
    items = [planned(now + timedelta(hours=h), anchor=f"a{h}") for h in (1, 2, 3)]
    first = _reconcile(db, user.id, items, now)
    ids = [r.id for r in _rows(db, user.id)]
    second = _reconcile(db, user.id, items, now)

    assert (first.inserted, second.inserted, second.unchanged) == (3, 0, 3)
    assert [r.id for r in _rows(db, user.id)] == ids
    assert {r.state for r in _rows(db, user.id)} == {PLANNED}


def test_moved_session_moves_its_reminder(db: Session, user, clock: FrozenClock) -> None:
    now = clock.now()
    before = planned(now + timedelta(hours=2), anchor="s1")
    _reconcile(db, user.id, [before], now)
    after = planned(now + timedelta(hours=3), anchor="s1")
    result = _reconcile(db, user.id, [after], now)

    rows = _rows(db, user.id)
    assert (result.inserted, result.cancelled) == (1, 1)
    assert [(r.key, r.state) for r in rows] == [(before.key, CANCELLED), (after.key, PLANNED)]
    assert rows[1].due_at == after.due_at and rows[1].next_attempt_at == after.due_at
    assert "moved or was removed" in (rows[0].last_error or "")


def test_deleted_session_cancels_and_restored_one_revives(
    db: Session, user, clock: FrozenClock
) -> None:
    now = clock.now()
    item = planned(now + timedelta(hours=1))
    _reconcile(db, user.id, [item], now)
    assert _reconcile(db, user.id, [], now).cancelled == 1
    assert _rows(db, user.id)[0].state == CANCELLED

    result = _reconcile(db, user.id, [item], now)
    [row] = _rows(db, user.id)
    assert result.revived == 1 and row.state == PLANNED and row.last_error is None


def test_changed_text_updates_in_place(db: Session, user, clock: FrozenClock) -> None:
    now = clock.now()
    item = planned(now + timedelta(hours=1), title="Breathe")
    _reconcile(db, user.id, [item], now)
    [row] = _rows(db, user.id)
    changed = planned(now + timedelta(hours=1), title="Stretch", expires_in=timedelta(minutes=7))
    result = _reconcile(db, user.id, [changed], now)

    [again] = _rows(db, user.id)
    assert result.updated == 1 and again.id == row.id
    assert again.title == "Stretch" and again.expires_at == changed.expires_at


def test_rows_already_sent_or_acked_are_never_touched(
    db: Session, user, clock: FrozenClock
) -> None:
    now = clock.now()
    sent_item = planned(now + timedelta(minutes=30), anchor="sent")
    acked_item = planned(now + timedelta(minutes=40), anchor="acked")
    _reconcile(db, user.id, [sent_item, acked_item], now)
    rows = {r.anchor: r for r in _rows(db, user.id)}
    rows["sent"].state = SENT
    rows["acked"].ack_action = "skip"
    db.commit()

    result = _reconcile(db, user.id, [], now)  # both sessions deleted
    states = {r.anchor: (r.state, r.ack_action) for r in _rows(db, user.id)}
    assert result.cancelled == 0
    assert states == {"sent": (SENT, None), "acked": (PLANNED, "skip")}
    # And a re-plan that wants them again changes nothing either.
    again = _reconcile(db, user.id, [replace(sent_item, title="x")], now)
    assert again.updated == 0 and _rows(db, user.id)[0].title != "x"


def test_due_but_unexpired_reminders_are_kept_and_past_ones_ignored(
    db: Session, user, clock: FrozenClock
) -> None:
    now = clock.now()
    overdue_alive = planned(now - timedelta(minutes=1), expires_in=timedelta(minutes=10))
    dead = planned(now - timedelta(minutes=20), anchor="old", expires_in=timedelta(minutes=10))
    result = _reconcile(db, user.id, [overdue_alive, dead], now)
    assert result.inserted == 1
    assert [r.key for r in _rows(db, user.id)] == [overdue_alive.key]


def test_rows_beyond_the_horizon_and_snoozes_are_left_alone(
    db: Session, user, clock: FrozenClock
) -> None:
    now = clock.now()
    far = planned(now + HORIZON + timedelta(days=2), anchor="far")
    reconcile(session=db, user_id=user.id, planned=[far], now=now, horizon_end=far.due_at + HORIZON)
    db.commit()
    result = _reconcile(db, user.id, [], now)
    assert result.cancelled == 0 and _rows(db, user.id)[0].state == PLANNED


def test_users_are_isolated(db: Session, user, other_user, clock: FrozenClock) -> None:
    now = clock.now()
    item = planned(now + timedelta(hours=1))
    _reconcile(db, user.id, [item], now)
    _reconcile(db, other_user.id, [item], now)  # same key, other user: its own row
    _reconcile(db, other_user.id, [], now)
    assert _rows(db, user.id)[0].state == PLANNED
    assert _rows(db, other_user.id)[0].state == CANCELLED


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    plans=st.lists(
        st.sets(st.tuples(st.integers(0, 5), st.integers(-2, 30)), max_size=6),
        min_size=1,
        max_size=4,
    )
)
def test_any_sequence_of_plans_leaves_exactly_the_last_one_planned(
    db: Session, user, clock: FrozenClock, plans: list[set[tuple[int, int]]]
) -> None:
    """Whatever plans came before, the live planned rows are the last plan, once each."""
    db.query(Reminder).where(Reminder.user_id == user.id).delete()
    db.commit()
    now = clock.now()
    for slots in plans:
        items = [
            planned(now + timedelta(minutes=10 * due), anchor=f"s{anchor}") for anchor, due in slots
        ]
        _reconcile(db, user.id, items, now)
    last = {  # those still alive at ``now`` (each expires 10 minutes after it is due)
        planned(now + timedelta(minutes=10 * due), anchor=f"s{anchor}").key
        for anchor, due in plans[-1]
        if due >= 0
    }
    rows = _rows(db, user.id)
    live = [r.key for r in rows if r.state == PLANNED]
    assert sorted(live) == sorted(last)
    assert len({r.key for r in rows}) == len(rows)  # one row per key, ever
    again = _reconcile(
        db,
        user.id,
        [
            planned(now + timedelta(minutes=10 * due), anchor=f"s{anchor}")
            for anchor, due in plans[-1]
        ],
        now,
    )
    assert (again.inserted, again.updated, again.cancelled, again.revived) == (0, 0, 0, 0)


def test_a_row_claimed_meanwhile_is_not_cancelled(
    db: Session, runtime, user, clock: FrozenClock
) -> None:
    from interlude.reminders import outbox
    from interlude.reminders.models import SENDING

    now = clock.now()
    item = planned(now + timedelta(minutes=1))
    _reconcile(db, user.id, [item], now)
    [row] = _rows(db, user.id)  # this session now believes the row is planned
    later = now + timedelta(minutes=1)
    with runtime.session() as worker_session:  # a worker claims it in its own transaction
        claimed = outbox.claim_due(
            session=worker_session, now=later, owner="w", limit=5, lease=timedelta(seconds=30)
        )
    assert [c.id for c in claimed] == [row.id]

    result = reconcile(session=db, user_id=user.id, planned=[], now=now, horizon_end=now + HORIZON)
    db.commit()

    assert result.cancelled == 0
    assert _rows(db, user.id)[0].state == SENDING
