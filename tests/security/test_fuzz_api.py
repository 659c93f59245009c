"""schemathesis against the live OpenAPI schema, signed in as a real user.

Three passes over every operation, all deterministic (``derandomize=True``, no example
database), so CI sees the same cases every run:

- positive: schema-valid requests (most reach the service layer);
- negative: schema-violating requests (must be refused with a 4xx, never a 5xx);
- stateful: schemathesis' state machine chains operations through the links it infers from
  the schema (create -> read/patch/delete with the id it got back), so id-taking endpoints
  are fuzzed against objects that exist.

Checks on every response: no 5xx, the body conforms to the documented schema, the content
type and the status code are documented. Outbound network is cut (every DNS lookup fails
at once): feeds, CalDAV and push endpoints given by the fuzzer fail fast as a 4xx.
"""

from __future__ import annotations

import socket
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

from .fuzz_support import SESSION_ENDING, Tally, load_schema, send

POSITIVE_EXAMPLES = 12
NEGATIVE_EXAMPLES = 4
STATEFUL_SCENARIOS = 40
MIN_CASES = 1000
# The stateful pass leaves sign-in and session-ending operations to the stateless passes
# (a machine that logs itself out, or trips the login rate limit, stops testing anything).
# Registration too: emails are one namespace for all scenarios, so a replayed scenario would
# meet the accounts an earlier one made.
NOT_STATEFUL = SESSION_ENDING | {("POST", "/api/v1/auth/login"), ("POST", "/api/v1/auth/register")}


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
        tally.check(case, send(client, case, headers))

    try:
        run()
    except Unsatisfiable:
        # An operation without parameters or body has nothing to make invalid.
        assert mode is GenerationMode.NEGATIVE, operation.label


def _run_stateful(client: TestClient, app: FastAPI, tally: Tally) -> None:
    schema = load_schema(app, mode="positive").exclude(
        func=lambda ctx: (ctx.operation.method.upper(), ctx.operation.path) in NOT_STATEFUL
    )
    base = schema.as_state_machine()

    class Machine(base):  # type: ignore[misc, valid-type]
        """Each scenario is a new therapist: the same starting state every time, which
        hypothesis needs to replay and shrink a scenario."""

        def setup(self) -> None:
            payload = user_payload()
            created = client.post("/api/v1/auth/register", json=payload)
            assert created.status_code == 201, created.text
            self.auth = login_headers(client, payload["email"])

        def call(self, case: Any, **kwargs: Any) -> Any:
            return send(client, case, self.auth)

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            tally.check(case, response)

    # Generate only (no shrinking: failures are collected, not raised). A little state is
    # global whatever the scenario does (a push endpoint belongs to one account, so a later
    # scenario's subscription "moves" an earlier one's), and Hypothesis may notice that as a
    # strategy that behaves differently on the same prefix: the run then stops where it is,
    # and the cases so far stand (the case-count test below says whether that was enough).
    try:
        Machine.run(
            settings=hypothesis_settings(_settings(STATEFUL_SCENARIOS), phases=[Phase.generate])
        )
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
) -> Tally:
    if db_backend not in _RUNS:
        # A 500 must come back as a response to judge, not as an exception in the test.
        client = TestClient(app, base_url=client.base_url, raise_server_exceptions=False)
        tally = Tally()
        _run_stateless(client, app, user, auth, tally)
        stateless = tally.cases
        _run_stateful(client, app, tally)
        print(f"\nfuzz [{db_backend}]: {stateless} stateless + {tally.cases - stateless} stateful")
        _RUNS[db_backend] = tally
    return _RUNS[db_backend]


def test_fuzz_generates_enough_cases_and_reaches_real_objects(fuzzed: Tally) -> None:
    assert fuzzed.cases >= MIN_CASES, fuzzed.statuses_report()
    # The stateful pass must reach real objects, not only 404s on random ids.
    reached = [
        label
        for label, counts in fuzzed.statuses.items()
        if "{" in label and any(200 <= code < 300 for code in counts)
    ]
    assert len(reached) >= 10, fuzzed.statuses_report()


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
