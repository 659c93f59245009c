"""Serves the built PWA (frontend/dist) at / with an SPA fallback to index.html."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response

from interlude.core.errors import error_body
from interlude.core.settings import Settings


def install(app: FastAPI, settings: Settings) -> None:
    dist = settings.frontend_dist.resolve()

    @app.get("/{path:path}", include_in_schema=False)
    def frontend(path: str, request: Request) -> Response:
        if path.startswith("api/"):
            from fastapi.responses import JSONResponse

            return JSONResponse(
                error_body("not_found", "Nothing exists at this address."), status_code=404
            )
        if not (dist / "index.html").is_file():
            return Response(
                "Interlude API is running; the PWA is not built (run `make run`).",
                media_type="text/plain",
            )
        candidate = (dist / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(dist):
            return FileResponse(candidate)
        return FileResponse(Path(dist / "index.html"))
