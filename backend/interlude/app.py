"""The FastAPI application: every domain's router, error handlers, health and the PWA."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy import text
from starlette.types import ASGIApp, Receive, Scope, Send

from interlude import migrations, web
from interlude.accounts.password_reset import router as password_reset_router
from interlude.accounts.router import auth_router, me_router
from interlude.autoresponder.router import router as autoresponder_router
from interlude.calendars.router import LARGER_BODIES
from interlude.calendars.router import router as calendars_router
from interlude.care_plan.router import router as care_plan_router
from interlude.core.errors import (
    COMMON_ERROR_RESPONSES,
    error_body,
    error_response,
    install_error_handlers,
)
from interlude.core.runtime import Runtime
from interlude.core.settings import get_settings
from interlude.push.router import router as push_router
from interlude.reminders.router import planner_router
from interlude.reminders.router import router as reminders_router
from interlude.week_ahead.router import router as week_ahead_router
from interlude.wellbeing.routers import router as wellbeing_router
from interlude.wiring import connect_domains

log = logging.getLogger("interlude")

# Starlette tries routes in order: the Today view's two list calls (the hottest requests)
# come first, which takes ~15 % off each of them (docs/benchmarks.md, "API").
API_ROUTERS = (
    reminders_router,  # before calendars: /calendars/breaks.ics must win over /calendars/{id}
    calendars_router,
    auth_router,
    password_reset_router,
    me_router,
    care_plan_router,
    planner_router,
    push_router,
    autoresponder_router,
    wellbeing_router,
    week_ahead_router,
)


# Smaller bodies fit in a packet or two either way; compressing them costs more than it saves.
GZIP_MINIMUM_SIZE = 1024


class ApiGZip:
    """Starlette's GZipMiddleware for /api/ and the OpenAPI document only.

    Level 6 keeps most of level 9's saving on JSON for a fraction of its CPU on the hot reads;
    Starlette never buffers text/event-stream and passes through bodies already encoded.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=GZIP_MINIMUM_SIZE, compresslevel=6)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.startswith("/api/") or path == "/openapi.json":
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _operation_id(route: APIRoute) -> str:
    # Clean ids for generated clients: the endpoint function's name, e.g. "list_calendars".
    return route.name


def create_app(runtime: Runtime | None = None, *, embedded_worker: bool = False) -> FastAPI:
    runtime = runtime or Runtime.from_settings(get_settings())
    connect_domains()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = None
        if embedded_worker:
            from interlude.worker import Worker

            worker = Worker(runtime, background=True)
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                worker.shutdown()

    app = FastAPI(
        title="Interlude",
        version="0.1.0",
        summary="Protects the minutes between a therapist's client sessions.",
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        # FastAPI's OpenTelemetry hooks: Interlude has its own /metrics and log lines, and
        # OTel's log export would carry exception messages we do not vet for client data.
        # Off, they also stop costing a provider look-up on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.runtime = runtime
    install_error_handlers(app, runtime.settings, larger_bodies=LARGER_BODIES)
    for router in API_ROUTERS:
        app.include_router(router, responses=COMMON_ERROR_RESPONSES)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    schema_heads = migrations.script_heads()

    @app.get("/readyz", tags=["health"], responses=error_response(503, "Not ready"))
    def readyz() -> JSONResponse:
        """The database answers and its schema is at this code's migration head."""
        try:
            with runtime.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
                try:
                    versions = set(conn.scalars(text("SELECT version_num FROM alembic_version")))
                    conn.execute(text("SELECT 1 FROM users LIMIT 0"))  # the tables are there
                except Exception as exc:
                    log.warning("readiness check: no schema (%s)", type(exc).__name__)
                    versions = set()
        except Exception as exc:
            log.warning("readiness check failed: %s", type(exc).__name__)
            return JSONResponse(
                error_body("unavailable", "The database is not reachable."), status_code=503
            )
        if versions != schema_heads:
            log.warning("readiness check: schema at %s, code at %s", versions, schema_heads)
            return JSONResponse(
                error_body(
                    "unavailable",
                    "The database schema does not match this version of Interlude; "
                    "run `interlude migrate`.",
                ),
                status_code=503,
            )
        return JSONResponse({"status": "ok"})

    web.install(app, runtime.settings)
    # Outermost: the API's JSON (and its ICS/CSV/Sieve downloads) over ~1 KB go out gzipped
    # to clients that ask. The PWA's files are left to web.py, which serves the build's
    # pre-gzipped twins (smaller, and no CPU per request).
    app.add_middleware(ApiGZip)
    return app
