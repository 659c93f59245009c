"""FastAPI dependencies: the runtime, the request's unit of work, the clock, the current user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from interlude.core.clock import Clock
from interlude.core.db import REQUEST_SESSIONS
from interlude.core.runtime import Runtime
from interlude.core.security import Keyring, Passwords
from interlude.core.settings import Settings


# Trivial dependencies are ``async def`` on purpose: FastAPI runs a sync dependency on the
# thread pool, and each hop costs more than the lookup itself.
async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_session(runtime: RuntimeDep) -> Iterator[Session]:
    """The request's unit of work: commit if the endpoint returns, roll back if it raises."""
    session = runtime.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


async def get_clock(runtime: RuntimeDep) -> Clock:
    return runtime.clock


async def get_keyring(runtime: RuntimeDep) -> Keyring:
    return runtime.keyring


async def get_passwords(runtime: RuntimeDep) -> Passwords:
    return runtime.passwords


async def get_settings_dep(runtime: RuntimeDep) -> Settings:
    return runtime.settings


# scope="function": commit before the response is sent, so a client that gets 201 can rely on
# the row being there (with the default "request" scope the commit runs after sending).
# max_concurrency: fewer requests hold a session than the pool has connections; the rest wait
# on the event loop, holding no thread and no connection (core/db.py, REQUEST_SESSIONS). The
# body is read before dependencies are solved, so a client that never sends its body holds
# no place here.
SessionDep = Annotated[
    Session, Depends(get_session, scope="function", max_concurrency=REQUEST_SESSIONS)
]
ClockDep = Annotated[Clock, Depends(get_clock)]
KeyringDep = Annotated[Keyring, Depends(get_keyring)]
PasswordsDep = Annotated[Passwords, Depends(get_passwords)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
