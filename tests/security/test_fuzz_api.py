"""schemathesis (4.x) against the live OpenAPI schema, signed in as a real user.

Three passes over every operation, all deterministic (``derandomize=True``, no example
database), so CI sees the same cases every run:

- positive: schema-valid requests (most reach the service layer);
- negative: schema-violating requests (must be refused with a 4xx, never a 5xx);
- stateful: schemathesis' state machine chains operations through OpenAPI links (create ->
  read/patch/delete with the id it got back), so id-taking endpoints are fuzzed against
  objects that exist. The links are the ones schemathesis infers from the schema plus the
  few it cannot infer (``fuzz_support.EXTRA_LINKS``); each scenario starts as a new
  therapist with two uploaded calendars, so appointments and planned reminders exist too.

Checks on every response: no 5xx (``not_a_server_error``), the body conforms to the
documented schema (``response_schema_conformance``), the status code is documented
(``status_code_conformance``), and so is the content type. Outbound network is cut (every
DNS lookup fails at once): feeds, CalDAV and push endpoints given by the fuzzer fail fast.
"""

from __future__ import annotations

import os
import random
import socket
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Flaky, Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

from interlude.core.settings import Settings
from tests.factories import login_headers, user_payload
from tests.push.factories import subscription_json

from .fuzz_support import SESSION_ENDING, Tally, load_schema, send

POSITIVE_EXAMPLES = 12
NEGATIVE_EXAMPLES = 4
STATEFUL_SCENARIOS = 40
FOCUSED_SCENARIOS = 10
MIN_CASES = 1000
# The stateful pass leaves sign-in and session-ending operations to the stateless passes
# (a machine that logs itself out, or trips the login rate limit, stops testing anything).
# Registration too: emails are one namespace for all scenarios, so a replayed scenario would
# meet the accounts an earlier one made.
NOT_STATEFUL = SESSION_ENDING | {("POST", "/api/v1/auth/login"), ("POST", "/api/v1/auth/register")}
# Operations with a path parameter that the stateful pass need not reach with a real value:
# their parameter is a fixed name from an enum, not an object's id, so every value the
# stateless passes generate is a real one (and they answered non-404 there, checked below).
NAMED_NOT_ID = {
    "PUT /api/v1/autoresponder/templates/{slot}",
    "DELETE /api/v1/autoresponder/templates/{slot}",
    "GET /api/v1/autoresponder/{format}",
    "POST /api/v1/wellbeing/signals/{code}/mute",
    "DELETE /api/v1/wellbeing/signals/{code}/mute",
}
# Operations on a CalDAV calendar source: making one needs a live CalDAV server, and the fuzz
# run has no network (tests/week_ahead/test_caldav_writeback.py drives them against Radicale).
NEEDS_CALDAV = {
    "GET /api/v1/week-ahead/calendars/{source_id}/choices",
    "PUT /api/v1/week-ahead/calendars/{source_id}",
}
# A week of sessions around the frozen clock (Monday 23 November 2026), for the appointment
# and reminder routes.
SEED_CALENDAR = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Interlude tests//EN\r
BEGIN:VEVENT\r
UID:seed-1@example.test\r
DTSTAMP:20261101T000000Z\r
DTSTART;TZID=America/New_York:20261123T100000\r
DTEND;TZID=America/New_York:20261123T105000\r
RRULE:FREQ=DAILY;COUNT=10\r
SUMMARY:Session\r
END:VEVENT\r
END:VCALENDAR\r
"""

TIME_OFF = {"start_date": "2026-12-24", "end_date": "2027-01-02", "kind": "holiday"}
HELD_TIME = {"start": "2026-11-24T15:00:00Z", "end": "2026-11-24T15:20:00Z"}


def self_check(client: TestClient, auth: dict[str, str]) -> dict[str, Any]:
    instrument = "/api/v1/wellbeing/self-checks/instruments/interlude-reflection-v1"
    items = client.get(instrument, headers=auth).json()["items"]
    return {"answers": {item["id"]: 2 for item in items}}


def _settings(examples: int) -> hypothesis_settings:
    return hypothesis_settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Every stateful scenario signs up a new therapist from the one test client address.
    return settings.model_copy(update={"signup_max_per_address_per_hour": 10_000})


@pytest.fixture
def repeatable_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Object ids from a seeded generator: lists order rows made at the same (frozen) instant
    by id, and the state machine follows the first one, so random ids would make each run
    take another path. Only ``uuid.uuid4`` is affected (tokens and keys stay random)."""
    generator = random.Random(17)

    class _Os:
        def __getattr__(self, name: str) -> Any:
            return getattr(os, name)

        @staticmethod
        def urandom(size: int) -> bytes:
            return generator.randbytes(size)

    monkeypatch.setattr(uuid, "os", _Os())


@pytest.fixture
def no_outbound_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "no outbound network in the fuzz tests")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def _operations(app: FastAPI) -> list[Any]:
    schema = load_schema(app)
    operations = [r.ok() for r in schema.get_all_operations() if isinstance(r, Ok)]
    # Sign-in last: its fuzzed failures fill the per-address rate limit that fresh logins use.
    return sorted(operations, key=lambda op: op.path == "/api/v1/auth/login")


def _run_stateless(
    client: TestClient, app: FastAPI, user: Any, auth: dict[str, str], tally: Tally
) -> None:
    for mode, examples in (
        (GenerationMode.POSITIVE, POSITIVE_EXAMPLES),
        (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES),
    ):
        for operation in _operations(app):
            _fuzz_operation(operation, mode, examples, client, user, auth, tally)


def _fuzz_operation(
    operation: Any,
    mode: GenerationMode,
    examples: int,
    client: TestClient,
    user: Any,
    auth: dict[str, str],
    tally: Tally,
) -> None:
    session_ending = (operation.method.upper(), operation.path) in SESSION_ENDING

    @_settings(examples)
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        headers = login_headers(client, user.email) if session_ending else auth
        tally.check(case, send(client, case, headers), phase=mode.value)

    try:
        run()
    except Unsatisfiable:
        # An operation without parameters or body has nothing to make invalid.
        assert mode is GenerationMode.NEGATIVE, operation.label


def _run_stateful(
    client: TestClient,
    app: FastAPI,
    tally: Tally,
    *,
    scenarios: int = STATEFUL_SCENARIOS,
    focus: set[str] | None = None,
) -> None:
    """``focus``: operations (labels) to aim at, with the others of their collection (the
    links' sources); all operations if ``None``."""
    schema = load_schema(app, mode="positive", nearby_instants=True).exclude(
        func=lambda ctx: (ctx.operation.method.upper(), ctx.operation.path) in NOT_STATEFUL
    )
    if focus is not None:
        collections = tuple({label.split(" ", 1)[1].split("/{")[0] for label in focus})
        schema = schema.include(func=lambda ctx: ctx.operation.path.startswith(collections))
    base = schema.as_state_machine()

    class Machine(base):  # type: ignore[misc, valid-type]
        """Each scenario is a new therapist with two uploaded calendars: the same starting
        state every time, which hypothesis needs to replay a scenario."""

        def setup(self) -> None:
            payload = user_payload()
            created = client.post("/api/v1/auth/register", json=payload)
            assert created.status_code == 201, created.text
            self.auth = login_headers(client, payload["email"])
            # Two calendars: a scenario that deletes one early still has one to read.
            for name in ("practice.ics", "home.ics"):
                uploaded = client.post(
                    "/api/v1/calendars/upload",
                    files={"file": (name, SEED_CALENDAR, "text/calendar")},
                    headers=self.auth,
                )
                assert uploaded.status_code == 201, uploaded.text
            # Objects that random bodies cannot make (keys, an instrument's answers, dates in
            # order), for the list -> read/update/delete links to start from.
            for path, body in (
                ("/api/v1/push/subscriptions", subscription_json("https://127.0.0.1:9/push")),
                ("/api/v1/care-plan/time-off", TIME_OFF),
                ("/api/v1/week-ahead/held-time", HELD_TIME),
                ("/api/v1/wellbeing/self-checks", self_check(client, self.auth)),
            ):
                made = client.post(path, json=body, headers=self.auth)
                assert made.status_code == 201, made.text

        def call(self, case: Any, **kwargs: Any) -> Any:
            return send(client, case, self.auth)

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            tally.check(case, response, phase="stateful")

    # Generate only (no shrinking: failures are collected, not raised). A little state is
    # global whatever the scenario does (a push endpoint belongs to one account, so a later
    # scenario's subscription "moves" an earlier one's), and Hypothesis may notice that as a
    # strategy that behaves differently on the same prefix: the run then stops where it is,
    # and the cases so far stand (the coverage tests below say whether that was enough).
    try:
        Machine.run(settings=hypothesis_settings(_settings(scenarios), phases=[Phase.generate]))
    except Flaky as exc:
        tally.stopped_early = f"stateful run stopped early: {type(exc).__name__}"
        print(tally.stopped_early)


# One fuzz run per backend and test process; the tests below each judge one kind of check.
_RUNS: dict[str, Tally] = {}


@pytest.fixture
def fuzzed(
    db_backend: str,
    client: TestClient,
    app: FastAPI,
    user: Any,
    auth: dict[str, str],
    no_outbound_network: None,
    repeatable_ids: None,
) -> Tally:
    if db_backend not in _RUNS:
        # A 500 must come back as a response to judge, not as an exception in the test.
        client = TestClient(app, base_url=client.base_url, raise_server_exceptions=False)
        tally = Tally()
        _run_stateless(client, app, user, auth, tally)
        stateless = tally.cases
        _run_stateful(client, app, tally)
        # Which path the machine takes shifts with any change to the schema (and with the
        # process: some iteration orders are by hash). An id route it did not reach gets a
        # focused second pass over its collection, still through the links.
        missed = _unreached(app, tally)
        if missed:
            tally.stopped_early += f"\nfocused stateful pass for: {sorted(missed)}"
            print(tally.stopped_early)
            _run_stateful(client, app, tally, scenarios=FOCUSED_SCENARIOS, focus=missed)
        print(f"\nfuzz [{db_backend}]: {stateless} stateless + {tally.cases - stateless} stateful")
        print(tally.statuses_report("stateful"))
        _RUNS[db_backend] = tally
    return _RUNS[db_backend]


def _labels(app: FastAPI) -> set[str]:
    return {op.label for op in _operations(app)}


def test_fuzz_exercises_every_operation(fuzzed: Tally, app: FastAPI) -> None:
    assert fuzzed.cases >= MIN_CASES, fuzzed.statuses_report()
    operations = _labels(app)
    assert len(operations) > 80
    assert operations - set(fuzzed.statuses) == set(), fuzzed.statuses_report()
    # Every operation answered something else than 404 at least once: a route the fuzzer
    # never got past the "no such object" check was not tested.
    only_404 = {label for label, counts in fuzzed.statuses.items() if set(counts) == {404}}
    assert only_404 == set(), fuzzed.statuses_report()


def _id_routes(app: FastAPI) -> set[str]:
    return {label for label in _labels(app) if "{" in label} - NAMED_NOT_ID - NEEDS_CALDAV


def _unreached(app: FastAPI, tally: Tally) -> set[str]:
    stateful = tally.by_pass.get("stateful", {})
    return {
        label
        for label in _id_routes(app)
        if not any(code != 404 for code in stateful.get(label, {}))
    }


def test_fuzz_reaches_every_id_route_with_real_ids(fuzzed: Tally, app: FastAPI) -> None:
    """In the stateful pass, every operation that takes an id in its path (except
    ``NAMED_NOT_ID`` and ``NEEDS_CALDAV``, listed with their reasons above) got at least one
    answer that was not a 404: the links gave it the id of an object the scenario made."""
    id_routes = _id_routes(app)
    stateful = fuzzed.by_pass.get("stateful", {})
    assert _unreached(app, fuzzed) == set(), fuzzed.statuses_report("stateful")
    # And most reached a real object (2xx), not only a validation answer.
    succeeded = {
        label for label in id_routes if any(200 <= code < 300 for code in stateful.get(label, {}))
    }
    assert len(succeeded) >= len(id_routes) - 3, sorted(id_routes - succeeded)


def test_fuzz_no_server_errors(fuzzed: Tally) -> None:
    assert not fuzzed.distinct("not_a_server_error"), fuzzed.report("not_a_server_error")


def test_fuzz_response_bodies_match_the_schema(fuzzed: Tally) -> None:
    check = "response_schema_conformance"
    assert not fuzzed.distinct(check), fuzzed.report(check)


def test_fuzz_content_types_match_the_schema(fuzzed: Tally) -> None:
    check = "content_type_conformance"
    assert not fuzzed.distinct(check), fuzzed.report(check)


def test_fuzz_status_codes_are_documented(fuzzed: Tally) -> None:
    check = "status_code_conformance"
    assert not fuzzed.distinct(check), fuzzed.report(check)
