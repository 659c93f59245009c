"""Sending due reminders: claim a batch, push to every device concurrently, mark the outcome.

``Dispatcher.dispatch_due(now=...)`` drains everything due at ``now`` in batches and is what
the worker's alarm calls; tests call it directly with a frozen instant. What a push says and
what the answers mean is in ``delivery.py``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from interlude.core.runtime import Runtime
from interlude.push import service as push_service
from interlude.push.sender import PushMessage, PushResult, PushSender, PushTarget
from interlude.push.vapid import load_or_create_vapid
from interlude.reminders import metrics, outbox
from interlude.reminders.delivery import (
    NO_DEVICE_REASON,
    NO_SILENT_DEVICE_REASON,
    DispatchReport,
    decide,
    devices_for,
    payload_bytes_for,
    payload_for,
)
from interlude.reminders.models import EXPIRED
from interlude.reminders.outbox import Claimed, Outcome

# Re-exported: callers and tests know these by the dispatcher's name.
__all__ = [
    "NO_DEVICE_REASON",
    "NO_SILENT_DEVICE_REASON",
    "DispatchReport",
    "Dispatcher",
    "dispatch_due",
    "payload_for",
]

log = logging.getLogger("interlude.reminders.dispatch")


def default_owner() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


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
        batch_size: int | None = None,
        lease: timedelta = timedelta(seconds=30),
        max_concurrency: int | None = None,
        timeout: float = 10.0,
        encryption_processes: int | None = None,
        batches_in_flight: int | None = None,
    ) -> None:
        """``encryption_processes`` (default: ``settings.push_encryption_processes``)
        encrypt large batches on other cores; 0 keeps everything in this process. The batch
        size, batches in flight and concurrent posts default to the settings too."""
        settings = runtime.settings
        self.runtime = runtime
        self.owner = owner or default_owner()
        self.batch_size = settings.dispatch_batch_size if batch_size is None else batch_size
        self.lease = lease
        self.max_concurrency = (
            settings.push_max_concurrency if max_concurrency is None else max_concurrency
        )
        self.timeout = timeout
        self.batches_in_flight = (
            settings.dispatch_batches_in_flight if batches_in_flight is None else batches_in_flight
        )
        self._sender: PushSender | None = None
        if encryption_processes is None:
            encryption_processes = runtime.settings.push_encryption_processes
        self.encryption_processes = encryption_processes

    def start(self) -> None:
        """Ready the sender now (its HTTP client, encryption processes if any), so the
        first reminder does not wait for them."""
        self._get_sender().start()

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
                encryption_processes=self.encryption_processes,
            )
        return self._sender

    async def aclose(self) -> None:
        if self._sender is not None:
            await self._sender.aclose()
            self._sender = None

    async def dispatch_due(self, *, now: datetime | None = None) -> DispatchReport:
        """Send everything due at ``now`` (default: the runtime's clock, read per batch).

        Up to ``batches_in_flight`` claimed batches are delivered at once (all through one
        sender, so at most ``max_concurrency`` posts are open): a batch waiting on a slow or
        hanging push service holds up only itself, and while one batch waits on the
        database (claims and outcome writes run in threads) the others keep posting. With
        the live clock, rows falling due while a batch is still out are claimed at their
        due time rather than after that batch: the run ends when nothing is out.
        """
        report = DispatchReport()
        report.expired += await asyncio.to_thread(self._expire_overdue, now or self._now())
        running: set[asyncio.Task[None]] = set()
        try:
            while True:
                batch = await self._claim_batch(now)
                if batch.items:
                    report.claimed += len(batch.items)
                    report.batches += 1
                    metrics.DISPATCH_BATCHES.inc()
                    running.add(asyncio.create_task(self._deliver(batch, now, report)))
                more_due = len(batch.items) == self.batch_size
                if more_due and len(running) < self.batches_in_flight:
                    continue
                if not running:
                    break
                wait = None if more_due or now is not None else await self._until_next_due()
                done, running = await asyncio.wait(
                    running, timeout=wait, return_when=asyncio.FIRST_COMPLETED
                )
                for task in done:
                    task.result()  # a failed batch stops this run; its rows stay leased
        finally:
            answers = await asyncio.gather(*running, return_exceptions=True)
        for answer in answers:
            if isinstance(answer, BaseException):
                raise answer
        return report

    async def _until_next_due(self) -> float:
        """Seconds until the next row falls due (0.05-1 s: rows other processes add are
        seen within a second)."""
        wake = await asyncio.to_thread(self.next_wake)
        if wake is None:
            return 1.0
        return min(1.0, max(0.05, (wake - self._now()).total_seconds()))

    def _now(self) -> datetime:
        return self.runtime.clock.now()

    def _expire_overdue(self, at: datetime) -> int:
        with self.runtime.session() as session:
            return outbox.expire_overdue(session=session, now=at)

    async def _claim_batch(self, fixed_now: datetime | None) -> _Batch:
        items = await asyncio.to_thread(self._claim, fixed_now or self._now())
        heartbeat = None
        if items:  # the lease is kept from the claim until the outcomes are written
            heartbeat = asyncio.create_task(self._keep_lease([item.id for item in items]))
        return _Batch(items, heartbeat)

    def _claim(self, at: datetime) -> list[Claimed]:
        with self.runtime.session() as session:
            return outbox.claim_due(
                session=session, now=at, owner=self.owner, limit=self.batch_size, lease=self.lease
            )

    def _load_targets(self, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, list[PushTarget]]:
        """Every device of every user in the batch, in one query."""
        with self.runtime.session() as session:
            return push_service.targets_for_users(session=session, user_ids=user_ids)

    async def _deliver(
        self, batch: _Batch, fixed_now: datetime | None, report: DispatchReport
    ) -> None:
        """Post the batch, then write its outcomes; its lease is kept alive until then."""
        try:
            await self._post_and_write(batch.items, fixed_now, report)
        finally:
            if batch.heartbeat is not None:
                batch.heartbeat.cancel()

    async def _post_and_write(
        self, items: list[Claimed], fixed_now: datetime | None, report: DispatchReport
    ) -> None:
        sender = self._get_sender()
        targets = await asyncio.to_thread(self._load_targets, {i.user_id for i in items})
        start = fixed_now or self._now()
        messages: list[PushMessage] = []
        for item in items:
            ttl = int((item.expires_at - start).total_seconds())
            if ttl <= 0:
                continue
            devices = devices_for(item, targets.get(item.user_id, []))
            if not devices:
                continue  # nothing to encrypt: ``decide`` says what that means
            # Once for every device.
            data = payload_bytes_for(item, now=start, base_url=self.runtime.settings.base_url)
            for device in devices:
                messages.append(PushMessage(device, data, ttl, item.id.hex, "high"))
        results = await sender.send_many(messages)
        outcomes, gone_ids, device_results = self._outcomes(
            items, targets, results, start=start, fixed_now=fixed_now, report=report
        )
        written_at = fixed_now or self._now()
        await asyncio.to_thread(
            self._write_outcomes, outcomes, gone_ids, device_results, written_at
        )

    def _outcomes(
        self,
        items: list[Claimed],
        targets: dict[uuid.UUID, list[PushTarget]],
        answered: list[PushResult],
        *,
        start: datetime,
        fixed_now: datetime | None,
        report: DispatchReport,
    ) -> tuple[list[Outcome], list[uuid.UUID], list[tuple[uuid.UUID, PushResult]]]:
        """Each reminder's next state from its devices' answers (in ``send_many`` order)."""
        results = iter(answered)
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
            devices = devices_for(item, targets.get(item.user_id, []))
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
            times = [a.answered_at for a in answers if a.answered_at is not None]
            at = fixed_now or (max(times) if times else self._now())
            outcomes.append(decide(item, answers, now=at, devices=len(devices)))
        for outcome in outcomes:
            report.add(outcome.state)
        return outcomes, gone_ids, device_results

    def _write_outcomes(
        self,
        outcomes: list[Outcome],
        gone_ids: list[uuid.UUID],
        device_results: list[tuple[uuid.UUID, PushResult]],
        at: datetime,
    ) -> None:
        with self.runtime.session() as session:
            outbox.mark(session=session, owner=self.owner, outcomes=outcomes)
            push_service.record_send_results(
                session=session, gone=gone_ids, results=device_results, now=at
            )

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
