"""PushSender end to end: real encryption and VAPID into the local push service."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
import uuid
from datetime import timedelta
from email.utils import format_datetime
from typing import Any

import jwt
import pytest

from interlude.core.clock import FrozenClock
from interlude.push.sender import (
    MAX_PAYLOAD_BYTES,
    PushResult,
    PushSender,
    PushTarget,
    topic_for,
)
from interlude.push.vapid import VapidIdentity
from tests.support.push_service import LocalPushService, LocalSubscription

SUBJECT = "mailto:ops@interlude.example"
PAYLOAD = {
    "title": "Break time",
    "body": "Five minutes before your next session.",
    "reminder_id": "0b6f3f5e-5d8c-4a53-9d4c-6f5a1c1e2b3a",
    "kind": "micro_break",
    "actions": ["done", "snooze", "skip"],
    "expires_at": "2026-11-23T15:00:00Z",
    "url": "/reminders/0b6f3f5e",
}


@pytest.fixture
def identity() -> VapidIdentity:
    return VapidIdentity.generate()


def target_for(device: LocalSubscription) -> PushTarget:
    return PushTarget(uuid.uuid4(), device.endpoint, device.p256dh, device.auth)


def send(
    identity: VapidIdentity,
    clock: FrozenClock,
    target: PushTarget,
    payload: dict[str, Any] | bytes | None = None,
    *,
    timeout: float = 5.0,
    **kwargs: Any,
) -> PushResult:
    async def run() -> PushResult:
        sender = PushSender(
            allow_private_network=True,
            vapid=identity,
            subject=SUBJECT,
            clock=clock,
            timeout=timeout,
        )
        try:
            kwargs.setdefault("ttl_seconds", 600)
            kwargs.setdefault("topic", None)
            return await sender.send(target, payload or PAYLOAD, **kwargs)
        finally:
            await sender.aclose()

    return asyncio.run(run())


def test_delivers_encrypted_payload_with_headers_and_a_valid_vapid_jwt(
    push_service, identity, clock
):
    device = push_service.subscribe(application_server_key=identity.public_key)
    result = send(
        identity, clock, target_for(device), ttl_seconds=900, topic="a1b2c3", urgency="high"
    )
    assert result == PushResult("sent", 201, None, "accepted (201)")

    [push] = push_service.received(device)
    assert push.payload == PAYLOAD
    assert push.ttl == 900 and push.urgency == "high" and push.topic == "a1b2c3"
    assert push.content_encoding == "aes128gcm"
    assert push.vapid_key == identity.public_key
    assert push.claims["aud"] == push_service.origin
    assert push.claims["sub"] == SUBJECT
    now = int(clock.now().timestamp())
    assert now < push.claims["exp"] <= now + 12 * 3600


def test_jwt_is_independently_verifiable_with_the_public_key(push_service, identity, clock):
    device = push_service.subscribe()
    send(identity, clock, target_for(device))
    [attempt] = push_service.attempts(device)
    params = attempt.headers["authorization"].removeprefix("vapid ")
    token = dict(p.split("=", 1) for p in params.split(","))["t"]
    claims = jwt.decode(
        token,
        key=identity.private_key.public_key(),
        algorithms=["ES256"],
        audience=push_service.origin,
        options={"verify_exp": False},
    )
    assert claims["sub"] == SUBJECT
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            token,
            key=VapidIdentity.generate().private_key.public_key(),
            algorithms=["ES256"],
            options={"verify_exp": False, "verify_aud": False},
        )


def test_each_device_decrypts_its_own_copy(push_service, identity, clock):
    a, b = push_service.subscribe(), push_service.subscribe()
    send(identity, clock, target_for(a))
    send(identity, clock, target_for(b))
    assert [p.payload for p in push_service.received(a)] == [PAYLOAD]
    assert [p.payload for p in push_service.received(b)] == [PAYLOAD]


def test_a_target_with_someone_elses_keys_cannot_be_read(push_service, identity, clock):
    device, other = push_service.subscribe(), push_service.subscribe()
    wrong = PushTarget(uuid.uuid4(), device.endpoint, other.p256dh, other.auth)
    result = send(identity, clock, wrong)
    assert result.outcome == "failed" and result.http_status == 400
    assert push_service.received() == []


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("d1e8a2c4b5f64a7e9c0b1d2e3f4a5b6c", "d1e8a2c4b5f64a7e9c0b1d2e3f4a5b6c"),
        ("short_topic-1", "short_topic-1"),
    ],
)
def test_valid_topics_are_sent_as_is(push_service, identity, clock, topic, expected):
    device = push_service.subscribe()
    send(identity, clock, target_for(device), topic=topic)
    assert push_service.received(device)[0].topic == expected


def test_long_or_unsafe_topics_are_hashed_to_32_base64url_chars(push_service, identity, clock):
    reminder_id = "0b6f3f5e-5d8c-4a53-9d4c-6f5a1c1e2b3a/with:odd chars and more than 32"
    device = push_service.subscribe()
    send(identity, clock, target_for(device), topic=reminder_id)
    topic = push_service.received(device)[0].topic
    assert topic == topic_for(reminder_id) and len(topic) == 32
    assert topic_for(reminder_id) != topic_for(reminder_id + "x")


def test_ttl_is_clamped_to_zero_and_four_weeks(push_service, identity, clock):
    device = push_service.subscribe()
    send(identity, clock, target_for(device), ttl_seconds=-30)
    send(identity, clock, target_for(device), ttl_seconds=10**9)
    assert [p.ttl for p in push_service.received(device)] == [0, 28 * 24 * 3600]


def test_urgency_must_be_a_known_value(identity, clock):
    target = PushTarget(uuid.uuid4(), "https://push.example.com/x", "a", "b")
    with pytest.raises(ValueError, match="urgency"):
        send(identity, clock, target, urgency="urgent")


def test_payload_over_3kb_fails_without_a_request(push_service, identity, clock):
    device = push_service.subscribe()
    fits = {"body": "x" * (MAX_PAYLOAD_BYTES - len(json.dumps({"body": ""})))}
    too_big = {"body": "x" * MAX_PAYLOAD_BYTES}
    assert send(identity, clock, target_for(device), fits).outcome == "sent"
    result = send(identity, clock, target_for(device), too_big)
    assert result.outcome == "failed" and result.http_status is None
    assert "3072" in result.reason
    # The dispatcher hands over JSON it already encoded: held to the same limit.
    encoded = send(identity, clock, target_for(device), b"x" * (MAX_PAYLOAD_BYTES + 1))
    assert encoded.outcome == "failed" and "3072" in encoded.reason
    assert len(push_service.attempts(device)) == 1


# --- response mapping ------------------------------------------------------------------


def test_202_accepted_counts_as_sent(push_service, identity, clock):
    device = push_service.subscribe()
    push_service.respond(device, 202)
    result = send(identity, clock, target_for(device))
    assert (result.outcome, result.http_status) == ("sent", 202)


def test_410_means_gone(push_service, identity, clock):
    device = push_service.subscribe()
    push_service.respond(device, 410)
    result = send(identity, clock, target_for(device))
    assert (result.outcome, result.http_status) == ("gone", 410)


def test_unknown_subscription_404_means_gone(push_service, identity, clock):
    device = push_service.subscribe()
    target = PushTarget(uuid.uuid4(), device.endpoint + "-deleted", device.p256dh, device.auth)
    result = send(identity, clock, target)
    assert (result.outcome, result.http_status) == ("gone", 404)


def test_429_with_retry_after_seconds(push_service, identity, clock):
    device = push_service.subscribe()
    push_service.respond(device, 429, retry_after="30", times=1)
    result = send(identity, clock, target_for(device))
    assert (result.outcome, result.http_status, result.retry_after_seconds) == ("retry", 429, 30)
    # Told once only: the next attempt is delivered.
    assert send(identity, clock, target_for(device)).outcome == "sent"


def test_503_with_retry_after_http_date(push_service, identity, clock):
    device = push_service.subscribe()
    when = format_datetime(clock.now() + timedelta(seconds=120), usegmt=True)
    push_service.respond(device, 503, retry_after=when)
    result = send(identity, clock, target_for(device))
    assert (result.outcome, result.http_status, result.retry_after_seconds) == ("retry", 503, 120)


@pytest.mark.parametrize("status", [408, 500, 502])
def test_408_and_5xx_without_retry_after_are_retry(push_service, identity, clock, status):
    device = push_service.subscribe()
    push_service.respond(device, status)
    result = send(identity, clock, target_for(device))
    assert (result.outcome, result.http_status, result.retry_after_seconds) == (
        "retry",
        status,
        None,
    )


def test_garbage_retry_after_is_ignored(push_service, identity, clock):
    device = push_service.subscribe()
    push_service.respond(device, 429, retry_after="soon-ish")
    result = send(identity, clock, target_for(device))
    assert result.outcome == "retry" and result.retry_after_seconds is None


@pytest.mark.parametrize("status", [400, 401, 403, 413])
def test_client_errors_fail_with_a_reason(push_service, identity, clock, status):
    device = push_service.subscribe()
    push_service.respond(device, status)
    result = send(identity, clock, target_for(device))
    assert (result.outcome, result.http_status) == ("failed", status)
    assert str(status) in result.reason


def test_failure_reason_carries_a_short_excerpt_of_the_answer(push_service, identity, clock):
    device = push_service.subscribe()
    push_service.respond(device, 400, body=b'{"reason": "BadTtl"}' + b" " * 10_000 + b"x" * 10**6)
    result = send(identity, clock, target_for(device))
    assert result.outcome == "failed" and "BadTtl" in result.reason
    assert len(result.reason) < 300


def test_push_service_refuses_a_different_vapid_key_with_403(push_service, identity, clock):
    device = push_service.subscribe(application_server_key=VapidIdentity.generate().public_key)
    result = send(identity, clock, target_for(device))
    assert (result.outcome, result.http_status) == ("failed", 403)
    assert "another key" in result.reason


def test_hanging_push_service_times_out_as_retry(push_service, identity, clock):
    device = push_service.subscribe()
    push_service.hang(device, times=1)
    result = send(identity, clock, target_for(device), timeout=0.3)
    assert (result.outcome, result.http_status) == ("retry", None)
    assert "timed out" in result.reason
    push_service.release_hangs()


def test_connection_refused_is_retry(push_service, identity, clock):
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    device = push_service.subscribe()
    target = PushTarget(uuid.uuid4(), f"http://127.0.0.1:{port}/push/x", device.p256dh, device.auth)
    result = send(identity, clock, target)
    assert (result.outcome, result.http_status) == ("retry", None)
    assert "connection failed" in result.reason


def test_bad_vapid_subject_fails_clearly(push_service, identity, clock):
    device = push_service.subscribe()

    async def run() -> PushResult:
        sender = PushSender(
            allow_private_network=True, vapid=identity, subject="ops team", clock=clock
        )
        try:
            return await sender.send(target_for(device), PAYLOAD, ttl_seconds=60, topic=None)
        finally:
            await sender.aclose()

    result = asyncio.run(run())
    assert result.outcome == "failed" and "INTERLUDE_VAPID_SUBJECT" in result.reason
    assert push_service.attempts() == []


def test_corrupt_stored_keys_fail_without_raising(identity, clock):
    target = PushTarget(uuid.uuid4(), "https://push.example.com/x", "bm90LWEta2V5", "c2hvcnQ")
    result = send(identity, clock, target)
    assert result.outcome == "failed" and "could not prepare" in result.reason


# --- VAPID header cache ----------------------------------------------------------------


def test_header_is_signed_once_per_origin_and_reused(identity, clock):
    with LocalPushService(clock=clock) as one, LocalPushService(clock=clock) as two:
        devices = [one.subscribe(), one.subscribe(), two.subscribe()]

        async def run() -> PushSender:
            sender = PushSender(
                allow_private_network=True, vapid=identity, subject=SUBJECT, clock=clock
            )
            for device in devices * 2:
                assert (
                    await sender.send(target_for(device), PAYLOAD, ttl_seconds=60, topic=None)
                ).outcome == "sent"
            await sender.aclose()
            return sender

        sender = asyncio.run(run())
        assert sender.vapid_headers.signatures == 2
        assert {p.claims["aud"] for p in one.received()} == {one.origin}
        assert {p.claims["aud"] for p in two.received()} == {two.origin}
        auth_one = {a.headers["authorization"] for a in one.attempts()}
        auth_two = {a.headers["authorization"] for a in two.attempts()}
        assert len(auth_one) == 1 and len(auth_two) == 1 and auth_one != auth_two


def test_header_is_refreshed_before_it_expires(push_service, identity, clock):
    device = push_service.subscribe()

    async def run() -> list[int]:
        sender = PushSender(
            allow_private_network=True, vapid=identity, subject=SUBJECT, clock=clock
        )
        counts = []
        for step in (timedelta(0), timedelta(hours=10, minutes=59), timedelta(minutes=2)):
            clock.advance(step)
            result = await sender.send(target_for(device), PAYLOAD, ttl_seconds=60, topic=None)
            assert result.outcome == "sent", result
            counts.append(sender.vapid_headers.signatures)
        await sender.aclose()
        return counts

    # 0 h: signed; 10:59 h: still > 1 h left, reused; 11:01 h: < 1 h left, re-signed.
    assert asyncio.run(run()) == [1, 1, 2]
    exps = [p.claims["exp"] for p in push_service.received(device)]
    assert exps[0] == exps[1] < exps[2]
    assert exps[2] == int(clock.now().timestamp()) + 12 * 3600


def test_expired_header_is_rejected_by_the_push_service(push_service, identity, clock):
    # Guards the guard: a token the service would not accept really is refused.
    device = push_service.subscribe()
    send(identity, clock, target_for(device))
    push_service.clock = FrozenClock(clock.now() + timedelta(hours=13))
    push_service._verified_tokens.clear()
    [attempt] = push_service.attempts(device)
    import httpx

    response = httpx.post(
        device.endpoint,
        headers={
            "authorization": attempt.headers["authorization"],
            "ttl": "60",
            "content-encoding": "aes128gcm",
        },
        content=b"x",
    )
    assert response.status_code == 401


def test_a_401_drops_the_cached_header(push_service, identity, clock):
    device = push_service.subscribe()

    async def run() -> int:
        sender = PushSender(
            allow_private_network=True, vapid=identity, subject=SUBJECT, clock=clock
        )
        push_service.respond(device, 401, times=1)
        assert (
            await sender.send(target_for(device), PAYLOAD, ttl_seconds=60, topic=None)
        ).outcome == "failed"
        assert (
            await sender.send(target_for(device), PAYLOAD, ttl_seconds=60, topic=None)
        ).outcome == "sent"
        await sender.aclose()
        return sender.vapid_headers.signatures

    assert asyncio.run(run()) == 2


def test_concurrent_sends_share_one_client(push_service, identity, clock):
    devices = [push_service.subscribe() for _ in range(40)]

    async def run() -> list[PushResult]:
        sender = PushSender(
            allow_private_network=True,
            vapid=identity,
            subject=SUBJECT,
            clock=clock,
            max_concurrency=8,
        )
        try:
            return list(
                await asyncio.gather(
                    *(
                        sender.send(target_for(d), {**PAYLOAD, "n": i}, ttl_seconds=60, topic=None)
                        for i, d in enumerate(devices)
                    )
                )
            )
        finally:
            await sender.aclose()

    results = asyncio.run(run())
    assert {r.outcome for r in results} == {"sent"}
    assert sorted(p.payload["n"] for p in push_service.received()) == list(range(40))


def _wait_until(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def test_max_concurrency_bounds_requests_in_flight(push_service, identity, clock):
    devices = [push_service.subscribe() for _ in range(6)]
    for device in devices:
        push_service.hang(device)
    results: list[PushResult] = []

    async def run() -> None:
        sender = PushSender(
            allow_private_network=True,
            vapid=identity,
            subject=SUBJECT,
            clock=clock,
            max_concurrency=3,
        )
        try:
            sends = (
                sender.send(target_for(d), PAYLOAD, ttl_seconds=60, topic=None) for d in devices
            )
            results.extend(await asyncio.gather(*sends))
        finally:
            await sender.aclose()

    thread = threading.Thread(target=asyncio.run, args=(run(),))
    thread.start()
    try:
        _wait_until(lambda: len(push_service.attempts()) >= 3)
        time.sleep(0.3)  # an unbounded sender would have sent all six by now
        assert len(push_service.attempts()) == 3
        push_service.release_hangs()  # the first three answer 504; the rest go out
        _wait_until(lambda: len(push_service.attempts()) == 6)
    finally:
        push_service.release_hangs()
        thread.join(timeout=30)
    assert [(r.outcome, r.http_status) for r in results] == [("retry", 504)] * 6


def test_logs_name_the_push_service_but_never_the_full_endpoint(
    push_service, identity, clock, caplog
):
    device = push_service.subscribe()
    push_service.respond(device, 410)
    with caplog.at_level(logging.DEBUG, logger="interlude.push"):
        send(identity, clock, target_for(device))
    assert push_service.origin in caplog.text
    assert device.id not in caplog.text
    assert "Break time" not in caplog.text  # nor the payload


# --- private networks (SSRF) -----------------------------------------------------------


def _send_strict(identity: VapidIdentity, clock: FrozenClock, target: PushTarget) -> PushResult:
    async def run() -> PushResult:
        sender = PushSender(vapid=identity, subject=SUBJECT, clock=clock)  # the default: strict
        try:
            return await sender.send(target, PAYLOAD, ttl_seconds=60, topic=None)
        finally:
            await sender.aclose()

    return asyncio.run(run())


def test_without_allow_private_network_loopback_endpoints_are_never_contacted(
    push_service, identity, clock
):
    device = push_service.subscribe()
    result = _send_strict(identity, clock, target_for(device))
    assert (result.outcome, result.http_status) == ("failed", None)
    assert "private or local network" in result.reason
    assert push_service.attempts() == []


def test_host_names_resolving_to_private_addresses_are_never_contacted(
    push_service, identity, clock, monkeypatch
):
    real = socket.getaddrinfo

    def fake_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "push.rebinding.example":
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    device = push_service.subscribe()
    endpoint = device.endpoint.replace("127.0.0.1", "push.rebinding.example")
    target = PushTarget(uuid.uuid4(), endpoint, device.p256dh, device.auth)
    result = _send_strict(identity, clock, target)
    assert result.outcome == "failed" and "private or local network" in result.reason
    assert push_service.attempts() == []


def _sender(identity: VapidIdentity, clock: FrozenClock) -> PushSender:
    return PushSender(
        allow_private_network=True, vapid=identity, subject=SUBJECT, clock=clock, timeout=5.0
    )


def test_a_503_with_retry_after_pauses_every_device_of_that_push_service(
    push_service, identity, clock
):
    """503 is the whole service: later messages to any device behind it wait without a
    request until the pause is over; a 429 (one push resource) pauses only its own."""
    busy, other = push_service.subscribe(), push_service.subscribe()
    push_service.respond(busy, 503, retry_after="60", times=1)

    async def run() -> list[PushResult]:
        sender = _sender(identity, clock)
        try:
            first = await sender.send(target_for(busy), PAYLOAD, ttl_seconds=600, topic=None)
            clock.advance(timedelta(seconds=20))
            held = await sender.send(target_for(other), PAYLOAD, ttl_seconds=600, topic=None)
            clock.advance(timedelta(seconds=40))
            after = await sender.send(target_for(other), PAYLOAD, ttl_seconds=600, topic=None)
            return [first, held, after]
        finally:
            await sender.aclose()

    first, held, after = asyncio.run(run())
    assert (first.outcome, first.http_status, first.retry_after_seconds) == ("retry", 503, 60)
    assert (held.outcome, held.http_status) == ("retry", None)
    assert held.retry_after_seconds == 40
    assert after.outcome == "sent"
    assert len(push_service.attempts(other)) == 1  # the held message never left


def test_a_429_pauses_only_its_own_push_resource(push_service, identity, clock):
    limited, other = push_service.subscribe(), push_service.subscribe()
    push_service.respond(limited, 429, retry_after="60")

    async def run() -> list[PushResult]:
        sender = _sender(identity, clock)
        try:
            return [
                await sender.send(target_for(device), PAYLOAD, ttl_seconds=600, topic=None)
                for device in (limited, other)
            ]
        finally:
            await sender.aclose()

    limited_result, other_result = asyncio.run(run())
    assert limited_result.outcome == "retry" and other_result.outcome == "sent"


# --- the HTTP side: one aiohttp session ------------------------------------------------


def _send_each(
    identity: VapidIdentity, clock: FrozenClock, targets: list[PushTarget]
) -> list[PushResult]:
    """One sender (one session) sends to each target in turn."""

    async def run() -> list[PushResult]:
        sender = _sender(identity, clock)
        try:
            return [
                await sender.send(target, PAYLOAD, ttl_seconds=60, topic=None) for target in targets
            ]
        finally:
            await sender.aclose()

    return asyncio.run(run())


def test_sends_in_turn_reuse_one_kept_alive_connection(push_service, identity, clock):
    devices = [push_service.subscribe() for _ in range(5)]
    results = _send_each(identity, clock, [target_for(d) for d in devices])
    assert {r.outcome for r in results} == {"sent"}
    assert len({a.peer for a in push_service.attempts()}) == 1


def test_redirects_are_not_followed(push_service, identity, clock):
    device, elsewhere = push_service.subscribe(), push_service.subscribe()
    for status in (301, 307, 308):
        push_service.respond(device, status, headers={"location": elsewhere.endpoint})
        [result] = _send_each(identity, clock, [target_for(device)])
        assert (result.outcome, result.http_status) == ("failed", status)
    assert len(push_service.attempts(device)) == 3
    assert push_service.attempts(elsewhere) == []


def test_proxy_variables_are_ignored(push_service, identity, clock, monkeypatch):
    """A proxy would be what the SSRF guard checks, not the push service."""
    with socket.socket() as proxy:
        proxy.bind(("127.0.0.1", 0))
        proxy.listen(1)
        address = f"http://127.0.0.1:{proxy.getsockname()[1]}"
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
            monkeypatch.setenv(name, address)
        device = push_service.subscribe()
        assert send(identity, clock, target_for(device)).outcome == "sent"
        proxy.settimeout(0.05)
        with pytest.raises(TimeoutError):
            proxy.accept()  # nothing connected to the proxy


class _ClosingServer:
    """Reads each request, then closes the connection without a word; counts requests."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.requests = 0
        self.endpoint = f"http://127.0.0.1:{self.sock.getsockname()[1]}/push/closing"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                if data:
                    self.requests += 1

    def close(self) -> None:
        self.sock.close()
        self._thread.join(timeout=5)


def test_a_connection_closed_before_the_answer_is_a_retry_and_never_sent_twice(
    push_service, identity, clock
):
    device = push_service.subscribe()
    server = _ClosingServer()
    try:
        target = PushTarget(uuid.uuid4(), server.endpoint, device.p256dh, device.auth)
        result = send(identity, clock, target)
    finally:
        server.close()
    assert (result.outcome, result.http_status) == ("retry", None)
    assert "connection failed" in result.reason
    assert server.requests == 1  # the outbox retries it later; the client did not repeat it
