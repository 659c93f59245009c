"""A real HTTP server for calendar feeds, on 127.0.0.1 and a port picked at runtime."""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/calendar; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # answers 304 to a matching If-None-Match
    last_modified: str | None = None  # answers 304 to a matching If-Modified-Since
    gate: threading.Event | None = None  # before answering, wait until it is set
    delay: float = 0.0  # before the headers
    trickle: float = 0.0  # seconds between 1 KB chunks of the body
    hang_after: int | None = None  # send this many bytes, then stall
    header_trickle: float = 0.0  # seconds between single bytes of the status line and headers
    redirect_to: str | None = None
    omit_length: bool = False  # no Content-Length: the body ends when the connection closes
    hits: int = 0
    conditional_hits: int = 0


class _Handler(BaseHTTPRequestHandler):
    server: FeedServerHTTP

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        route = self.server.routes.get(self.path.split("?", 1)[0])
        if route is None:
            self.send_error(404)
            return
        route.hits += 1
        if route.gate is not None:
            route.gate.wait(30)
        if route.delay:
            time.sleep(route.delay)
        if route.redirect_to is not None:
            self.send_response(302)
            self.send_header("Location", route.redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if route.header_trickle:
            self._trickle_headers(route)
            return
        sent_etag = self.headers.get("If-None-Match")
        sent_since = self.headers.get("If-Modified-Since")
        if sent_etag is not None or sent_since is not None:
            route.conditional_hits += 1
        if (route.etag is not None and sent_etag == route.etag) or (
            route.etag is None
            and route.last_modified is not None
            and sent_since == route.last_modified
        ):
            self.send_response(304)
            if route.etag is not None:
                self.send_header("ETag", route.etag)
            self.end_headers()
            return
        self.send_response(route.status)
        self.send_header("Content-Type", route.content_type)
        if route.etag is not None:
            self.send_header("ETag", route.etag)
        if route.last_modified is not None:
            self.send_header("Last-Modified", route.last_modified)
        for name, value in route.headers.items():
            self.send_header(name, value)
        if route.hang_after is None and not route.trickle and not route.omit_length:
            self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._write_body(route)

    def _trickle_headers(self, route: Route) -> None:
        """One byte of the response head at a time: each arrives well within any read
        timeout, so only a deadline over the whole exchange stops the client."""
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\n"
            f"X-Padding: {'p' * 200}\r\nContent-Length: {len(route.body)}\r\n\r\n"
        ).encode()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for i in range(len(head)):
                self.wfile.write(head[i : i + 1])
                self.wfile.flush()
                if self.server.stop_event.wait(route.header_trickle):
                    return
            self.wfile.write(route.body)
        self.close_connection = True

    def _write_body(self, route: Route) -> None:
        if route.hang_after is not None:
            self.wfile.write(route.body[: route.hang_after])
            self.wfile.flush()
            self.server.stop_event.wait(30)
            return
        if route.trickle:
            for i in range(0, len(route.body), 1024):
                self.wfile.write(route.body[i : i + 1024])
                self.wfile.flush()
                if self.server.stop_event.wait(route.trickle):
                    return
            return
        self.wfile.write(route.body)


class FeedServerHTTP(ThreadingHTTPServer):
    daemon_threads = True
    routes: dict[str, Route]
    stop_event: threading.Event


class FeedServer:
    def __init__(self) -> None:
        self.httpd = FeedServerHTTP(("127.0.0.1", 0), _Handler)
        self.httpd.routes = {}
        self.httpd.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def add(self, path: str, route: Route) -> str:
        self.httpd.routes[path] = route
        return self.base + path

    def fixture(self, name: str, **kwargs: object) -> str:
        """Serve tests/calendars/fixtures/<name> at /<name>; returns its URL."""
        route = Route(body=(FIXTURES / name).read_bytes(), **kwargs)  # type: ignore[arg-type]
        return self.add(f"/{name}", route)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.stop_event.set()
        self.httpd.shutdown()
        self.httpd.server_close()
