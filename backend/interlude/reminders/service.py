"""Re-planning the outbox, listing reminders and recording what the therapist did with them.

Re-planning is a reconciliation between the planner's output and the user's ``planned`` rows:
unchanged reminders keep their row (and id), moved sessions move their reminders (the old row
is cancelled, a new one inserted: the key includes the due time), deleted sessions cancel
theirs. Rows that a worker already holds (``sending``), that are final, or that the therapist
acknowledged are never touched.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from interlude.accounts.models import User
from interlude.core.errors import Conflict, NotFound
from interlude.core.settings import get_settings
from interlude.core.timezones import hhmm, user_zone
from interlude.planner import PlannedReminder, plan
from interlude.reminders import session_marks
from interlude.reminders.models import (
    CANCELLED,
    DELIVERED,
    PLANNED,
    SENDING,
    SENT,
    BreaksFeedToken,
    Reminder,
)
from interlude.reminders.planning import load_plan_inputs
from interlude.reminders.schemas import ReminderRead

log = logging.getLogger("interlude.reminders")

SNOOZE_PREFIX = "snooze:"
# A phone's clock a little ahead of the server's may say a break has begun a moment early.
DONE_CLOCK_SKEW = timedelta(minutes=1)
# The most one list answers: bounds the answer for an account with an unusual schedule.
LIST_LIMIT = 2000
# The planner also needs the session running at ``now`` and the day's earlier sessions.
_LOOKBACK = timedelta(days=1)
_LOOKAHEAD_MARGIN = timedelta(days=1)


@dataclass(frozen=True)
class ReplanResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    cancelled: int = 0
    revived: int = 0


# --- re-planning ---------------------------------------------------------------------------


def _content_of(planned: PlannedReminder) -> dict[str, object]:
    return {
        "kind": planned.kind,
        "anchor": planned.anchor,
        "expires_at": planned.expires_at,
        "title": planned.title[:200],
        "body": planned.body[:500],
        "activity": planned.activity,
        "duration_minutes": planned.duration_minutes,
        "ritual_steps": list(planned.ritual_steps),
        "ritual_name": planned.ritual_name[:120] if planned.ritual_name else None,
        "ritual_minutes": planned.ritual_minutes,
        "notes_minutes": planned.notes_minutes,
    }


def reconcile(
    *,
    session: Session,
    user_id: uuid.UUID,
    planned: Sequence[PlannedReminder],
    now: datetime,
    horizon_end: datetime,
) -> ReplanResult:
    """Make the user's outbox match ``planned`` for reminders still alive at ``now``.

    A reminder already due but not yet expired is kept (and inserted when new: a session that
    just ended still deserves its break), so the window is: expires after ``now``, due before
    ``horizon_end``.
    """
    wanted = {p.key: p for p in planned if p.expires_at > now and p.expires_at > p.due_at}
    existing = {
        row.key: row
        for row in session.scalars(
            select(Reminder).where(
                Reminder.user_id == user_id,
                (Reminder.key.in_(list(wanted)))
                | (
                    (Reminder.state == PLANNED)
                    & (Reminder.expires_at > now)
                    & (Reminder.due_at < horizon_end)
                ),
            )
        )
    }
    inserted = updated = unchanged = cancelled = revived = 0
    stale = [
        old.id
        for key, old in existing.items()
        if key not in wanted
        and not key.startswith(SNOOZE_PREFIX)
        and old.state == PLANNED
        and old.ack_action is None
    ]
    if stale:
        # Conditional: a worker may have claimed one since it was read; that one stays its.
        result = session.execute(
            update(Reminder)
            .where(
                Reminder.id.in_(stale),
                Reminder.state == PLANNED,
                Reminder.ack_action.is_(None),
            )
            .values(
                state=CANCELLED,
                last_error="The session or commitment this reminder belonged to moved or was "
                "removed.",
                updated_at=now,
            )
            .execution_options(synchronize_session="fetch")
        )
        cancelled = int(getattr(result, "rowcount", 0) or 0)
    for key, item in wanted.items():
        content = _content_of(item)
        row = existing.get(key)
        if row is None:
            session.add(
                Reminder(
                    user_id=user_id,
                    key=key,
                    due_at=item.due_at,
                    next_attempt_at=item.due_at,
                    state=PLANNED,
                    attempts=0,
                    created_at=now,
                    updated_at=now,
                    **content,
                )
            )
            inserted += 1
            continue
        if row.ack_action is not None or row.state not in (PLANNED, CANCELLED):
            unchanged += 1
            continue
        if row.state == CANCELLED:
            # The session came back (restored in the calendar): the same reminder again.
            row.state = PLANNED
            row.attempts = 0
            row.next_attempt_at = row.due_at
            row.last_error = None
            revived += 1
        elif all(getattr(row, name) == value for name, value in content.items()):
            unchanged += 1
            continue
        else:
            updated += 1
        for name, value in content.items():
            setattr(row, name, value)
        row.updated_at = now
    session.flush()
    return ReplanResult(inserted, updated, unchanged, cancelled, revived)


def _user_zone(session: Session, user_id: uuid.UUID) -> ZoneInfo | None:
    user = session.get(User, user_id)
    return user_zone(user) if user is not None else None


def _horizon_days() -> int:
    return int(get_settings().sync_future_days)


def replan_user(
    *, session: Session, user_id: uuid.UUID, now: datetime, horizon_days: int | None = None
) -> ReplanResult:
    """Run the planner over [now, now + sync_future_days] and reconcile the outbox."""
    zone = _user_zone(session, user_id)
    if zone is None:
        return ReplanResult()
    horizon_end = now + timedelta(days=horizon_days or _horizon_days())
    inputs = load_plan_inputs(
        session=session, user_id=user_id, start=now - _LOOKBACK, end=horizon_end + _LOOKAHEAD_MARGIN
    )
    planned = plan(
        inputs.appointments,
        inputs.care_plan,
        zone,
        now,
        horizon_end,
        commitments=inputs.commitments,
    )
    result = reconcile(
        session=session, user_id=user_id, planned=planned, now=now, horizon_end=horizon_end
    )
    log.info(
        "re-planned user %s: %d new, %d updated, %d cancelled",
        user_id,
        result.inserted,
        result.updated + result.revived,
        result.cancelled,
    )
    return result


def replan_on_schedule_change(*, session: Session, user_id: uuid.UUID, now: datetime) -> None:
    """Re-plan inside the caller's transaction, in a savepoint: a planning failure must not
    lose the calendar sync or care-plan change that triggered it (the worker's periodic
    re-plan repairs the outbox later)."""
    try:
        with session.begin_nested():
            replan_user(session=session, user_id=user_id, now=now)
    except Exception as exc:
        log.error("re-planning failed for user %s: %s", user_id, type(exc).__name__, exc_info=exc)


# --- reading -------------------------------------------------------------------------------


_READ_COLUMNS = tuple(getattr(Reminder, name) for name in ReminderRead.model_fields)


def list_reminders(
    *,
    session: Session,
    user_id: uuid.UUID,
    start: datetime,
    end: datetime,
    states: Sequence[str] | None = None,
    limit: int = LIST_LIMIT,
) -> Sequence[Row[tuple[object, ...]]]:
    """The user's reminders due in [start, end), earliest first (at most ``limit``): the
    columns ReminderRead shows, as rows (no ORM objects to build for a read-only list)."""
    query = select(*_READ_COLUMNS).where(
        Reminder.user_id == user_id, Reminder.due_at >= start, Reminder.due_at < end
    )
    if states:
        query = query.where(Reminder.state.in_(sorted(set(states))))
    return session.execute(query.order_by(Reminder.due_at, Reminder.kind).limit(limit)).all()


def get_reminder(*, session: Session, user_id: uuid.UUID, reminder_id: uuid.UUID) -> Reminder:
    row = session.get(Reminder, reminder_id)
    if row is None or row.user_id != user_id:
        raise NotFound("No such reminder.")
    return row


# --- acknowledgements ----------------------------------------------------------------------


def _hhmm(instant: datetime, zone: ZoneInfo | None) -> str:
    return hhmm(instant, zone) if zone else instant.strftime("%H:%M UTC")


def acknowledge(
    *,
    session: Session,
    user_id: uuid.UUID,
    reminder_id: uuid.UUID,
    action: str,
    now: datetime,
    snooze_minutes: int = 5,
) -> tuple[Reminder, Reminder | None]:
    """Record done / skip / snooze. Snooze plans a new reminder before the original expiry.

    Returns the acknowledged reminder and, for a snooze, the new one.
    """
    row = get_reminder(session=session, user_id=user_id, reminder_id=reminder_id)
    if row.ack_action is not None:
        raise Conflict(
            f"This reminder was already marked '{row.ack_action}'.", code="already_acknowledged"
        )
    if row.state == CANCELLED:
        raise Conflict("This reminder was cancelled: its session moved or was removed.")
    if action == "done" and row.due_at - now > DONE_CLOCK_SKEW:
        # A break cannot be done before it begins (skipping one ahead of time is fine).
        zone = _user_zone(session, row.user_id)
        raise Conflict(
            f"This break starts at {_hhmm(row.due_at, zone)}: mark it done once it has begun, "
            "or skip it.",
            code="not_due_yet",
            details={"due_at": row.due_at.isoformat()},
        )
    snoozed: Reminder | None = None
    if action == "snooze":
        snoozed = _snooze(session=session, row=row, now=now, minutes=snooze_minutes)
    # Claim the acknowledgement atomically: two taps (two devices) record it once.
    claimed = session.execute(
        update(Reminder)
        .where(Reminder.id == row.id, Reminder.ack_action.is_(None))
        .values(ack_action=action, acked_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 1) != 1:
        raise Conflict("This reminder was already acknowledged.", code="already_acknowledged")
    if row.state == PLANNED:
        # Done or skipped ahead of time: nothing left to send.
        session.execute(
            update(Reminder)
            .where(Reminder.id == row.id, Reminder.state == PLANNED)
            .values(state=CANCELLED, last_error=f"Acknowledged ({action}) before it was sent.")
            .execution_options(synchronize_session=False)
        )
    if action == "done":
        # A break done well after it should have ended: its session ran over.
        session_marks.infer_ran_over(session=session, user_id=user_id, row=row, now=now)
    session.refresh(row)
    return row, snoozed


def _snooze(*, session: Session, row: Reminder, now: datetime, minutes: int) -> Reminder:
    if row.state not in (SENDING, SENT, DELIVERED):
        raise Conflict(
            "Only a reminder that has been delivered can be snoozed.", code="not_snoozable"
        )
    due = now + timedelta(minutes=minutes)
    if due >= row.expires_at:
        zone = _user_zone(session, row.user_id)
        left = int((row.expires_at - now).total_seconds() // 60)
        hint = f" ({left} min left)" if left > 0 else ""
        raise Conflict(
            f"No room for a {minutes}-minute snooze: this break ends at "
            f"{_hhmm(row.expires_at, zone)}{hint}.",
            code="snooze_past_expiry",
            details={"expires_at": row.expires_at.isoformat(), "minutes_left": max(left, 0)},
        )
    snoozed = Reminder(
        user_id=row.user_id,
        key=f"{SNOOZE_PREFIX}{row.id}",
        kind=row.kind,
        anchor=row.anchor,
        due_at=due,
        next_attempt_at=due,
        expires_at=row.expires_at,
        state=PLANNED,
        attempts=0,
        title=row.title,
        body=row.body,
        activity=row.activity,
        duration_minutes=row.duration_minutes,
        ritual_steps=list(row.ritual_steps or []),
        ritual_name=row.ritual_name,
        ritual_minutes=row.ritual_minutes,
        notes_minutes=row.notes_minutes,
        snoozed_from_id=row.id,
        created_at=now,
        updated_at=now,
    )
    session.add(snoozed)
    session.flush()
    return snoozed


# --- export --------------------------------------------------------------------------------


def export_reminders(*, session: Session, user_id: uuid.UUID, **_: object) -> dict[str, object]:
    """The user's reminders and what they did with them, for ``GET /me/export``."""
    rows = session.scalars(
        select(Reminder).where(Reminder.user_id == user_id).order_by(Reminder.due_at)
    )
    token = session.get(BreaksFeedToken, user_id)
    return {
        "reminders": [
            {
                "id": str(row.id),
                "kind": row.kind,
                "due_at": row.due_at.isoformat(),
                "expires_at": row.expires_at.isoformat(),
                "state": row.state,
                "title": row.title,
                "body": row.body,
                "attempts": row.attempts,
                "sent_at": row.sent_at.isoformat() if row.sent_at else None,
                "last_error": row.last_error,
                "ack_action": row.ack_action,
                "acked_at": row.acked_at.isoformat() if row.acked_at else None,
                "snoozed_from_id": str(row.snoozed_from_id) if row.snoozed_from_id else None,
            }
            for row in rows
        ],
        "breaks_feed_active_since": token.created_at.isoformat() if token else None,
    }
