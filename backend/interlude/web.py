"""Serves the built PWA (``Settings.frontend_dist``: the copy packed into the wheel, or a
checkout's frontend/dist) at / and puts security headers on every response.

Caching:
- ``/assets/*`` carry a content hash in their names: cached for a year, ``immutable``.
- ``index.html``, ``sw.js`` and ``manifest.webmanifest`` must be re-checked every time, or a
  phone would keep an old app (or an old service worker) for days: ``no-cache``.
- Other files (icons): a day. API responses: ``no-store`` unless the endpoint set its own.
- Every app URL without a file extension (``/``, ``/break/<id>``, ``/care-plan``) is the SPA
  shell; a missing file *with* an extension is a plain 404 (never HTML for a script URL).
- Text assets have a ``.gz`` twin written by the build; clients that accept gzip get it.

Security headers (``SecurityHeaders``): a strict Content-Security-Policy with no inline
scripts, ``frame-ancestors 'none'``, ``X-Content-Type-Options: nosniff``, ``Referrer-Policy``,
``Permissions-Policy``, COOP, and HSTS when the public ``base_url`` is https. The interactive
API docs (/docs) need the Swagger UI bundle from jsDelivr and one inline script: they get a
policy that allows exactly that script (by its sha256 hash) and that CDN, nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import re
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interlude.core.errors import error_body
from interlude.core.settings import Settings

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
STATIC = "public, max-age=86400"
NO_STORE = "no-store"
ALWAYS_FRESH = frozenset({"index.html", "sw.js", "manifest.webmanifest"})
_NOT_APP_PREFIXES = ("api/", "docs", "redoc", "openapi.json", "healthz", "readyz", "metrics")

mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("text/javascript", ".mjs")

APP_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
_DOCS_CDN = "https://cdn.jsdelivr.net"


def docs_csp(app: FastAPI) -> str:
    """A policy for /docs and /redoc: the CDN bundle plus the hashed inline bootstrap script."""
    body = get_swagger_ui_html(
        openapi_url=app.openapi_url or "/openapi.json",
        title=f"{app.title} - Swagger UI",
        oauth2_redirect_url=app.swagger_ui_oauth2_redirect_url,
        init_oauth=app.swagger_ui_init_oauth,
        swagger_ui_parameters=app.swagger_ui_parameters,
    ).body
    html = bytes(body).decode()
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    )
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' {_DOCS_CDN} {hashes}".strip(),
            f"style-src 'self' {_DOCS_CDN} 'unsafe-inline'",
            "img-src 'self' data: https://fastapi.tiangolo.com",
            f"worker-src 'self' blob: {_DOCS_CDN}",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        )
    )


class SecurityHeaders:
    """Pure ASGI middleware: adds the headers without buffering or touching the body."""

    def __init__(self, app: ASGIApp, *, https: bool, docs_policy: str) -> None:
        self.app = app
        self.docs_policy = docs_policy
        self.common: list[tuple[bytes, bytes]] = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
        ]
        if https:
            self.common.append(
                (b"strict-transport-security", b"max-age=63072000; includeSubDomains")
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        is_docs = path.startswith(("/docs", "/redoc"))
        csp = (self.docs_policy if is_docs else APP_CSP).encode()
        is_api = path.startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in self.common:
                    if name not in present:
                        headers.append((name, value))
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", csp))
                if is_api and b"cache-control" not in present:
                    headers.append((b"cache-control", NO_STORE.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def cache_control(relative: str) -> str:
    if relative.startswith("assets/"):
        return IMMUTABLE
    if relative in ALWAYS_FRESH:
        return REVALIDATE
    return STATIC


def _file_response(dist: Path, file: Path, request: Request) -> Response:
    relative = file.relative_to(dist).as_posix()
    media_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    headers = {"Cache-Control": cache_control(relative)}
    gz = file.with_name(file.name + ".gz")
    if gz.is_file():
        headers["Vary"] = "Accept-Encoding"
        if "gzip" in request.headers.get("accept-encoding", "").lower():
            headers["Content-Encoding"] = "gzip"
            return FileResponse(gz, media_type=media_type, headers=headers)
    return FileResponse(file, media_type=media_type, headers=headers)


def install(app: FastAPI, settings: Settings) -> None:
    dist = settings.frontend_dist.resolve()
    app.add_middleware(
        SecurityHeaders,
        https=settings.base_url.startswith("https://"),
        docs_policy=docs_csp(app),
    )

    @app.api_route("/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
    def frontend(path: str, request: Request) -> Response:
        if path.startswith(_NOT_APP_PREFIXES):
            return JSONResponse(
                error_body("not_found", "Nothing exists at this address."), status_code=404
            )
        index = dist / "index.html"
        if not index.is_file():
            return PlainTextResponse(
                "Interlude API is running; the PWA is not built (`interlude doctor` on the "
                "server says how to fix it).",
                headers={"Cache-Control": NO_STORE},
            )
        if path:
            candidate = (dist / path).resolve()
            if candidate.is_relative_to(dist) and candidate.is_file():
                if candidate.suffix == ".gz":
                    return PlainTextResponse("Not found.", status_code=404)
                return _file_response(dist, candidate, request)
            if "." in path.rsplit("/", 1)[-1]:
                return PlainTextResponse(
                    "Not found.", status_code=404, headers={"Cache-Control": NO_STORE}
                )
        return _file_response(dist, index, request)
