"""Fixtures of the push tests: a real local push service on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from interlude.core.clock import FrozenClock
from tests.support.push_service import LocalPushService


@pytest.fixture
def push_service(clock: FrozenClock) -> Iterator[LocalPushService]:
    """A push service that checks VAPID and decrypts, sharing the test's frozen clock."""
    with LocalPushService(clock=clock, hang_seconds=30) as service:
        yield service
