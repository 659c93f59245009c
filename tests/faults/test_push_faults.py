"""The push service misbehaving for some devices during a burst, against a real worker
process on the real clock.

tests/reminders/test_dispatcher.py covers each answer for one reminder on a frozen clock
(500 backoff, Retry-After, no retry past the expiry, hang then retry, 410 deletes); here the
faults happen at once, mid-burst, beside healthy devices. Expected: nothing lost (every
reminder sent, or failed/expired with a reason), nothing delivered or even attempted after
its expiry, Retry-After honoured, 410 subscriptions deleted while the user's other device
still receives, and the healthy devices' reminders all delivered although one push hangs
until the sender's 10 s timeout.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlude.core.runtime import Runtime
from interlude.push.models import PushSubscription
from interlude.reminders.dispatcher import NO_DEVICE_REASON
from interlude.reminders.models import EXPIRED, FAILED, SENT, Reminder
from tests.reminders.factories import add_device
from tests.reminders.test_worker_processes import _start_worker, _stop
from tests.support.push_service import LocalPushService

from .support import now_utc, seed_burst, wait_until

pytestmark = pytest.mark.slow

# Roles by user (one device each, 3 reminders each, all 10-minute expiries unless short).
ROLES = {
    "healthy": 16,
    "500-twice": 4,  # 500, 500, then delivered (backoff 2 s, 4 s)
    "429-retry-after": 4,  # 429 Retry-After: 3, then delivered no sooner than 3 s later
    "429-past-expiry": 3,  # Retry-After: 30 on a 6-second expiry: expired, never sent
    "500-always": 2,  # 5xx until the 6-second expiry: expired, never sent after it
    "410": 3,  # gone: subscription deleted, reminder failed (no device left)
    "410-one-of-two": 3,  # one device gone, the other receives
    "hangs-once": 1,  # the first push hangs until the sender's 10 s timeout
}
SHORT = {"429-past-expiry", "500-always"}
PER_USER = 3


@pytest.fixture
def live_push() -> Iterator[LocalPushService]:
    with LocalPushService(hang_seconds=30) as service:
        yield service


def _expiry(message_or_row: str) -> datetime:
    return datetime.fromisoformat(message_or_row.replace("Z", "+00:00"))


def test_push_service_faults_during_a_burst(
    db: Session, runtime: Runtime, db_url: str, tmp_path: Path, live_push: LocalPushService
) -> None:
    start = now_utc() + timedelta(seconds=3)
    burst = seed_burst(
        db,
        runtime,
        live_push,
        users=sum(ROLES.values()),
        per_user=PER_USER,
        start=start,
        spread=timedelta(seconds=6),
    )
    users = list(burst.devices)
    role_of: dict[uuid.UUID, str] = {}
    for role, count in ROLES.items():
        for _ in range(count):
            role_of[users[len(role_of)]] = role
    second_devices = {}
    for user_id, role in role_of.items():
        device = burst.devices[user_id]
        if role == "500-twice":
            live_push.respond(device, 500, times=2)
        elif role == "429-retry-after":
            live_push.respond(device, 429, retry_after="3", times=1)
        elif role == "429-past-expiry":
            live_push.respond(device, 429, retry_after="30")
        elif role == "500-always":
            live_push.respond(device, 503)
        elif role.startswith("410"):
            live_push.respond(device, 410)
            if role == "410-one-of-two":
                second_devices[user_id] = add_device(runtime, live_push, user_id, label="Tablet")
        elif role == "hangs-once":
            live_push.hang(device, times=1)
    short_users = [u for u, r in role_of.items() if r in SHORT]
    for row in db.scalars(select(Reminder).where(Reminder.user_id.in_(short_users))):
        row.expires_at = row.due_at + timedelta(seconds=6)
    db.commit()

    worker = _start_worker(db_url, tmp_path, batch=50, lease=30)
    ready = now_utc()
    try:
        took = wait_until(lambda: settled_or_failed(runtime), timeout=90, step=0.25)
    except TimeoutError:
        db.expire_all()
        open_rows = select(Reminder).where(Reminder.state.not_in((SENT, EXPIRED, FAILED)))
        stuck = [
            (role_of[r.user_id], r.state, r.attempts, r.last_error, r.next_attempt_at)
            for r in db.scalars(open_rows)
        ]
        pytest.fail(f"not settled at {now_utc() - ready} after ready: {stuck[:10]}")
    finally:
        _stop(worker)

    db.expire_all()
    rows = db.scalars(select(Reminder)).all()
    by_role: dict[str, list[Reminder]] = defaultdict(list)
    for row in rows:
        by_role[role_of[row.user_id]].append(row)
    received = live_push.received()
    arrivals: dict[str, list[datetime]] = defaultdict(list)
    for message in received:
        arrivals[message.payload["id"]].append(message.received_at)
        assert message.received_at <= _expiry(message.payload["expires_at"]), "delivered late"
    expiry_of = {row.id.hex: row.expires_at for row in rows}
    for attempt in live_push.attempts():
        topic = attempt.headers.get("topic", "")
        assert attempt.received_at <= expiry_of[topic], "a push was attempted after its expiry"

    for role, members in by_role.items():
        for row in members:
            got = arrivals.get(str(row.id), [])
            if role in SHORT:
                assert (row.state, got) == (EXPIRED, []), (role, row.state, row.last_error)
                assert "Gave up at its expiry" in (row.last_error or "") or "expired" in (
                    row.last_error or ""
                )
            elif role == "410":
                assert (row.state, row.last_error, got) == (FAILED, NO_DEVICE_REASON, [])
            else:
                assert row.state == SENT and len(got) >= 1, (role, row.state, row.last_error)
    for user_id, role in role_of.items():
        device = burst.devices[user_id]
        attempts = live_push.attempts(device)
        if role == "429-retry-after":
            # Retry-After holds back the reminder that got the 429 (the dispatcher's unit of
            # retry), not the device's other reminders.
            refused = next(a for a in attempts if a.status == 429)
            rid = str(uuid.UUID(refused.headers["topic"]))
            delivered = min(arrivals[rid])
            assert delivered - refused.received_at >= timedelta(seconds=3), "Retry-After ignored"
        if role.startswith("410"):
            # A 410 device is kept, marked gone (the app says since when), and gets no more.
            gone_at = db.scalar(
                select(PushSubscription.gone_at).where(PushSubscription.endpoint == device.endpoint)
            )
            assert gone_at is not None, "a 410 subscription was not marked gone"
        if role == "410-one-of-two":
            tablet, tablet_id = second_devices[user_id]
            assert len(live_push.received(tablet)) == PER_USER
            assert db.get(PushSubscription, tablet_id) is not None

    healthy = by_role["healthy"]
    settled_by_role = {
        role: round(max((r.updated_at - ready).total_seconds() for r in members), 1)
        for role, members in by_role.items()
    }
    # From the later of its due time and the worker being ready (it starts slowly under load).
    lateness = [min(arrivals[str(r.id)]) - max(r.due_at, ready) for r in healthy]
    print(
        f"\npush faults: settled in {took:.1f} s; healthy lateness max "
        f"{max(lateness).total_seconds():.1f} s, median "
        f"{sorted(lateness)[len(lateness) // 2].total_seconds():.2f} s; "
        f"settled after the worker was ready, by role: {settled_by_role}"
    )


def settled_or_failed(runtime: Runtime) -> bool:
    """Every reminder is final (sent, expired or failed)."""
    with runtime.session_factory() as session:
        left = session.scalar(
            select(Reminder.id).where(Reminder.state.not_in((SENT, EXPIRED, FAILED))).limit(1)
        )
    return left is None
