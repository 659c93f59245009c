"""Helpers for driving schemathesis against the in-process app through FastAPI's TestClient.

schemathesis' own ASGI transport goes through ``requests``, which breaks with the
``urllib3-future`` package in this environment (``'TrafficPolice' object has no attribute
'keys'``); the cases are therefore serialised by schemathesis and sent with the same
``TestClient`` every other test uses, and the responses handed back to schemathesis' checks.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from schemathesis.checks import not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

BASE_URL = "http://testserver"
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    status_code_conformance,
]
# pydantic documents ``datetime.time`` as ``format: time``; the validator reads that as RFC 3339
# ``full-time`` (offset required), while the API sends local wall-clock times ("09:00:00") on
# purpose (a care plan's hours are in the user's zone). The fuzzer checks the form we promise.
LOCAL_TIME_PATTERN = r"^[0-2][0-9]:[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$"
# Operations that end the caller's session: each case gets a fresh login of its own.
SESSION_ENDING = {("POST", "/api/v1/auth/logout"), ("DELETE", "/api/v1/me")}


# OpenAPI links that schemathesis' inference does not find (it links a resource's own
# routes, not an action on it): (producing operationId, status) -> {link name: link}.
EXTRA_LINKS: dict[tuple[str, str], dict[str, Any]] = {
    (source, "201"): {
        "SyncCalendar": {
            "operationId": "sync_calendar",
            "parameters": {"source_id": "$response.body#/id"},
        }
    }
    for source in ("create_calendar", "upload_calendar")
} | {
    ("hold_time", "201"): {
        "ReleaseTime": {
            "operationId": "release_time",
            "parameters": {"held_id": "$response.body#/id"},
        }
    },
    ("list_held_time", "200"): {
        "ReleaseTime": {
            "operationId": "release_time",
            "parameters": {"held_id": "$response.body#/0/id"},
        }
    },
}


def _add_links(spec: dict[str, Any]) -> None:
    operations = {op["operationId"]: op for item in spec["paths"].values() for op in item.values()}
    for (source, status), links in EXTRA_LINKS.items():
        operations[source]["responses"][status].setdefault("links", {}).update(links)


def _local_times(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("format") == "time":
            node.pop("format")
            node["pattern"] = LOCAL_TIME_PATTERN
        for value in node.values():
            _local_times(value)
    elif isinstance(node, list):
        for value in node:
            _local_times(value)


# Instants around the tests' frozen clock (Monday 23 November 2026): what the PWA asks for.
NEARBY_INSTANTS = [
    "2026-11-16T00:00:00Z",
    "2026-11-23T00:00:00-05:00",
    "2026-11-30T00:00:00Z",
    "2026-12-07T12:00:00+01:00",
]


def _nearby_instants(spec: dict[str, Any]) -> None:
    """Query instants (``start``/``end``, ``at``) chosen from ``NEARBY_INSTANTS``: the stateful
    pass lists the objects a scenario made (a random year lists nothing, or is a 422); the
    stateless passes keep fuzzing the full range."""
    for item in spec["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                schema = json.dumps(parameter["schema"])
                if parameter["in"] == "query" and '"date-time"' in schema:
                    parameter["schema"] = {"type": "string", "enum": NEARBY_INSTANTS}


def load_schema(app: FastAPI, *, mode: str = "all", nearby_instants: bool = False) -> Any:
    """The app's live OpenAPI document as a schemathesis schema (``mode``: positive, negative
    or all, for the cases the schema itself generates, e.g. in the state machine)."""
    spec = copy.deepcopy(app.openapi())
    _local_times(spec)
    _add_links(spec)
    if nearby_instants:
        _nearby_instants(spec)
    config = schemathesis.Config.from_dict({"generation": {"mode": mode}})
    return schemathesis.openapi.from_dict(spec, config=config)


def _file_value(value: Any) -> Any:
    # Negative cases put numbers or nulls where a file goes; send them as their text.
    if isinstance(value, tuple):
        return tuple(_file_value(part) if i == 1 else part for i, part in enumerate(value))
    if isinstance(value, bytes | str) or hasattr(value, "read"):
        return value
    return str(value).encode()


def _files(files: Any) -> Any:
    if isinstance(files, dict):
        return {name: _file_value(value) for name, value in files.items()}
    return [(name, _file_value(value)) for name, value in files]


def send(client: TestClient, case: Any, headers: dict[str, str]) -> Response:
    """Sends a generated case with ``client`` (no cookies: bearer only) and returns the
    response in schemathesis' form."""
    kwargs = case.as_transport_kwargs(base_url=BASE_URL, headers=dict(headers))
    request: dict[str, Any] = {
        "method": kwargs["method"],
        "url": kwargs["url"],
        "headers": kwargs["headers"],
        "params": kwargs.get("params") or None,
    }
    if "json" in kwargs:
        request["json"] = kwargs["json"]
    if "data" in kwargs:
        data = kwargs["data"]
        request["content" if isinstance(data, bytes | str) else "data"] = data
    if kwargs.get("files"):
        request["files"] = _files(kwargs["files"])
    client.cookies.clear()
    response = client.request(**request)
    response.request.read()  # multipart bodies are streams: the checks read them back
    return Response.from_any(response)


def _request_summary(case: Any) -> str:
    body = case.body if type(case.body).__name__ != "NotSet" else None
    return f"{case.formatted_path} query={case.query} body={body!r}"[:600]


@dataclass(frozen=True)
class Finding:
    """One check failure: which check, where, what came back, and how to reproduce it."""

    check: str  # not_a_server_error, response_schema_conformance, ...
    code: str  # schemathesis' failure code, e.g. ST103
    operation: str
    status: int
    title: str
    detail: str

    def short(self) -> str:
        return f"{self.code} {self.operation} -> {self.status}: {self.title}"


@dataclass
class Tally:
    """Per-operation status codes seen, and every failure (kept, not raised, so one run
    reports them all)."""

    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    # The same, per pass: "positive", "negative", "stateful".
    by_pass: dict[str, dict[str, Counter[int]]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    stopped_early: str = ""

    @property
    def cases(self) -> int:
        return sum(sum(c.values()) for c in self.statuses.values())

    def check(self, case: Any, response: Response, *, phase: str) -> None:
        label = f"{case.operation.method.upper()} {case.operation.path}"
        self.statuses.setdefault(label, Counter())[response.status_code] += 1
        self.by_pass.setdefault(phase, {}).setdefault(label, Counter())[response.status_code] += 1
        for check in CHECKS:
            try:
                case.validate_response(response, checks=[check])
            except (Exception, BaseExceptionGroup) as exc:  # collected, reported by the tests
                failures = exc.exceptions if isinstance(exc, BaseExceptionGroup) else [exc]
                for failure in failures:
                    self.findings.append(
                        Finding(
                            check=check.__name__,
                            code=str(getattr(failure, "code", "?")),
                            operation=label,
                            status=response.status_code,
                            title=str(getattr(failure, "title", type(failure).__name__)),
                            detail=(
                                f"{getattr(failure, 'message', failure)}\n"
                                f"request: {_request_summary(case)}\n"
                                f"response: {response.text[:300]}"
                            )[:2000],
                        )
                    )

    def distinct(self, check: str) -> list[Finding]:
        """One finding per (operation, status, kind of failure), for ``check``."""
        seen: dict[tuple[str, str, int, str], Finding] = {}
        for finding in self.findings:
            if finding.check == check:
                seen.setdefault(
                    (finding.operation, finding.code, finding.status, finding.title), finding
                )
        return list(seen.values())

    def report(self, check: str) -> str:
        found = self.distinct(check)
        lines = [finding.short() for finding in found]
        details = [f"--- {f.short()}\n{f.detail}" for f in found[:10]]
        return "\n".join([f"{len(found)} distinct failures of {check}:", *lines, "", *details])

    def statuses_report(self, phase: str | None = None) -> str:
        statuses = self.statuses if phase is None else self.by_pass.get(phase, {})
        lines = [f"{label}: {dict(c)}" for label, c in sorted(statuses.items())]
        return "\n".join([self.stopped_early, f"{phase or 'all passes'}:", *lines])
