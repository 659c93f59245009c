from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from interlude.accounts.models import User
from interlude.core.clock import FrozenClock, SystemClock


def test_frozen_clock_moves_only_when_told():
    clock = FrozenClock(datetime(2026, 3, 8, 6, 59, tzinfo=UTC))
    assert clock.now() == clock.now()
    assert clock.advance(minutes=2) == datetime(2026, 3, 8, 7, 1, tzinfo=UTC)
    with pytest.raises(ValueError):
        FrozenClock(datetime(2026, 1, 1))


def test_system_clock_is_aware_utc():
    assert SystemClock().now().tzinfo is UTC


def test_datetimes_round_trip_as_aware_utc(db, user):
    user.updated_at = datetime(2026, 7, 1, 9, 30, tzinfo=timezone(timedelta(hours=-4)))
    db.commit()
    db.expire_all()
    stored = db.scalar(select(User.updated_at).where(User.id == user.id))
    assert stored == datetime(2026, 7, 1, 13, 30, tzinfo=UTC)
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(db, user):
    user.updated_at = datetime(2026, 7, 1, 9, 30)
    with pytest.raises(Exception, match="naive datetime"):
        db.commit()
    db.rollback()
