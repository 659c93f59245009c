"""0003_push is reversible on both backends."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from interlude import migrations

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
