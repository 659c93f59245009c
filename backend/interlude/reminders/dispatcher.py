"""Sending due reminders: claim a batch, push to every device concurrently, mark the outcome.

``Dispatcher.dispatch_due(now=...)`` drains everything due at ``now`` in batches and is what
the worker's alarm calls; tests call it directly with a frozen instant.

Per reminder, the devices' answers decide its state:

- any device accepted it -> ``sent`` (other devices' failures are noted in ``last_error``);
- 404/410 -> that subscription is deleted; no device left -> ``failed`` with a clear reason;
- 429/5xx/timeouts only -> back to ``planned`` with backoff (Retry-After honoured), unless the
  next attempt would land at or after ``expires_at`` -> ``expired``;
- otherwise (400/401/403/413) -> ``failed`` with the push service's reason.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, select

from interlude.core.runtime import Runtime
from interlude.push.encryption import EncryptionPool
from interlude.push.models import PushSubscription
from interlude.push.sender import (
    MAX_PAYLOAD_BYTES,
    PushMessage,
    PushResult,
    PushSender,
    PushTarget,
    encode_payload,
)
from interlude.push.service import delete_subscription_by_id
from interlude.push.vapid import load_or_create_vapid
from interlude.reminders import metrics, outbox
from interlude.reminders.models import EXPIRED, FAILED, PLANNED, SENT
from interlude.reminders.outbox import Claimed, Outcome

log = logging.getLogger("interlude.reminders.dispatch")
_SUBSCRIPTIONS: Table = PushSubscription.__table__  # type: ignore[assignment]

NO_DEVICE_REASON = (
    "No device is subscribed to notifications: open Interlude on your phone and turn "
    "notifications on."
)
SNOOZE_MINUTES = 5
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_MAX_SECONDS = 60.0
ACTIONS = (
    {"action": "done", "title": "Done"},
    {"action": "snooze", "title": "Snooze 5 min"},
    {"action": "skip", "title": "Skip"},
)


def default_owner() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def backoff_seconds(attempts: int) -> float:
    """2, 4, 8, ... seconds, capped at a minute: a break is only worth minutes."""
    return float(min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)))


def payload_for(item: Claimed, *, now: datetime | None = None) -> dict[str, Any]:
    """The notification: what the therapist sees and can do. No client data exists here.

    With ``now``, the snooze button is left out when a snooze would end after the expiry
    (the API would refuse it, and a tap that does nothing is worse than no button).
    """
    rid = str(item.id)
    actions = [dict(a) for a in ACTIONS]
    if now is not None and now + timedelta(minutes=SNOOZE_MINUTES) >= item.expires_at:
        actions = [a for a in actions if a["action"] != "snooze"]
    payload: dict[str, Any] = {
        "id": rid,
        "kind": item.kind,
        "title": item.title,
        "body": item.body,
        "tag": f"reminder-{rid}",
        "url": f"/break/{rid}",
        "expires_at": item.expires_at.isoformat().replace("+00:00", "Z"),
        "actions": actions,
        "snooze_minutes": SNOOZE_MINUTES,
        "duration_minutes": item.duration_minutes,
    }
    if item.activity:
        payload["activity"] = item.activity
    if item.ritual_steps:
        payload["steps"] = [s[:200] for s in item.ritual_steps[:10]]
    # Push services take 4 KB of ciphertext; keep the JSON within 3 KB by dropping the last
    # ritual steps first (the break page shows them all), then shortening the body.
    size = _size(payload)
    while size > MAX_PAYLOAD_BYTES and payload.get("steps"):
        payload["steps"].pop()
        size = _size(payload)
    if size > MAX_PAYLOAD_BYTES:
        payload["body"] = payload["body"][:200] + "…"
    return payload


def _size(payload: dict[str, Any]) -> int:
    return len(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())


@dataclass
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    expired: int = 0
    retried: int = 0
    pushes: int = 0
    batches: int = 0
    results: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, state: str) -> None:
        if state == SENT:
            self.sent += 1
        elif state == FAILED:
            self.failed += 1
        elif state == EXPIRED:
            self.expired += 1
        elif state == PLANNED:
            self.retried += 1


def decide(item: Claimed, results: Sequence[PushResult], *, now: datetime, devices: int) -> Outcome:
    """One reminder's next state from its devices' answers (pure; see the module doc)."""
    if devices == 0:
        return Outcome(item.id, FAILED, now, item.due_at, error=NO_DEVICE_REASON)
    sent = [r for r in results if r.outcome == "sent"]
    retry = [r for r in results if r.outcome == "retry"]
    failed = [r for r in results if r.outcome == "failed"]
    gone = [r for r in results if r.outcome == "gone"]
    if sent:
        others = [r.reason for r in (*failed, *retry, *gone)]
        note = "; ".join(f"another device: {reason}" for reason in others[:3]) or None
        return Outcome(item.id, SENT, now, item.due_at, error=note)
    if retry:
        wait = backoff_seconds(item.attempts)
        hinted = [r.retry_after_seconds for r in retry if r.retry_after_seconds is not None]
        if hinted:
            wait = max(wait, max(hinted))
        at = now + timedelta(seconds=wait)
        reason = retry[0].reason
        if at >= item.expires_at:
            return Outcome(
                item.id,
                EXPIRED,
                now,
                item.due_at,
                error=f"Gave up at its expiry after {item.attempts} attempts: {reason}",
            )
        return Outcome(item.id, PLANNED, now, item.due_at, next_attempt_at=at, error=reason)
    if failed:
        return Outcome(item.id, FAILED, now, item.due_at, error=failed[0].reason)
    if gone and len(gone) == devices:
        return Outcome(item.id, FAILED, now, item.due_at, error=NO_DEVICE_REASON)
    return Outcome(item.id, FAILED, now, item.due_at, error="No push service answered.")


@dataclass
class _Batch:
    items: list[Claimed]
    heartbeat: asyncio.Task[None] | None


class Dispatcher:
    """Owns one PushSender (one pooled HTTP client) on its own event loop."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        owner: str | None = None,
        batch_size: int = 500,
        lease: timedelta = timedelta(seconds=30),
        max_concurrency: int = 64,
        timeout: float = 10.0,
        encryption_processes: int | None = None,
    ) -> None:
        """``encryption_processes`` (default: ``settings.push_encryption_processes``) encrypt
        large batches on other cores; 0 keeps everything in this process."""
        self.runtime = runtime
        self.owner = owner or default_owner()
        self.batch_size = batch_size
        self.lease = lease
        self.max_concurrency = max_concurrency
        self.timeout = timeout
        self._sender: PushSender | None = None
        processes = encryption_processes
        if processes is None:
            processes = runtime.settings.push_encryption_processes
        self._encryption = EncryptionPool(processes)

    def start(self) -> None:
        """Spawn the encryption processes now, so the first burst does not wait for them."""
        self._encryption.start()

    def _get_sender(self) -> PushSender:
        if self._sender is None:
            with self.runtime.session() as session:
                identity = load_or_create_vapid(
                    session=session, keyring=self.runtime.keyring, now=self.runtime.clock.now()
                )
            self._sender = PushSender(
                vapid=identity,
                subject=self.runtime.settings.vapid_subject,
                timeout=self.timeout,
                max_concurrency=self.max_concurrency,
                clock=self.runtime.clock,
                allow_private_network=self.runtime.settings.allow_private_network,
                encryption=self._encryption,
            )
        return self._sender

    async def aclose(self) -> None:
        if self._sender is not None:
            await self._sender.aclose()
            self._sender = None
        self._encryption.shutdown()

    async def dispatch_due(self, *, now: datetime | None = None) -> DispatchReport:
        """Send everything due at ``now`` (default: the runtime's clock, read per batch).

        The next batch is claimed, and the last one's outcomes written, in threads while the
        current batch is being posted: the event loop keeps posting instead of waiting on
        the database between batches.
        """
        report = DispatchReport()
        report.expired += await asyncio.to_thread(self._expire_overdue, now or self._now())
        claiming: asyncio.Task[_Batch] | None = self._claim_ahead(now)
        writes: list[asyncio.Task[None]] = []
        try:
            while claiming is not None:
                batch = await claiming
                claiming = None
                if not batch.items:
                    break
                report.claimed += len(batch.items)
                report.batches += 1
                metrics.DISPATCH_BATCHES.inc()
                if len(batch.items) == self.batch_size:
                    claiming = self._claim_ahead(now)
                writes.append(await self._send_batch(batch, fixed_now=now, report=report))
        finally:
            if claiming is not None:  # an error mid-way: the prefetched rows' lease runs out
                claiming.cancel()
            await asyncio.gather(*writes)
        return report

    def _now(self) -> datetime:
        return self.runtime.clock.now()

    def _expire_overdue(self, at: datetime) -> int:
        with self.runtime.session() as session:
            return outbox.expire_overdue(session=session, now=at)

    def _claim_ahead(self, fixed_now: datetime | None) -> asyncio.Task[_Batch]:
        async def claim() -> _Batch:
            at = fixed_now or self._now()
            items = await asyncio.to_thread(self._claim, at)
            heartbeat = None
            if items:  # the lease is kept from the claim on, not from the first post
                heartbeat = asyncio.create_task(self._keep_lease([item.id for item in items]))
            return _Batch(items, heartbeat)

        return asyncio.create_task(claim())

    def _claim(self, at: datetime) -> list[Claimed]:
        with self.runtime.session() as session:
            return outbox.claim_due(
                session=session, now=at, owner=self.owner, limit=self.batch_size, lease=self.lease
            )

    def _load_targets(self, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, list[PushTarget]]:
        """Every device of every user in the batch, in one query."""
        targets: dict[uuid.UUID, list[PushTarget]] = defaultdict(list)
        with self.runtime.session() as session:
            devices = _SUBSCRIPTIONS.c  # Core, not ORM: this runs once per batch of a burst
            rows = session.execute(
                select(
                    devices.id, devices.user_id, devices.endpoint, devices.p256dh, devices.auth
                ).where(devices.user_id.in_(list(user_ids)))
            ).all()
        for row in rows:
            targets[row.user_id].append(PushTarget(row.id, row.endpoint, row.p256dh, row.auth))
        return targets

    async def _send_batch(
        self, batch: _Batch, *, fixed_now: datetime | None, report: DispatchReport
    ) -> asyncio.Task[None]:
        """Post the batch; return the task writing its outcomes (awaited by the caller)."""
        items = batch.items
        try:
            sender = self._get_sender()
            targets = await asyncio.to_thread(self._load_targets, {i.user_id for i in items})
            start = fixed_now or self._now()
            messages: list[PushMessage] = []
            for item in items:
                ttl = int((item.expires_at - start).total_seconds())
                if ttl <= 0:
                    continue
                data = encode_payload(payload_for(item, now=start))  # once for every device
                for device in targets.get(item.user_id, []):
                    messages.append(PushMessage(device, data, ttl, item.id.hex, "high"))
            results = iter(await sender.send_many(messages))
        finally:
            if batch.heartbeat is not None:
                batch.heartbeat.cancel()

        outcomes: list[Outcome] = []
        gone_ids: list[uuid.UUID] = []
        device_results: list[tuple[uuid.UUID, PushResult]] = []
        for item in items:
            ttl = int((item.expires_at - start).total_seconds())
            if ttl <= 0:
                outcomes.append(
                    Outcome(item.id, EXPIRED, start, item.due_at, error=outbox.EXPIRED_REASON)
                )
                continue
            devices = targets.get(item.user_id, [])
            answers = [next(results) for _ in devices]
            for device, answer in zip(devices, answers, strict=True):
                metrics.PUSH_ATTEMPTS.labels(answer.outcome).inc()
                report.results[answer.outcome] += 1
                if answer.outcome == "gone":
                    gone_ids.append(device.subscription_id)
                else:
                    device_results.append((device.subscription_id, answer))
            report.pushes += len(answers)
            # When this reminder's last device answered: its delivery time (lateness metric).
            answered = [a.answered_at for a in answers if a.answered_at is not None]
            at = fixed_now or (max(answered) if answered else self._now())
            outcomes.append(decide(item, answers, now=at, devices=len(devices)))
        for outcome in outcomes:
            report.add(outcome.state)
        written_at = fixed_now or self._now()
        return asyncio.create_task(
            asyncio.to_thread(self._write_outcomes, outcomes, gone_ids, device_results, written_at)
        )

    def _write_outcomes(
        self,
        outcomes: list[Outcome],
        gone_ids: list[uuid.UUID],
        device_results: list[tuple[uuid.UUID, PushResult]],
        at: datetime,
    ) -> None:
        with self.runtime.session() as session:
            if gone_ids:
                self._delete_subscriptions(session, gone_ids)
            outbox.mark(session=session, owner=self.owner, outcomes=outcomes)
            outbox.record_device_results(session=session, results=device_results, now=at)

    async def _keep_lease(self, ids: list[uuid.UUID]) -> None:
        """Extend the batch's lease while its pushes are in flight (slow or hanging push
        services), so only a dead worker's rows are ever reclaimed."""
        interval = self.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(interval)
            await asyncio.to_thread(self._extend_lease, ids)

    def _extend_lease(self, ids: list[uuid.UUID]) -> None:
        with self.runtime.session() as session:
            outbox.extend_lease(
                session=session, owner=self.owner, ids=ids, until=self._now() + self.lease
            )

    @staticmethod
    def _delete_subscriptions(session: Any, ids: list[uuid.UUID]) -> None:
        for sid in set(ids):
            delete_subscription_by_id(session=session, subscription_id=sid)

    def next_wake(self) -> datetime | None:
        with self.runtime.session() as session:
            return outbox.next_wake(session=session)


def dispatch_due(
    runtime: Runtime, *, now: datetime | None = None, **options: Any
) -> DispatchReport:
    """One-shot, synchronous: send everything due at ``now`` with a fresh dispatcher.

    For scripts and tests; the worker keeps one ``Dispatcher`` (and its connection pool)
    alive between runs instead.
    """

    async def run() -> DispatchReport:
        dispatcher = Dispatcher(runtime, **options)
        try:
            return await dispatcher.dispatch_due(now=now)
        finally:
            await dispatcher.aclose()

    return asyncio.run(run())
