"""``POST /push/test``: one test notification to every device of the user."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from interlude.core import rate_limits
from interlude.core.clock import Clock
from interlude.core.security import Keyring
from interlude.push import service
from interlude.push.schemas import PushTestDeviceResult, PushTestRead
from interlude.push.sender import PushResult, PushSender, PushTarget
from interlude.push.vapid import VapidIdentity, load_or_create_vapid

TEST_TTL = timedelta(minutes=5)
# Shorter than the dispatcher's: a person is waiting for the answer.
TEST_TIMEOUT_SECONDS = 5.0
TEST_TOPIC = "interlude-test"
# A person checking their devices needs a few tries; each call posts to every device (up to
# 20), so the calls are bounded per account: a short burst and a day's worth.
TEST_LIMITS = (
    rate_limits.Limit(
        count=3,
        window=timedelta(minutes=1),
        message="You sent 3 test notifications in the last minute. Wait {wait} and try again.",
    ),
    rate_limits.Limit(
        count=30,
        window=timedelta(days=1),
        message=(
            "You sent 30 test notifications in the last 24 hours, the most a day allows. "
            "You can send another in {wait}; your break reminders keep arriving meanwhile."
        ),
    ),
)


def check_and_count_test(
    *, session: Session, keyring: Keyring, user_id: uuid.UUID, now: datetime
) -> None:
    """429 if this account used up a test-push limit; otherwise counts this test."""
    key = rate_limits.limit_key(keyring, "push-test", str(user_id))
    for limit in TEST_LIMITS:
        rate_limits.check(session=session, key=key, limit=limit, now=now)
    rate_limits.record(session=session, key=key, now=now)


def test_payload(now: datetime, base_url: str = "") -> dict[str, Any]:
    """Same shape as a reminder's payload (Declarative Web Push with the service worker's
    fields beside it) so the service worker handles it the same way; its receipt goes to
    ``POST /push/receipt`` (no reminder)."""
    return {
        "web_push": 8030,
        "notification": {
            "title": "Interlude",
            "body": "Test notification: your break reminders will look like this.",
            "navigate": f"{base_url.rstrip('/')}/settings",
            "tag": TEST_TOPIC,
        },
        "mutable": True,
        "kind": "test",
        "reminder_id": None,
        "actions": [],
        "expires_at": (now + TEST_TTL).isoformat(),
        "url": "/settings",
    }


async def _send_all(
    targets: list[PushTarget],
    *,
    vapid: VapidIdentity,
    subject: str,
    clock: Clock,
    allow_private_network: bool,
    base_url: str,
) -> list[PushResult]:
    sender = PushSender(
        vapid=vapid,
        subject=subject,
        timeout=TEST_TIMEOUT_SECONDS,
        clock=clock,
        allow_private_network=allow_private_network,
    )
    try:
        payload = test_payload(clock.now(), base_url)
        return list(
            await asyncio.gather(
                *(
                    sender.send(
                        target,
                        payload,
                        ttl_seconds=int(TEST_TTL.total_seconds()),
                        topic=TEST_TOPIC,
                    )
                    for target in targets
                )
            )
        )
    finally:
        await sender.aclose()


def send_test_notifications(
    *,
    session: Session,
    keyring: Keyring,
    user_id: uuid.UUID,
    subject: str,
    clock: Clock,
    allow_private_network: bool,
    base_url: str = "",
) -> PushTestRead:
    """Sends, then records each device's outcome and marks the devices that are gone.

    Runs its own event loop: call it from a worker thread (a sync endpoint), not from a loop.
    """
    rows = service.list_subscriptions(session=session, user_id=user_id)
    labels = {row.id: row.label for row in rows}
    targets = service.list_targets(session=session, user_id=user_id)
    results: list[PushResult] = []
    if targets:
        vapid = load_or_create_vapid(session=session, keyring=keyring, now=clock.now())
        results = asyncio.run(
            _send_all(
                targets,
                vapid=vapid,
                subject=subject,
                clock=clock,
                allow_private_network=allow_private_network,
                base_url=base_url,
            )
        )
    now = clock.now()
    devices = []
    for target, result in zip(targets, results, strict=True):
        removed = result.outcome == "gone"
        service.record_result(
            session=session, subscription_id=target.subscription_id, result=result, now=now
        )
        devices.append(
            PushTestDeviceResult(
                subscription_id=target.subscription_id,
                label=labels[target.subscription_id],
                outcome=result.outcome,
                http_status=result.http_status,
                reason=result.reason,
                removed=removed,
            )
        )
    return PushTestRead(sent=sum(d.outcome == "sent" for d in devices), results=devices)
