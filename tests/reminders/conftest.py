"""Fixtures of the reminders tests: a local push service and a dispatcher on a frozen clock."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime

import pytest

from interlude.core.clock import FrozenClock
from interlude.core.runtime import Runtime
from interlude.reminders.dispatcher import Dispatcher, DispatchReport
from tests.support.push_service import LocalPushService


class DispatchHarness:
    """Runs one dispatcher on one event loop (its HTTP pool belongs to that loop)."""

    def __init__(self, runtime: Runtime, **options: object) -> None:
        self.dispatcher = Dispatcher(runtime, owner="test-worker", **options)  # type: ignore[arg-type]
        self.loop = asyncio.new_event_loop()

    def __call__(self, now: datetime) -> DispatchReport:
        return self.loop.run_until_complete(self.dispatcher.dispatch_due(now=now))

    def close(self) -> None:
        self.loop.run_until_complete(self.dispatcher.aclose())
        self.loop.close()


@pytest.fixture
def push(clock: FrozenClock) -> Iterator[LocalPushService]:
    with LocalPushService(clock=clock, hang_seconds=5) as service:
        yield service


@pytest.fixture
def dispatch(runtime: Runtime) -> Iterator[DispatchHarness]:
    harness = DispatchHarness(runtime, timeout=1.0)
    yield harness
    harness.close()
