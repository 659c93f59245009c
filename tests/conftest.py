"""Shared fixtures: every test that touches the database gets a fresh, migrated one.

The schema is built by the Alembic migrations once per backend and test process; each test
gets an empty copy (SQLite: a copy of the migrated file; PostgreSQL: the migrated database,
emptied), so tests see real commits, may start processes against the database, and never
see each other's rows.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from interlude import migrations
from interlude.app import create_app
from interlude.core.clock import FrozenClock
from interlude.core.runtime import Runtime
from interlude.core.settings import Settings
from interlude.wiring import connect_domains
from tests.support.smtp import LocalSmtp

POSTGRES_URL = os.environ.get("INTERLUDE_TEST_POSTGRES_URL", "").strip()
BACKENDS = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]
# Monday 23 November 2026, 14:00 UTC (09:00 in New York): a working day, mid-afternoon in London.
DEFAULT_NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
_counter = itertools.count()


def _pg_admin_url() -> str:
    url = make_url(POSTGRES_URL)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def _pg_url_for(database: str) -> str:
    return make_url(_pg_admin_url()).set(database=database).render_as_string(hide_password=False)


def _pg_execute(sql: str) -> None:
    engine = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def pytest_sessionstart(session: pytest.Session) -> None:
    # What create_app and the worker do: tests that call services directly (a user made by
    # the factories gets the default care plan; a calendar change re-plans) need the seams
    # too. tests/test_wiring.py proves the app and the worker connect them themselves.
    connect_domains()
    if not POSTGRES_URL:
        return
    try:
        _pg_execute("SELECT 1")
    except Exception as exc:  # a configured but unreachable database must fail, never skip
        raise pytest.UsageError(
            f"INTERLUDE_TEST_POSTGRES_URL is set but PostgreSQL is unreachable: {exc}"
        ) from exc


class DatabaseTemplates:
    """Migrates once per backend per test process, then hands out an empty copy per test.

    SQLite: the migrated template file is copied for every test. PostgreSQL: creating a
    database per test costs ~0.3-2 s, so each test process migrates its own database once
    and every test starts from it emptied (TRUNCATE of every table, other connections closed).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._sqlite_template: Path | None = None
        self._pg_database: str | None = None

    def fresh_url(self, backend: str) -> tuple[str, object]:
        if backend == "sqlite":
            if self._sqlite_template is None:
                self._sqlite_template = self.root / "template.db"
                migrations.upgrade(f"sqlite:///{self._sqlite_template}")
                with sqlite3.connect(self._sqlite_template) as conn:
                    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            target = self.root / f"test-{next(_counter)}.db"
            shutil.copyfile(self._sqlite_template, target)
            return f"sqlite:///{target}", target
        if self._pg_database is None:
            name = f"interlude_test_{os.getpid()}"
            _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            _pg_execute(f'CREATE DATABASE "{name}"')
            migrations.upgrade(_pg_url_for(name))
            self._pg_database = name
        self._empty_pg(self._pg_database)
        return _pg_url_for(self._pg_database), self._pg_database

    @staticmethod
    def _empty_pg(database: str) -> None:
        from interlude.models import Base

        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        engine = create_engine(_pg_url_for(database), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                # A worker process a test left behind must not hold locks on the next test.
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        finally:
            engine.dispose()

    def drop(self, backend: str, handle: object) -> None:
        if backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{handle}{suffix}").unlink(missing_ok=True)

    def close(self) -> None:
        if self._pg_database:
            _pg_execute(f'DROP DATABASE IF EXISTS "{self._pg_database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def db_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseTemplates]:
    templates = DatabaseTemplates(tmp_path_factory.mktemp("db"))
    yield templates
    templates.close()


@pytest.fixture(params=BACKENDS)
def db_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(db_backend: str, db_templates: DatabaseTemplates) -> Iterator[str]:
    url, handle = db_templates.fresh_url(db_backend)
    yield url
    db_templates.drop(db_backend, handle)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(DEFAULT_NOW)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "var",
        database_url=db_url,
        secret_key=TEST_SECRET,
        base_url="http://testserver",
        allow_private_network=True,
        frontend_dist=tmp_path / "no-frontend",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        # In-process tests encrypt in place (no process spawned per test); the pool has its
        # own tests, and the worker-process tests run it with the default.
        push_encryption_processes=0,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def runtime(settings: Settings, clock: FrozenClock) -> Iterator[Runtime]:
    rt = Runtime.from_settings(settings, clock)
    yield rt
    rt.dispose()


@pytest.fixture
def app(runtime: Runtime):  # type: ignore[no-untyped-def]
    return create_app(runtime)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def db(runtime: Runtime) -> Iterator[Session]:
    """A session for arranging and inspecting data; call ``db.commit()`` to publish rows."""
    session = runtime.session_factory()
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def user(db: Session, clock: FrozenClock):  # type: ignore[no-untyped-def]
    from tests.factories import make_user

    return make_user(db, now=clock.now())


@pytest.fixture
def auth(client: TestClient, user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from tests.factories import login_headers

    return login_headers(client, user.email)


@pytest.fixture
def other_user(db: Session, clock: FrozenClock):  # type: ignore[no-untyped-def]
    from tests.factories import make_user

    return make_user(db, now=clock.now(), timezone="Europe/London")


@pytest.fixture
def other_auth(client: TestClient, other_user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from tests.factories import login_headers

    return login_headers(client, other_user.email)


@pytest.fixture
def smtp_server() -> Iterator[LocalSmtp]:
    """A local SMTP server (aiosmtpd) that collects the messages sent to it."""
    with LocalSmtp() as server:
        yield server


def with_smtp(settings: Settings, server: LocalSmtp, **changes: object) -> Settings:
    """``settings`` sending mail through ``server`` (plain SMTP on loopback)."""
    return settings.model_copy(
        update={
            "smtp_host": server.host,
            "smtp_port": server.port,
            "smtp_starttls": False,
            "smtp_from": "Interlude <interlude@test.invalid>",
            **changes,
        }
    )
