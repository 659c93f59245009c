"""Delivery receipts and device health, through the API and the local push service.

What the server decides: ``delivered`` beside ``sent``, receipts idempotent, another user's
or an unknown reminder refused without saying which, a device ``silent`` after
``SILENT_AFTER`` accepted pushes without a receipt (counted once ``RECEIPT_GRACE`` passed),
``gone`` on 404/410 and kept, and the Declarative Web Push payload as it arrives decrypted.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from interlude.core.clock import FrozenClock
from interlude.core.runtime import Runtime
from interlude.push.health import RECEIPT_GRACE, SILENT_AFTER
from interlude.push.service import endpoint_hash
from interlude.reminders import outbox
from interlude.reminders.models import DELIVERED, SENDING, SENT, Reminder
from tests.reminders.conftest import DispatchHarness
from tests.reminders.factories import add_device, make_reminder
from tests.support.push_service import LocalPushService, LocalSubscription

SUBS = "/api/v1/push/subscriptions"


def _receipt(client: TestClient, auth: dict[str, str], reminder_id: object, device: str | None):
    return client.post(
        f"/api/v1/reminders/{reminder_id}/receipt", json={"device": device}, headers=auth
    )


def _device(client: TestClient, auth: dict[str, str], sub: LocalSubscription) -> dict:
    [row] = [d for d in client.get(SUBS, headers=auth).json() if d["endpoint"] == sub.endpoint]
    return row


def test_a_receipt_marks_the_reminder_delivered_once_and_the_device_ok(
    db: Session,
    runtime: Runtime,
    user,
    clock: FrozenClock,
    push: LocalPushService,
    dispatch: DispatchHarness,
    client: TestClient,
    auth: dict[str, str],
) -> None:
    phone, _ = add_device(runtime, push, user.id, label="Phone")
    laptop, _ = add_device(runtime, push, user.id, label="Laptop")
    now = clock.now()
    row = make_reminder(db, user_id=user.id, due_at=now)
    dispatch(now)
    assert client.get(f"/api/v1/reminders/{row.id}", headers=auth).json()["state"] == SENT
    assert _device(client, auth, phone)["health"] == "pending"
    assert _device(client, auth, phone)["unconfirmed_count"] == 1

    clock.advance(timedelta(seconds=40))
    first = _receipt(client, auth, row.id, endpoint_hash(phone.endpoint))
    assert first.status_code == 200, first.text
    assert first.json() == {
        "id": str(row.id),
        "state": DELIVERED,
        "delivered_at": "2026-11-23T14:00:40Z",
        "device_known": True,
    }
    # Replayed from an offline queue, and from the second device: nothing moves.
    clock.advance(timedelta(minutes=3))
    again = _receipt(client, auth, row.id, endpoint_hash(phone.endpoint))
    other = _receipt(client, auth, row.id, endpoint_hash(laptop.endpoint))
    assert again.json()["delivered_at"] == other.json()["delivered_at"] == "2026-11-23T14:00:40Z"
    assert again.json()["state"] == other.json()["state"] == DELIVERED

    shown = client.get(f"/api/v1/reminders/{row.id}", headers=auth).json()
    assert (shown["state"], shown["delivered_at"]) == (DELIVERED, "2026-11-23T14:00:40Z")
    db.expire_all()
    fresh = db.get(Reminder, row.id)
    assert fresh is not None and fresh.receipt_lateness_ms == 40_000
    device = _device(client, auth, phone)
    assert (device["health"], device["unconfirmed_count"]) == ("ok", 0)
    assert device["last_receipt_at"] == "2026-11-23T14:03:40Z"
    assert device["push_service"] == "other"  # the local push service is no known family


def test_foreign_and_unknown_reminders_are_404_alike(
    db: Session, user, other_user, client: TestClient, auth, other_auth, clock: FrozenClock
) -> None:
    theirs = make_reminder(db, user_id=other_user.id, due_at=clock.now(), state=SENT)
    foreign = _receipt(client, auth, theirs.id, None)
    unknown = _receipt(client, auth, uuid.uuid4(), None)
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json()["error"]["message"] == unknown.json()["error"]["message"]
    db.expire_all()
    fresh = db.get(Reminder, theirs.id)
    assert fresh is not None and (fresh.state, fresh.delivered_at) == (SENT, None)
    # A malformed device name is a 422 naming the field, not a 500.
    bad = client.post(
        f"/api/v1/reminders/{theirs.id}/receipt", json={"device": "x" * 64}, headers=other_auth
    )
    assert bad.status_code == 422


def test_another_users_device_is_not_touched_by_my_receipt(
    db: Session,
    runtime: Runtime,
    user,
    other_user,
    clock: FrozenClock,
    push: LocalPushService,
    client: TestClient,
    auth,
) -> None:
    their_phone, _ = add_device(runtime, push, other_user.id)
    mine = make_reminder(db, user_id=user.id, due_at=clock.now(), state=SENT)
    answer = _receipt(client, auth, mine.id, endpoint_hash(their_phone.endpoint))
    assert answer.status_code == 200
    assert answer.json()["device_known"] is False


def test_a_device_is_silent_after_n_accepted_pushes_without_receipt_and_ok_after_one(
    db: Session,
    runtime: Runtime,
    user,
    clock: FrozenClock,
    push: LocalPushService,
    dispatch: DispatchHarness,
    client: TestClient,
    auth: dict[str, str],
) -> None:
    phone, _ = add_device(runtime, push, user.id)
    start = clock.now()
    gap = timedelta(minutes=20)  # reminders between sessions
    rows = []
    for n in range(SILENT_AFTER):
        at = start + n * gap
        clock.set(at)
        rows.append(make_reminder(db, user_id=user.id, due_at=at))
        dispatch(at)
    assert len(push.received(phone)) == SILENT_AFTER  # every one accepted (201)

    # The last push's receipt may still come (Doze): not silent yet.
    clock.set(start + (SILENT_AFTER - 1) * gap + RECEIPT_GRACE - timedelta(seconds=1))
    assert _device(client, auth, phone)["health"] == "pending"
    clock.advance(timedelta(seconds=1))
    device = _device(client, auth, phone)
    assert device["health"] == "silent"
    assert device["health_since"] == "2026-11-23T14:00:00Z"  # the first unconfirmed push
    assert device["unconfirmed_count"] == SILENT_AFTER

    # One receipt (the phone came back) and it is fine again.
    assert _receipt(client, auth, rows[-1].id, endpoint_hash(phone.endpoint)).status_code == 200
    device = _device(client, auth, phone)
    assert (device["health"], device["health_since"], device["unconfirmed_count"]) == (
        "ok",
        None,
        0,
    )


def test_a_receipt_that_beats_the_outcome_write_still_ends_delivered(
    db: Session,
    runtime: Runtime,
    user,
    clock: FrozenClock,
    client: TestClient,
    auth: dict[str, str],
) -> None:
    """The push service can deliver, and the phone post its receipt, before the worker has
    written ``sent``: the receipt is kept and the outcome write makes it ``delivered``."""
    now = clock.now()
    row = make_reminder(db, user_id=user.id, due_at=now)
    with runtime.session() as session:
        [claimed] = outbox.claim_due(
            session=session, now=now, owner="w1", limit=10, lease=timedelta(seconds=30)
        )
    assert _receipt(client, auth, row.id, None).json()["state"] == SENDING
    with runtime.session() as session:
        outbox.mark(
            session=session,
            owner="w1",
            outcomes=[outbox.Outcome(claimed.id, SENT, now, claimed.due_at)],
        )
    shown = client.get(f"/api/v1/reminders/{row.id}", headers=auth).json()
    assert shown["state"] == DELIVERED and shown["sent_at"] is not None


def test_a_gone_device_is_kept_with_since_and_a_new_subscription_is_healthy(
    db: Session,
    runtime: Runtime,
    user,
    clock: FrozenClock,
    push: LocalPushService,
    dispatch: DispatchHarness,
    client: TestClient,
    auth: dict[str, str],
) -> None:
    phone, old_id = add_device(runtime, push, user.id)
    push.respond(phone, 410)
    now = clock.now()
    make_reminder(db, user_id=user.id, due_at=now)
    dispatch(now)
    device = _device(client, auth, phone)
    assert (device["health"], device["health_since"]) == ("gone", "2026-11-23T14:00:00Z")
    # Re-registering the dead endpoint does not revive it: the browser must subscribe anew.
    again = client.post(SUBS, json={**phone.info, "label": "Phone"}, headers=auth)
    assert again.status_code == 200 and again.json()["health"] == "gone"
    fresh, _ = add_device(runtime, push, user.id)
    assert _device(client, auth, fresh)["health"] == "pending"
    assert client.delete(f"{SUBS}/{old_id}", headers=auth).status_code == 204


def test_metrics_count_accepted_and_shown_per_push_service_and_due_to_receipt(
    db: Session,
    runtime: Runtime,
    user,
    clock: FrozenClock,
    push: LocalPushService,
    dispatch: DispatchHarness,
    client: TestClient,
    auth: dict[str, str],
) -> None:
    phone, _ = add_device(runtime, push, user.id)
    now = clock.now()
    shown = make_reminder(db, user_id=user.id, due_at=now)
    # Two reminders to one device in one batch: both count.
    make_reminder(db, user_id=user.id, due_at=now, key="second")
    dispatch(now)
    clock.advance(timedelta(seconds=3))
    _receipt(client, auth, shown.id, endpoint_hash(phone.endpoint))

    text = client.get("/metrics").text
    lines = set(text.splitlines())
    assert 'interlude_push_accepted_total{push_service="other"} 2.0' in lines
    assert 'interlude_push_receipts_total{push_service="other"} 1.0' in lines
    assert 'interlude_push_accepted_total{push_service="fcm"} 0.0' in lines
    assert 'interlude_push_devices{health="ok",push_service="other"} 1.0' in lines
    assert 'interlude_reminders_total{state="delivered"} 1.0' in lines
    assert 'interlude_reminders_total{state="sent"} 1.0' in lines
    assert 'interlude_reminder_due_to_receipt_seconds_bucket{le="5.0"} 1.0' in lines
    assert 'interlude_reminder_due_to_receipt_seconds_bucket{le="2.0"} 0.0' in lines
    assert "interlude_reminder_due_to_receipt_seconds_sum 3.0" in lines
    # Endpoints are capabilities: never in metrics, not even their host.
    assert phone.endpoint not in text and push.origin.split("//")[1] not in text
