"""Issue 21's pushes at the local push service: the silent wrap-up cue goes only to devices
that can show it silently (or quietly nowhere), and notes time offers "Notes done"."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from interlude.core.clock import FrozenClock
from interlude.core.runtime import Runtime
from interlude.push.alerts import unreached_users
from interlude.push.models import PushSubscription
from interlude.reminders import outbox
from interlude.reminders.delivery import NO_SILENT_DEVICE_REASON, payload_for
from interlude.reminders.models import CANCELLED, FAILED, SENT, Reminder
from interlude.reminders.outbox import Claimed
from tests.reminders.conftest import DispatchHarness
from tests.reminders.factories import add_device, make_reminder
from tests.support.push_service import LocalPushService

DONE = {"action": "done", "title": "Done"}
NOTES_DONE = {"action": "notes_done", "title": "Notes done"}
SNOOZE = {"action": "snooze", "title": "Snooze 5 min"}
SKIP = {"action": "skip", "title": "Skip"}


def _wrap_up(db: Session, user_id: uuid.UUID, due_at, **extra) -> Reminder:  # type: ignore[no-untyped-def]
    return make_reminder(
        db,
        user_id=user_id,
        due_at=due_at,
        kind="wrap_up",
        expires_in=timedelta(minutes=5),  # the session's end
        title="Five minutes left",
        body="Time to start wrapping up.",
        activity=None,
        duration_minutes=0,
        **extra,
    )


def _reload(db: Session, row: Reminder) -> Reminder:
    db.expire_all()
    fresh = db.get(Reminder, row.id)
    assert fresh is not None
    return fresh


def _device_row(db: Session, sub_id: uuid.UUID) -> PushSubscription:
    db.expire_all()
    row = db.get(PushSubscription, sub_id)
    assert row is not None
    return row


def test_the_wrap_up_cue_is_silent_has_no_actions_and_reaches_only_the_capable_device(
    db: Session,
    runtime: Runtime,
    user,
    clock: FrozenClock,
    push: LocalPushService,
    dispatch: DispatchHarness,
) -> None:
    laptop, laptop_id = add_device(runtime, push, user.id, silent_capable=True, label="Laptop")
    iphone, iphone_id = add_device(runtime, push, user.id, silent_capable=False, label="iPhone")
    now = clock.now()
    row = _wrap_up(db, user.id, now)

    report = dispatch(now)

    assert (report.claimed, report.sent, report.pushes, report.cancelled) == (1, 1, 1, 0)
    [message] = push.received(laptop)
    base = runtime.settings.base_url.rstrip("/")
    assert message.payload == {
        "web_push": 8030,
        "notification": {
            "title": "Five minutes left",
            "body": "Time to start wrapping up.",
            "navigate": f"{base}/break/{row.id}",
            "tag": f"reminder-{row.id}",
            "silent": True,
        },
        "mutable": True,
        "id": str(row.id),
        "kind": "wrap_up",
        "url": f"/break/{row.id}",
        "expires_at": (now + timedelta(minutes=5)).isoformat().replace("+00:00", "Z"),
        "actions": [],
        "snooze_minutes": 5,
        "duration_minutes": 0,
        "silent": True,
    }
    assert "vibrate" not in message.payload["notification"]  # a TypeError beside silent
    assert message.ttl == 300  # gone from the push service when the session ends
    # The iPhone heard nothing, and nothing about it changed.
    assert push.attempts(iphone) == []
    assert _device_row(db, iphone_id).last_sent_at is None
    assert _device_row(db, laptop_id).last_outcome == "sent"
    fresh = _reload(db, row)
    assert (fresh.state, fresh.last_error) == (SENT, None)


def test_without_a_capable_device_the_cue_ends_quietly_and_delivery_health_is_untouched(
    db: Session,
    runtime: Runtime,
    user,
    clock: FrozenClock,
    push: LocalPushService,
    dispatch: DispatchHarness,
    client: TestClient,
    auth: dict[str, str],
) -> None:
    _, iphone_id = add_device(runtime, push, user.id, silent_capable=False, label="iPhone")
    now = clock.now()
    # More cues than device health's "silent after 3" threshold: none may count.
    rows = [_wrap_up(db, user.id, now + timedelta(hours=h)) for h in range(4)]
    before = client.get("/api/v1/push/subscriptions", headers=auth).json()

    reports = [dispatch(now + timedelta(hours=h)) for h in range(4)]
    later = now + timedelta(hours=4)
    clock.set(later)

    assert [(r.claimed, r.cancelled, r.failed, r.pushes) for r in reports] == [(1, 1, 0, 0)] * 4
    assert push.attempts() == []  # nothing was sent anywhere
    for row in rows:
        fresh = _reload(db, row)
        assert (fresh.state, fresh.last_error) == (CANCELLED, NO_SILENT_DEVICE_REASON)
        assert fresh.sent_at is None and fresh.lateness_ms is None
    device = _device_row(db, iphone_id)
    assert (device.last_sent_at, device.unconfirmed_count, device.accepted_total) == (None, 0, 0)
    # The banner's source of truth (the device list) and the email alert see no change.
    after = client.get("/api/v1/push/subscriptions", headers=auth).json()
    assert [d["health"] for d in after] == [d["health"] for d in before] == ["pending"]
    assert unreached_users(session=db, now=later) == []
    # Nor does /metrics count a failure.
    metrics = client.get("/metrics").text
    assert 'interlude_reminders_total{state="failed"} 0.0' in metrics
    assert 'interlude_reminders_total{state="cancelled"} 4.0' in metrics
    assert "interlude_push_accepted_total" in metrics
    # The list the app shows says why, in words.
    shown = client.get(f"/api/v1/reminders/{rows[0].id}", headers=auth).json()
    assert shown["state"] == "cancelled" and "silent" in shown["last_error"]


def test_a_user_with_no_device_at_all_loses_the_cue_quietly_but_a_break_still_fails(
    db: Session, user, clock: FrozenClock, push: LocalPushService, dispatch: DispatchHarness
) -> None:
    now = clock.now()
    cue = _wrap_up(db, user.id, now)
    brk = make_reminder(db, user_id=user.id, due_at=now)

    report = dispatch(now)

    assert (report.cancelled, report.failed) == (1, 1)
    assert _reload(db, cue).state == CANCELLED
    assert _reload(db, brk).state == FAILED  # a break nobody hears is a delivery failure


def test_an_ordinary_break_still_reaches_every_device(
    db: Session,
    runtime: Runtime,
    user,
    clock: FrozenClock,
    push: LocalPushService,
    dispatch: DispatchHarness,
) -> None:
    laptop, _ = add_device(runtime, push, user.id, silent_capable=True)
    iphone, _ = add_device(runtime, push, user.id, silent_capable=False)
    make_reminder(db, user_id=user.id, due_at=clock.now())

    assert dispatch(clock.now()).pushes == 2
    for device in (laptop, iphone):
        [message] = push.received(device)
        assert "silent" not in message.payload
        assert "silent" not in message.payload["notification"]
        assert message.payload["actions"] == [DONE, SNOOZE, SKIP]


def test_notes_time_offers_notes_done_second_so_chrome_shows_it(
    db: Session,
    runtime: Runtime,
    user,
    clock: FrozenClock,
    push: LocalPushService,
    dispatch: DispatchHarness,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A break whose gap holds notes time (notes_minutes > 0) and a reminder for notes time
    alone (kind ``notes``) both carry "Notes done"; Chrome shows the first two buttons."""
    device, _ = add_device(runtime, push, user.id, silent_capable=False)
    now = clock.now()
    with_notes = make_reminder(db, user_id=user.id, due_at=now, key="with-notes")
    notes_alone = make_reminder(db, user_id=user.id, due_at=now, kind="notes", key="notes")
    plain = make_reminder(db, user_id=user.id, due_at=now, key="plain")
    # reminders.notes_minutes is helper P's column (migration 0013); until it is merged the
    # claim carries the field's default, so this break's claim is given its notes time here.
    claim_due = outbox.claim_due

    def claim_with_notes(**kwargs):  # type: ignore[no-untyped-def]
        return [
            dataclasses.replace(item, notes_minutes=3) if item.id == with_notes.id else item
            for item in claim_due(**kwargs)
        ]

    monkeypatch.setattr(outbox, "claim_due", claim_with_notes)

    assert dispatch(now).sent == 3
    actions = {m.payload["id"]: m.payload["actions"] for m in push.received(device)}
    assert actions == {
        str(with_notes.id): [DONE, NOTES_DONE, SNOOZE, SKIP],
        str(notes_alone.id): [DONE, NOTES_DONE, SNOOZE, SKIP],
        str(plain.id): [DONE, SNOOZE, SKIP],
    }


def _claimed(**changes) -> Claimed:  # type: ignore[no-untyped-def]
    now = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    base = Claimed(
        id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        kind="micro_break",
        title="Break",
        body="Two minutes.",
        due_at=now,
        expires_at=now + timedelta(minutes=10),
        attempts=1,
        activity=None,
        duration_minutes=2,
    )
    return dataclasses.replace(base, **changes)


def test_notes_done_survives_when_snooze_has_no_room_and_the_cue_never_gets_buttons() -> None:
    item = _claimed(notes_minutes=5)
    late = item.expires_at - timedelta(minutes=4)  # a snooze would end after the expiry
    assert payload_for(item, now=late)["actions"] == [DONE, NOTES_DONE, SKIP]
    assert payload_for(_claimed(kind="wrap_up", notes_minutes=5))["actions"] == []
    assert "silent" not in payload_for(item)


def test_the_claim_carries_notes_minutes_with_its_default(
    db: Session, user, clock: FrozenClock
) -> None:
    make_reminder(db, user_id=user.id, due_at=clock.now())
    [item] = outbox.claim_due(
        session=db, now=clock.now(), owner="w", limit=10, lease=timedelta(seconds=30)
    )
    assert item.notes_minutes == 0


def test_the_notes_backlog_reminder_opens_today_and_has_no_buttons() -> None:
    payload = payload_for(_claimed(kind="notes_backlog"), base_url="https://app.example")
    assert payload["url"] == "/"
    assert payload["notification"]["navigate"] == "https://app.example/"
    assert payload["actions"] == []
