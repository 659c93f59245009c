"""The Alembic chain builds exactly the ORM's schema and can be walked back down."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import column, insert, inspect, select, table
from sqlalchemy.orm import Session

import interlude
from interlude import migrations
from interlude.accounts.models import User
from interlude.calendars.models import Appointment, CalendarSource, OccurrenceMark
from interlude.core.db import make_engine
from interlude.models import Base
from tests.conftest import BACKENDS, _pg_execute, _pg_url_for

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"interlude_mig_{uuid.uuid4().hex[:12]}"
    _pg_execute(f'CREATE DATABASE "{name}"')
    try:
        yield _pg_url_for(name)
    finally:
        _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_matches_models_and_downgrade_is_clean(empty_db_url):
    migrations.upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert diff == [], f"migrations and models disagree: {diff}"
    assert _tables(empty_db_url) == set(Base.metadata.tables)

    migrations.downgrade(empty_db_url, "base")
    assert _tables(empty_db_url) == set()

    migrations.upgrade(empty_db_url)  # and back up again: downgrade left nothing behind
    assert _tables(empty_db_url) == set(Base.metadata.tables)


def test_migrations_are_found_inside_the_package_without_an_ini_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing relative to the checkout or the working directory
    config = migrations.alembic_config(f"sqlite:///{tmp_path / 'any.db'}")
    assert config.config_file_name is None
    scripts = ScriptDirectory.from_config(config)
    assert Path(scripts.dir) == Path(interlude.__file__).parent / "migrations"
    assert migrations.head_revision() == scripts.get_current_head() is not None
    # script_heads() reads the scripts without Alembic: it must agree with Alembic.
    assert migrations.script_heads() == frozenset(scripts.get_heads())


def test_the_developers_alembic_ini_points_at_the_same_scripts():
    scripts = ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini")))
    assert Path(scripts.dir).resolve() == migrations.script_location().resolve()
    assert scripts.get_current_head() == migrations.head_revision()


# The appointments table as 0007 has it (a Core insert on today's model would also write the
# columns added since, with their Python defaults).
_APPOINTMENTS_0007 = table(
    "appointments",
    *(
        column(name, Appointment.__table__.c[name].type)
        for name in (
            "id",
            "user_id",
            "source_id",
            "identity_hash",
            "start",
            "end",
            "all_day",
            "kind",
            "telehealth",
            "intense",
        )
    ),
)


def test_0009_keeps_sessions_already_marked_intense(empty_db_url):
    """Flags set through the API before occurrence marks existed become marks."""
    migrations.upgrade(empty_db_url, "0007")
    now = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    engine = make_engine(empty_db_url)
    try:
        with Session(engine) as db:
            # Core inserts of only the columns 0007 has: the models have gained some since
            # (0012's, 0013's), and registering would write today's care plan row.
            user_id = uuid.uuid4()
            db.execute(
                insert(User.__table__).values(
                    id=user_id,
                    email="migrating@example.com",
                    password_hash="-",
                    display_name="Migrating",
                    timezone="America/New_York",
                    created_at=now,
                    updated_at=now,
                    password_changed_at=now,
                )
            )
            source_id = uuid.uuid4()
            db.execute(
                insert(CalendarSource.__table__).values(
                    id=source_id,
                    user_id=user_id,
                    kind="upload",
                    name="Practice",
                    rule={"mode": "all_timed"},
                    status="ok",
                    warnings=[],
                    consecutive_failures=0,
                    appointment_count=0,
                    session_count=0,
                    created_at=now,
                    updated_at=now,
                )
            )
            for n, intense in enumerate((True, False)):
                db.execute(
                    insert(_APPOINTMENTS_0007).values(
                        id=uuid.uuid4(),
                        user_id=user_id,
                        source_id=source_id,
                        identity_hash=f"{n:064d}",
                        start=now + timedelta(hours=n),
                        end=now + timedelta(hours=n, minutes=50),
                        all_day=False,
                        kind="session",
                        telehealth=False,
                        intense=intense,
                    )
                )
            db.commit()
        migrations.upgrade(empty_db_url)
        with Session(engine) as db:
            marks = db.scalars(select(OccurrenceMark)).all()
            assert [(m.identity_hash, m.mark, m.value) for m in marks] == [
                (f"{0:064d}", "intense", True)
            ]
            assert marks[0].source_id == source_id and marks[0].user_id == user_id
    finally:
        engine.dispose()
