"""The process-wide objects a request or a job needs, built once from settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from interlude.core.clock import Clock, SystemClock
from interlude.core.db import make_engine, make_session_factory, session_scope
from interlude.core.security import Keyring, Passwords
from interlude.core.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    keyring: Keyring
    passwords: Passwords
    clock: Clock = field(default_factory=SystemClock)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock | None = None) -> Runtime:
        engine = make_engine(settings.resolved_database_url)
        return cls(
            settings=settings,
            engine=engine,
            session_factory=make_session_factory(engine),
            keyring=Keyring(settings.resolved_secret_key()),
            passwords=Passwords(
                time_cost=settings.argon2_time_cost, memory_kib=settings.argon2_memory_kib
            ),
            clock=clock or SystemClock(),
        )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work outside a request (jobs, CLI): commits or rolls back."""
        with session_scope(self.session_factory) as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
