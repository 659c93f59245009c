"""One error shape for every 4xx/5xx: ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from interlude.core.settings import Settings

log = logging.getLogger("interlude.errors")


class AppError(Exception):
    """A failure the client can act on. Subclasses fix the status and code."""

    status_code = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        details: Any = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = headers
        if code:
            self.code = code


class BadRequest(AppError):
    status_code = 400
    code = "bad_request"


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"


class NotFound(AppError):
    status_code = 404
    code = "not_found"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"


class Unprocessable(AppError):
    status_code = 422
    code = "validation_error"


class RateLimited(AppError):
    status_code = 429
    code = "rate_limited"


class ServiceUnavailable(AppError):
    status_code = 503
    code = "unavailable"


class InsufficientStorage(AppError):
    status_code = 507
    code = "insufficient_storage"


DISK_FULL_MESSAGE = (
    "The server's disk is full, so this change was not saved; everything saved before is "
    "intact. Ask whoever runs Interlude to free disk space, then try again."
)
DATABASE_DOWN_MESSAGE = (
    "The database is unavailable for a moment; please try again in a few seconds."
)
# SQLite's own words for a temporary condition (messages of its OperationalError).
_SQLITE_TEMPORARY = ("database is locked", "database table is locked", "unable to open", "i/o")


def database_fault(exc: OperationalError) -> AppError | None:
    """The answer for a database that is full or unreachable; ``None`` for anything else
    (e.g. SQLite's "no such table", a bug that stays a logged 500).

    Full: SQLite's SQLITE_FULL ("database or disk is full", a full disk or max_page_count)
    and PostgreSQL's disk_full (53100). Unreachable: any PostgreSQL OperationalError (refused
    or dropped connections, shutting down or starting up, too many connections) and SQLite's
    busy, locked, I/O and open failures. The transaction rolled back (only a connection lost
    during COMMIT itself leaves the outcome unknown, hence no "nothing was saved" in 503s).
    """
    orig = exc.orig
    text = str(orig).lower()
    if getattr(orig, "sqlstate", None) == "53100" or "database or disk is full" in text:
        return InsufficientStorage(DISK_FULL_MESSAGE)
    from_postgres = type(orig).__module__.startswith("psycopg")
    if from_postgres or exc.connection_invalidated or any(w in text for w in _SQLITE_TEMPORARY):
        return ServiceUnavailable(DATABASE_DOWN_MESSAGE, headers={"Retry-After": "5"})
    return None


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    408: "request_timeout",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorResponse(BaseModel):
    """The one shape of every 4xx/5xx answer."""

    error: ErrorDetail


INTERNAL_ERROR = error_body("internal_error", "Something went wrong on our side; please try again.")
_BODY_NOT_JSON = "There was an error parsing the body"


def log_unexpected(exc: BaseException, where: str) -> None:
    """Type, route and stack only: exception messages may carry user or calendar data."""
    stack = "".join(traceback.format_tb(exc.__traceback__))
    log.error("unhandled %s on %s\n%s", type(exc).__name__, where, stack)


class UnexpectedErrors:
    """Innermost catch-all: an unexpected exception becomes the standard 500 body here, inside
    the other middleware, so the answer still carries the security headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            log_unexpected(exc, f"{scope.get('method', '')} {scope.get('path', '')}")
            if started:
                raise
            await JSONResponse(INTERNAL_ERROR, status_code=500)(scope, receive, send)


def media_type(value: bytes) -> str:
    """``b"Application/JSON; charset=utf-8"`` -> ``"application/json"``."""
    return value.split(b";", 1)[0].strip().decode("latin-1").lower()


class RejectNulCharacters:
    """NUL cannot be stored in PostgreSQL text and is never meaningful in this API's input:
    refuse it in the path, the query and request bodies with a 422 before anything runs.

    Every body is checked except multipart ones (the calendar upload: a file, read by the
    calendar parser): FastAPI reads JSON whatever the header's case, parameters or absence,
    and however many Content-Type headers come, so the check cannot depend on them. The body
    is at most the request limit (``core.request_limits``, outside this layer): it is
    collected in a list and joined once.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"")
        if "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query:
            await self._refuse(scope, receive, send)
            return
        if scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)  # no body is read on these routes
            return
        types = [media_type(v) for k, v in scope.get("headers", ()) if k == b"content-type"]
        if types and all(t.startswith("multipart/") for t in types):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        last: Message = {"type": "http.request", "body": b"", "more_body": False}
        while True:
            message = await receive()
            if message["type"] != "http.request":
                last = message
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if b"\\u0000" in body or b"\x00" in body:
            await self._refuse(scope, receive, send)
            return
        pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
        if last["type"] != "http.request":
            pending.append(last)

        async def replay() -> Message:
            return pending.pop(0) if pending else await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
        body = error_body(
            "validation_error",
            "Text may not contain NUL characters (\\u0000); remove them and try again.",
        )
        await JSONResponse(body, status_code=422)(scope, receive, send)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or str(loc[0] if loc else "request")


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        details.append(
            {
                "field": _field_path(loc),
                "location": str(loc[0]) if loc else "body",
                "message": str(err.get("msg", "invalid value")),
                "type": str(err.get("type", "value_error")),
            }
        )
    return details


def install_error_handlers(
    app: FastAPI, settings: Settings, *, larger_bodies: Mapping[str, int] | None = None
) -> None:
    """The handlers, and the middleware that answers bad input before the app runs.
    ``larger_bodies``: exact paths that take more than the request body limit (uploads)."""
    from interlude.core.request_limits import RequestLimits  # it words its answers with ours

    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        return JSONResponse(
            error_body(exc.code, exc.message, exc.details),
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = _validation_details(exc)
        first = details[0] if details else None
        message = f"{first['field']}: {first['message']}" if first else "The request is not valid."
        return JSONResponse(error_body("validation_error", message, details), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == _BODY_NOT_JSON:
            return JSONResponse(
                error_body(
                    "validation_error",
                    "The request body is not valid JSON (it must be UTF-8 encoded JSON).",
                ),
                status_code=422,
            )
        code = _STATUS_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else "Request failed."
        if exc.status_code == 404 and message == "Not Found":
            message = "Nothing exists at this address."
        return JSONResponse(
            error_body(code, message), status_code=exc.status_code, headers=exc.headers
        )

    # Safety nets: input the schemas let through but the database refuses is still the
    # client's to fix, and the transaction has rolled back, so nothing stored was lost.
    @app.exception_handler(DataError)
    async def _data_error(request: Request, exc: DataError) -> JSONResponse:
        log_unexpected(exc, f"{request.method} {request.url.path}")
        return JSONResponse(
            error_body("validation_error", "A value in the request cannot be stored."),
            status_code=422,
        )

    @app.exception_handler(IntegrityError)
    async def _integrity_error(request: Request, exc: IntegrityError) -> JSONResponse:
        log_unexpected(exc, f"{request.method} {request.url.path}")
        return JSONResponse(
            error_body("conflict", "This conflicts with data that already exists."),
            status_code=409,
        )

    # A full disk or a database that is down (restarting, failing over) is not a bug: a clear
    # 507 or 503 the client can act on, never a 500. The transaction rolled back.
    @app.exception_handler(OperationalError)
    async def _operational_error(request: Request, exc: OperationalError) -> JSONResponse:
        fault = database_fault(exc)
        if fault is None:
            log_unexpected(exc, f"{request.method} {request.url.path}")
            return JSONResponse(INTERNAL_ERROR, status_code=500)
        log.warning(
            "%s on %s %s: answered %d",
            type(exc.orig).__name__,
            request.method,
            request.url.path,
            fault.status_code,
        )
        return JSONResponse(
            error_body(fault.code, fault.message),
            status_code=fault.status_code,
            headers=fault.headers,
        )

    app.add_middleware(UnexpectedErrors)
    app.add_middleware(RejectNulCharacters)
    # Outside the NUL check, which reads the body: nothing is buffered past the limit.
    app.add_middleware(
        RequestLimits,
        max_body=settings.max_request_body_bytes,
        body_timeout=settings.request_body_timeout_seconds,
        larger=larger_bodies,
    )


Responses = dict[int | str, dict[str, Any]]

_DESCRIPTIONS = {
    400: "Bad request",
    401: "Not signed in, or the session ended",
    403: "Forbidden (e.g. missing CSRF header)",
    404: "Not found (or not yours)",
    408: "The request body did not arrive in time",
    409: "Conflicts with existing data",
    413: "Too large",
    422: "Validation error: details name each field",
    429: "Too many requests; see Retry-After",
    503: "The database is unavailable for the moment; retry after Retry-After seconds",
    507: "The server's disk is full; nothing was saved",
}


def error_responses(*codes: int) -> Responses:
    """OpenAPI ``responses=`` entries for error codes, all with the one error shape."""
    return {
        code: {"description": _DESCRIPTIONS.get(code, "Error"), "model": ErrorResponse}
        for code in codes
    }


def error_response(code: int, description: str) -> Responses:
    """One error code with a route's own description, in the shared error shape. (A plain
    ``{code: {"description": ...}}`` would replace the shared entry and lose its model.)"""
    return {code: {"description": description, "model": ErrorResponse}}


# Documented on every API operation: any of them can answer these.
COMMON_ERROR_RESPONSES = error_responses(400, 401, 403, 404, 408, 409, 413, 422, 429, 503, 507)
