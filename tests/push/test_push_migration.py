"""The push migrations (0003, 0014) are reversible on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, create_engine, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from interlude import migrations
from interlude.core.db import make_engine
from interlude.push.models import PushSubscription
from tests.factories import make_user

PUSH_TABLES = {"push_vapid_keys", "push_subscriptions"}


def _tables(url: str) -> set[str]:
    sa_url = make_url(url)
    if sa_url.drivername == "postgresql":
        sa_url = sa_url.set(drivername="postgresql+psycopg")
    engine = create_engine(sa_url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_downgrade_removes_the_push_tables_and_upgrade_restores_them(db_url):
    assert _tables(db_url) >= PUSH_TABLES
    migrations.downgrade(db_url, "0002")
    assert not PUSH_TABLES & _tables(db_url)
    assert "users" in _tables(db_url)
    migrations.upgrade(db_url, "head")
    assert _tables(db_url) >= PUSH_TABLES


def test_0014_adds_silent_capable_false_for_existing_devices_and_is_reversible(db_url):
    """Devices registered before 0014 are not capable until their PWA says so; the column
    comes and goes with the revision ("0014-1": its parent, whatever the chain's number)."""
    engine = make_engine(db_url)
    now = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    try:
        with Session(engine) as db:
            user = make_user(db, now=now)
            db.add(
                PushSubscription(
                    user_id=user.id,
                    endpoint="https://fcm.googleapis.com/fcm/send/x",
                    endpoint_hash="0" * 64,
                    p256dh="p",
                    auth="a",
                    label="Phone",
                    created_at=now,
                    updated_at=now,
                    silent_capable=True,
                )
            )
            db.commit()
        migrations.downgrade(db_url, "0014-1")
        assert "silent_capable" not in _columns(engine, "push_subscriptions")
        migrations.upgrade(db_url, "head")
        assert "silent_capable" in _columns(engine, "push_subscriptions")
        with Session(engine) as db:
            assert db.scalars(select(PushSubscription.silent_capable)).all() == [False]
    finally:
        engine.dispose()


def _columns(engine: Engine, table: str) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns(table)}
