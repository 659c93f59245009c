"""Alembic environment: the URL comes from the caller (``interlude migrate``) or settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from interlude.core.db import make_engine
from interlude.core.settings import get_settings
from interlude.models import Base

_imported_outside_alembic = not hasattr(context, "config")
target_metadata = Base.metadata


def _url() -> str:
    return context.config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


# Alembic runs this file with its context set up; importing it otherwise (a walk over the
# package's modules) does nothing.
if not _imported_outside_alembic:
    if context.is_offline_mode():
        run_migrations_offline()
    else:
        run_migrations_online()
