"""The dispatcher against a real (local) push service: crypto, headers, states, retries."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlude.core.clock import FrozenClock
from interlude.core.runtime import Runtime
from interlude.core.settings import Settings
from interlude.push.models import PushSubscription
from interlude.reminders import outbox
from interlude.reminders.dispatcher import NO_DEVICE_REASON
from interlude.reminders.models import EXPIRED, FAILED, PLANNED, SENDING, SENT, Reminder
from tests.reminders.conftest import DispatchHarness
from tests.reminders.factories import add_device, make_reminder
from tests.support.push_service import LocalPushService


def _reload(db: Session, row: Reminder) -> Reminder:
    db.expire_all()
    fresh = db.get(Reminder, row.id)
    assert fresh is not None
    return fresh


def test_due_reminder_arrives_decrypted_with_the_right_payload_and_headers(
    db: Session,
    runtime: Runtime,
    user,
    clock: FrozenClock,
    push: LocalPushService,
    dispatch: DispatchHarness,
    client: TestClient,
    auth: dict[str, str],
) -> None:
    device, sub_id = add_device(runtime, push, user.id)
    now = clock.now()
    row = make_reminder(
        db, user_id=user.id, due_at=now, ritual_steps=["Wash your hands", "Three breaths"]
    )

    report = dispatch(now)

    assert (report.claimed, report.sent, report.pushes) == (1, 1, 1)
    [message] = push.received(device)
    base = runtime.settings.base_url.rstrip("/")
    assert message.payload == {
        # Declarative Web Push: Safari 18.4+ shows this even without the service worker.
        "web_push": 8030,
        "notification": {
            "title": "Time for a short break",
            "body": "Two minutes of box breathing.",
            "navigate": f"{base}/break/{row.id}",
            "tag": f"reminder-{row.id}",
        },
        "mutable": True,
        "id": str(row.id),
        "kind": "micro_break",
        "url": f"/break/{row.id}",
        "expires_at": (now + timedelta(minutes=10)).isoformat().replace("+00:00", "Z"),
        "actions": [
            {"action": "done", "title": "Done"},
            {"action": "snooze", "title": "Snooze 5 min"},
            {"action": "skip", "title": "Skip"},
        ],
        "snooze_minutes": 5,
        "duration_minutes": 2,
        "activity": "box_breathing",
        "steps": ["Wash your hands", "Three breaths"],
    }
    assert message.ttl == 600  # seconds until the next session starts
    assert message.urgency == "high"
    assert message.topic == row.id.hex
    assert message.claims["aud"] == push.origin
    assert len(message.plaintext) <= 3 * 1024

    fresh = _reload(db, row)
    assert (fresh.state, fresh.attempts, fresh.sent_at, fresh.lateness_ms) == (SENT, 1, now, 0)
    assert fresh.lease_owner is None and fresh.lease_until is None
    device_row = db.get(PushSubscription, sub_id)
    assert device_row is not None and device_row.last_outcome == "sent"
    # The app shows it as sent.
    shown = client.get(f"/api/v1/reminders/{row.id}", headers=auth).json()
    assert shown["state"] == "sent"

    assert dispatch(now + timedelta(seconds=1)).claimed == 0  # exactly once


def test_a_reminder_waits_for_its_time(
    db: Session, runtime: Runtime, user, clock: FrozenClock, push, dispatch
) -> None:
    add_device(runtime, push, user.id)
    now = clock.now()
    row = make_reminder(db, user_id=user.id, due_at=now + timedelta(seconds=30))

    assert dispatch(now).claimed == 0
    assert _reload(db, row).state == PLANNED
    later = now + timedelta(seconds=30, milliseconds=250)
    assert dispatch(later).sent == 1
    assert _reload(db, row).lateness_ms == 250
    assert len(push.received()) == 1


def test_a_reminder_past_its_expiry_is_never_sent(
    db: Session, runtime: Runtime, user, clock: FrozenClock, push, dispatch
) -> None:
    add_device(runtime, push, user.id)
    now = clock.now()
    row = make_reminder(db, user_id=user.id, due_at=now - timedelta(minutes=11))

    report = dispatch(now)

    assert report.expired == 1 and report.claimed == 0
    fresh = _reload(db, row)
    assert fresh.state == EXPIRED and "expired" in (fresh.last_error or "")
    assert push.attempts() == []


def test_server_error_is_retried_with_backoff(
    db: Session, runtime: Runtime, user, clock: FrozenClock, push, dispatch
) -> None:
    device, _ = add_device(runtime, push, user.id)
    push.respond(device, 500, times=2)
    now = clock.now()
    row = make_reminder(db, user_id=user.id, due_at=now)

    assert dispatch(now).retried == 1
    fresh = _reload(db, row)
    assert (fresh.state, fresh.attempts) == (PLANNED, 1)
    assert fresh.next_attempt_at == now + timedelta(seconds=2)
    assert "500" in (fresh.last_error or "")

    assert dispatch(now + timedelta(seconds=1)).claimed == 0
    assert dispatch(now + timedelta(seconds=2)).retried == 1
    assert _reload(db, row).next_attempt_at == now + timedelta(seconds=6)  # 2 s, then 4 s

    assert dispatch(now + timedelta(seconds=6)).sent == 1
    assert (_reload(db, row).state, _reload(db, row).attempts) == (SENT, 3)
    assert len(push.received(device)) == 1


def test_retry_after_is_honoured(
    db: Session, runtime: Runtime, user, clock: FrozenClock, push, dispatch
) -> None:
    device, _ = add_device(runtime, push, user.id)
    push.respond(device, 429, retry_after="30", times=1)
    now = clock.now()
    row = make_reminder(db, user_id=user.id, due_at=now)

    dispatch(now)
    assert _reload(db, row).next_attempt_at == now + timedelta(seconds=30)
    assert dispatch(now + timedelta(seconds=29)).claimed == 0
    assert dispatch(now + timedelta(seconds=30)).sent == 1


def test_no_retry_after_the_expiry(
    db: Session, runtime: Runtime, user, clock: FrozenClock, push, dispatch
) -> None:
    device, _ = add_device(runtime, push, user.id)
    push.respond(device, 503, retry_after="120")
    now = clock.now()
    row = make_reminder(db, user_id=user.id, due_at=now, expires_in=timedelta(seconds=90))

    assert dispatch(now).expired == 1
    fresh = _reload(db, row)
    assert fresh.state == EXPIRED
    assert "Gave up at its expiry" in (fresh.last_error or "")
    assert "503" in (fresh.last_error or "")


def test_a_hanging_push_service_times_out_and_is_retried(
    db: Session, runtime: Runtime, user, clock: FrozenClock, push, dispatch
) -> None:
    device, _ = add_device(runtime, push, user.id)
    push.hang(device, times=1)
    now = clock.now()
    row = make_reminder(db, user_id=user.id, due_at=now)

    assert dispatch(now).retried == 1
    assert "timed out" in (_reload(db, row).last_error or "")
    push.release_hangs()
    assert dispatch(now + timedelta(seconds=2)).sent == 1


def test_gone_subscriptions_are_marked_gone_and_the_rest_still_receive(
    db: Session, runtime: Runtime, user, clock: FrozenClock, push, dispatch
) -> None:
    old_phone, old_id = add_device(runtime, push, user.id, label="Old phone")
    new_phone, new_id = add_device(runtime, push, user.id, label="New phone")
    push.respond(old_phone, 410)
    now = clock.now()
    row = make_reminder(db, user_id=user.id, due_at=now)

    assert dispatch(now).sent == 1
    db.expire_all()
    old = db.get(PushSubscription, old_id)
    assert old is not None and old.gone_at == now  # kept: "since ..." until repaired
    assert db.get(PushSubscription, new_id) is not None
    assert len(push.received(new_phone)) == 1
    assert _reload(db, row).state == SENT

    # A gone device is never posted to again.
    later = now + timedelta(minutes=20)
    make_reminder(db, user_id=user.id, due_at=later)
    assert dispatch(later).sent == 1
    assert len(push.attempts(old_phone)) == 1
    assert len(push.received(new_phone)) == 2


def test_no_device_left_fails_with_a_clear_reason(
    db: Session,
    runtime: Runtime,
    user,
    clock: FrozenClock,
    push,
    dispatch,
    client: TestClient,
    auth: dict[str, str],
) -> None:
    device, sub_id = add_device(runtime, push, user.id)
    push.respond(device, 404)
    now = clock.now()
    first = make_reminder(db, user_id=user.id, due_at=now)
    dispatch(now)
    second = make_reminder(db, user_id=user.id, due_at=now + timedelta(minutes=1))
    dispatch(now + timedelta(minutes=1))

    db.expire_all()
    device_row = db.get(PushSubscription, sub_id)
    assert device_row is not None and device_row.gone_at == now
    for row in (first, second):
        fresh = _reload(db, row)
        assert (fresh.state, fresh.last_error) == (FAILED, NO_DEVICE_REASON)
    shown = client.get(f"/api/v1/reminders/{second.id}", headers=auth).json()
    assert shown["state"] == "failed" and "turn notifications on" in shown["last_error"]


def test_a_refused_sender_fails_with_the_push_services_reason(
    db: Session, runtime: Runtime, user, clock: FrozenClock, push, dispatch
) -> None:
    device, _ = add_device(runtime, push, user.id)
    push.respond(device, 403)
    now = clock.now()
    row = make_reminder(db, user_id=user.id, due_at=now)

    assert dispatch(now).failed == 1
    fresh = _reload(db, row)
    assert fresh.state == FAILED and "403" in (fresh.last_error or "")


def test_a_live_lease_is_respected_and_a_dead_one_reclaimed(
    db: Session, runtime: Runtime, user, clock: FrozenClock, push, dispatch
) -> None:
    add_device(runtime, push, user.id)
    now = clock.now()
    row = make_reminder(
        db,
        user_id=user.id,
        due_at=now - timedelta(seconds=5),
        state=SENDING,
        attempts=1,
        lease_owner="crashed-worker",
        lease_until=now + timedelta(seconds=30),
    )

    assert dispatch(now).claimed == 0
    assert dispatch(now + timedelta(seconds=31)).sent == 1
    fresh = _reload(db, row)
    assert (fresh.state, fresh.attempts) == (SENT, 2)
    assert len(push.received()) == 1


def test_a_worker_that_lost_its_lease_cannot_overwrite_the_new_owner(
    db: Session, user, clock: FrozenClock
) -> None:
    now = clock.now()
    row = make_reminder(db, user_id=user.id, due_at=now)
    [mine] = outbox.claim_due(
        session=db, now=now, owner="slow", limit=10, lease=timedelta(seconds=1)
    )
    db.commit()
    later = now + timedelta(seconds=2)
    [theirs] = outbox.claim_due(
        session=db, now=later, owner="fast", limit=10, lease=timedelta(seconds=60)
    )
    db.commit()
    assert mine.id == theirs.id == row.id and theirs.attempts == 2

    stale = outbox.Outcome(row.id, FAILED, later, row.due_at, error="slow worker")
    assert outbox.mark(session=db, owner="slow", outcomes=[stale]) == 0
    fresh = outbox.Outcome(row.id, SENT, later, row.due_at)
    assert outbox.mark(session=db, owner="fast", outcomes=[fresh]) == 1
    db.commit()
    assert _reload(db, row).state == SENT


def test_many_users_due_at_once_are_drained_in_batches(
    db: Session, runtime: Runtime, clock: FrozenClock, push, user, other_user
) -> None:
    harness = DispatchHarness(runtime, batch_size=3, timeout=2.0)
    try:
        devices = [add_device(runtime, push, u.id)[0] for u in (user, other_user)]
        now = clock.now()
        for i in range(7):
            make_reminder(db, user_id=(user, other_user)[i % 2].id, due_at=now, commit=False)
        db.commit()

        report = harness(now)

        assert (report.claimed, report.sent, report.batches) == (7, 7, 3)
        assert [len(push.received(d)) for d in devices] == [4, 3]
        ids = [m.payload["id"] for m in push.received()]
        assert len(set(ids)) == 7
        states = db.scalars(select(Reminder.state).execution_options(populate_existing=True))
        assert set(states) == {SENT}
    finally:
        harness.close()


def test_the_lease_is_kept_alive_while_pushes_are_in_flight(
    db: Session, runtime: Runtime, user, clock: FrozenClock, push: LocalPushService
) -> None:
    harness = DispatchHarness(runtime, lease=timedelta(seconds=0.3), timeout=3.0)
    device, _ = add_device(runtime, push, user.id)
    push.hang(device, times=1)
    now = clock.now()
    row = make_reminder(db, user_id=user.id, due_at=now)
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(harness(now)))
    try:
        worker.start()
        deadline = time.monotonic() + 5
        while not push.attempts(device) and time.monotonic() < deadline:
            time.sleep(0.02)
        later = clock.advance(seconds=60)  # a minute passes while the push service hangs
        time.sleep(0.5)  # several heartbeats (every 0.1 s)
        fresh = _reload(db, row)
        assert fresh.state == SENDING
        assert fresh.lease_until == later + timedelta(seconds=0.3)  # not reclaimable
        other = outbox.claim_due(
            session=db, now=later, owner="other", limit=10, lease=timedelta(seconds=30)
        )
        db.commit()
        assert other == []
    finally:
        push.release_hangs()
        worker.join(timeout=10)
        harness.close()
    assert _reload(db, row).state == PLANNED  # the hang ended as a retryable failure


def test_extending_a_lease_needs_to_hold_it(db: Session, user, clock: FrozenClock) -> None:
    now = clock.now()
    row = make_reminder(db, user_id=user.id, due_at=now)
    outbox.claim_due(session=db, now=now, owner="me", limit=1, lease=timedelta(seconds=5))
    until = now + timedelta(minutes=1)
    assert outbox.extend_lease(session=db, owner="someone", ids=[row.id], until=until) == 0
    assert outbox.extend_lease(session=db, owner="me", ids=[row.id], until=until) == 1
    db.commit()
    assert _reload(db, row).lease_until == until


def test_a_long_ritual_still_fits_in_a_push(
    db: Session, runtime: Runtime, user, clock: FrozenClock, push, dispatch
) -> None:
    device, _ = add_device(runtime, push, user.id)
    steps = [f"Step {n}: " + "breathe slowly and notice your feet " * 6 for n in range(10)]
    row = make_reminder(
        db,
        user_id=user.id,
        due_at=clock.now(),
        kind="end_of_day",
        ritual_steps=steps,
        body="b" * 500,
    )

    assert dispatch(clock.now()).sent == 1
    [message] = push.received(device)
    assert len(message.plaintext) <= 3 * 1024
    assert message.payload["steps"] == [s[:200] for s in steps][: len(message.payload["steps"])]
    assert message.payload["steps"] and message.payload["id"] == str(row.id)


def test_the_one_shot_entry_point(
    db: Session, runtime: Runtime, user, clock: FrozenClock, push: LocalPushService
) -> None:
    from interlude.reminders.dispatcher import dispatch_due

    add_device(runtime, push, user.id)
    row = make_reminder(db, user_id=user.id, due_at=clock.now() + timedelta(minutes=1))

    assert dispatch_due(runtime, now=clock.now()).claimed == 0
    report = dispatch_due(runtime, now=clock.now() + timedelta(minutes=1))

    assert (report.claimed, report.sent) == (1, 1)
    assert _reload(db, row).state == SENT


def test_no_snooze_button_when_a_snooze_would_run_into_the_next_session(
    db: Session, runtime: Runtime, user, clock: FrozenClock, push, dispatch
) -> None:
    device, _ = add_device(runtime, push, user.id)
    now = clock.now()
    make_reminder(db, user_id=user.id, due_at=now, expires_in=timedelta(minutes=4))

    dispatch(now)

    [message] = push.received(device)
    assert [a["action"] for a in message.payload["actions"]] == ["done", "skip"]


def test_a_burst_is_encrypted_in_other_processes_and_every_reminder_arrives_once(
    db: Session, runtime: Runtime, user, clock: FrozenClock, push: LocalPushService
) -> None:
    device, _ = add_device(runtime, push, user.id)
    now = clock.now()
    rows = [make_reminder(db, user_id=user.id, due_at=now, commit=False) for _ in range(140)]
    db.commit()
    # Batches of 70 (>= a chunk of 64): the second batch is claimed while the first posts.
    harness = DispatchHarness(runtime, timeout=2.0, encryption_processes=1, batch_size=70)
    try:
        report = harness(now)
        assert multiprocessing.active_children(), "no encryption process was used"
    finally:
        harness.close()

    assert (report.claimed, report.sent, report.batches) == (140, 140, 2)
    arrived = [m.payload["id"] for m in push.received(device)]
    assert sorted(arrived) == sorted(str(r.id) for r in rows)
    db.expire_all()
    assert {r.state for r in db.scalars(select(Reminder))} == {SENT}


def test_a_killed_encryption_process_loses_and_repeats_nothing(
    db: Session, runtime: Runtime, user, clock: FrozenClock, push: LocalPushService
) -> None:
    device, _ = add_device(runtime, push, user.id)
    now = clock.now()
    first = [make_reminder(db, user_id=user.id, due_at=now, commit=False) for _ in range(70)]
    db.commit()
    harness = DispatchHarness(runtime, timeout=2.0, encryption_processes=1, batch_size=70)
    try:
        assert harness(now).sent == 70
        [child] = multiprocessing.active_children()
        os.kill(child.pid, signal.SIGKILL)
        child.join(timeout=10)
        later = [make_reminder(db, user_id=user.id, due_at=now, commit=False) for _ in range(70)]
        db.commit()
        report = harness(now)
    finally:
        harness.close()

    assert (report.claimed, report.sent) == (70, 70)
    arrived = sorted(m.payload["id"] for m in push.received(device))
    assert arrived == sorted(str(r.id) for r in first + later)


def test_a_hanging_push_service_holds_up_only_its_own_batch(
    db: Session, runtime: Runtime, user, other_user, clock: FrozenClock, push: LocalPushService
) -> None:
    stuck, _ = add_device(runtime, push, user.id)
    healthy, _ = add_device(runtime, push, other_user.id)
    push.hang(stuck, times=1)
    now = clock.now()
    # One reminder per batch; the hanging device's reminder is claimed first.
    make_reminder(db, user_id=user.id, due_at=now - timedelta(seconds=1))
    later = [make_reminder(db, user_id=other_user.id, due_at=now) for _ in range(2)]
    harness = DispatchHarness(runtime, timeout=4.0, batch_size=1, batches_in_flight=3)
    done = threading.Event()

    def run() -> None:
        harness(now)
        done.set()

    thread = threading.Thread(target=run)
    started = time.monotonic()
    thread.start()
    try:
        while len(push.received(healthy)) < len(later) and time.monotonic() - started < 10:
            time.sleep(0.02)
        healthy_after = time.monotonic() - started
        assert not done.is_set(), "the hanging push did not hang"
    finally:
        push.release_hangs()
        thread.join(timeout=30)
        harness.close()

    assert len(push.received(healthy)) == len(later)
    # The hang lasts until the 4 s timeout; the other batches must not wait for it.
    assert healthy_after < 2.0, f"healthy reminders waited {healthy_after:.1f} s behind a hang"


def test_rows_falling_due_while_a_push_hangs_are_sent_at_their_time(
    db: Session, runtime: Runtime, user, other_user, clock: FrozenClock, push: LocalPushService
) -> None:
    stuck, _ = add_device(runtime, push, user.id)
    healthy, _ = add_device(runtime, push, other_user.id)
    push.hang(stuck, times=1)
    now = clock.now()
    make_reminder(db, user_id=user.id, due_at=now)
    make_reminder(db, user_id=other_user.id, due_at=now + timedelta(seconds=1))
    harness = DispatchHarness(runtime, timeout=4.0)
    # The live clock (the runtime's), as the worker's alarm runs it.
    run = threading.Thread(
        target=lambda: harness.loop.run_until_complete(harness.dispatcher.dispatch_due())
    )
    started = time.monotonic()
    run.start()
    try:
        while not push.attempts(stuck) and time.monotonic() - started < 10:
            time.sleep(0.02)
        clock.advance(seconds=1)  # the healthy user's session ends while the other push hangs
        while not push.received(healthy) and time.monotonic() - started < 10:
            time.sleep(0.02)
        healthy_after = time.monotonic() - started
    finally:
        push.release_hangs()
        run.join(timeout=30)
        harness.close()

    assert len(push.received(healthy)) == 1
    assert healthy_after < 2.5, f"a reminder due during a hang waited {healthy_after:.1f} s"


def test_interlude_run_sends_through_a_narrow_pipeline(settings: Settings) -> None:
    from interlude.cli import EMBEDDED_WORKER
    from interlude.reminders.dispatcher import Dispatcher

    shapes = []
    for chosen in (settings, settings.model_copy(update=EMBEDDED_WORKER)):
        runtime = Runtime.from_settings(chosen)
        try:
            d = Dispatcher(runtime)
            shapes.append((d.batch_size, d.batches_in_flight, d.max_concurrency))
        finally:
            runtime.dispose()
    # The standalone worker's burst pipeline, and `interlude run`'s: what a burst holds at
    # its peak stays in the process's heap (docs/decisions.md, issue 16).
    assert shapes == [(500, 3, 64), (100, 1, 8)]
