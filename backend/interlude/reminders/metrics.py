"""``/metrics`` in the Prometheus text format.

The outbox is the source of truth across processes (API, several workers), so the delivery
figures are read from it at scrape time: any API process reports the same numbers whichever
worker sent the pushes. Per-process counters (push attempts by result in this process) are
added beside them; in a separate ``interlude worker`` they stay in that process.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from interlude.push.families import FAMILIES
from interlude.push.health import RECEIPT_GRACE, SILENT_AFTER
from interlude.push.models import PushSubscription
from interlude.reminders.models import PLANNED, SENDING, STATES, Reminder

LATENESS_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0)

PROCESS_REGISTRY = CollectorRegistry(auto_describe=True)
PUSH_ATTEMPTS = Counter(
    "interlude_push_attempts",
    "Web Push requests made by this process, by outcome.",
    ["outcome"],
    registry=PROCESS_REGISTRY,
)
DISPATCH_BATCHES = Counter(
    "interlude_dispatch_batches",
    "Batches of reminders claimed by this process.",
    registry=PROCESS_REGISTRY,
)


class _OutboxCollector(Collector):
    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily | HistogramMetricFamily]:
        by_state = dict(
            self.session.execute(
                select(Reminder.state, func.count()).group_by(Reminder.state)
            ).all()
        )
        sends = CounterMetricFamily(
            "interlude_reminders",
            "Reminders by state (sent, delivered, failed, expired, cancelled are final).",
            labels=["state"],
        )
        for state in STATES:
            sends.add_metric([state], float(by_state.get(state, 0)))
        yield sends

        due = self.session.scalar(
            select(func.count()).where(
                ((Reminder.state == PLANNED) & (Reminder.next_attempt_at <= self.now))
                | (Reminder.state == SENDING)
            )
        )
        depth = GaugeMetricFamily(
            "interlude_reminder_queue_depth",
            "Reminders due now or being sent: the dispatcher's backlog.",
        )
        depth.add_metric([], float(due or 0))
        yield depth
        upcoming = GaugeMetricFamily(
            "interlude_reminders_upcoming", "Planned reminders not yet due."
        )
        later = self.session.scalar(
            select(func.count()).where(
                Reminder.state == PLANNED, Reminder.next_attempt_at > self.now
            )
        )
        upcoming.add_metric([], float(later or 0))
        yield upcoming

        yield self._histogram(
            Reminder.lateness_ms,
            "interlude_reminder_delivery_lateness_seconds",
            "Seconds from a reminder's due time to its push being accepted by the push service.",
        )
        yield self._histogram(
            Reminder.receipt_lateness_ms,
            "interlude_reminder_due_to_receipt_seconds",
            "Seconds from a reminder's due time to the first receipt from a device that "
            "showed it (docs/push.md: what a receipt proves).",
        )
        yield from self._push_services()

    def _histogram(self, late_ms: Any, name: str, documentation: str) -> HistogramMetricFamily:
        columns: list[Any] = [func.count(late_ms), func.coalesce(func.sum(late_ms), 0)]
        columns += [
            func.coalesce(func.sum(case((late_ms <= int(b * 1000), 1), else_=0)), 0)
            for b in LATENESS_BUCKETS
        ]
        row = self.session.execute(select(*columns).where(late_ms.is_not(None))).one()
        count, total_ms, *cumulative = (int(v or 0) for v in row)
        buckets = [(str(b), float(c)) for b, c in zip(LATENESS_BUCKETS, cumulative, strict=True)]
        buckets.append(("+Inf", float(count)))
        return HistogramMetricFamily(
            name, documentation, buckets=buckets, sum_value=total_ms / 1000.0
        )

    def _push_services(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        """Accepted vs shown per push service family (never an endpoint), and devices by
        health: the same rule as push/health.py, in SQL."""
        device = PushSubscription
        overdue = self.now - RECEIPT_GRACE
        missed = case(
            (device.last_accepted_at > overdue, device.unconfirmed_count - 1),
            else_=device.unconfirmed_count,
        )
        health = case(
            (device.gone_at.is_not(None), "gone"),
            (missed >= SILENT_AFTER, "silent"),
            (device.last_receipt_at.is_not(None), "ok"),
            else_="pending",
        )
        rows = self.session.execute(
            select(
                device.push_service,
                health,
                func.count(),
                func.coalesce(func.sum(device.accepted_total), 0),
                func.coalesce(func.sum(device.receipts_total), 0),
            ).group_by(device.push_service, health)
        ).all()
        accepted = CounterMetricFamily(
            "interlude_push_accepted",
            "Pushes a push service accepted (201), by service family, over current devices.",
            labels=["push_service"],
        )
        shown = CounterMetricFamily(
            "interlude_push_receipts",
            "Receipts from devices that showed a notification, by service family.",
            labels=["push_service"],
        )
        devices = GaugeMetricFamily(
            "interlude_push_devices",
            "Devices by push service family and health (ok, pending, silent, gone).",
            labels=["push_service", "health"],
        )
        totals: dict[str, list[float]] = {family: [0.0, 0.0] for family in FAMILIES}
        for family, state, count, sent, receipts in rows:
            totals.setdefault(family, [0.0, 0.0])
            totals[family][0] += float(sent)
            totals[family][1] += float(receipts)
            devices.add_metric([family, state], float(count))
        for family, (sent, receipts) in totals.items():
            accepted.add_metric([family], sent)
            shown.add_metric([family], receipts)
        yield accepted
        yield shown
        yield devices


def render_metrics(*, session: Session, now: datetime) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_OutboxCollector(session, now))
    return generate_latest(registry) + generate_latest(PROCESS_REGISTRY)
