"""Sending Web Push messages (RFC 8030 + RFC 8291 aes128gcm + RFC 8292 VAPID).

``PushSender`` is what the reminders dispatcher and ``POST /push/test`` use: one aiohttp
session (``client.py``: pooled keep-alive connections, explicit timeouts, the SSRF guard)
with bounded concurrency, aes128gcm encryption by http_ece (the library pywebpush uses), and
VAPID headers signed by py_vapid and cached per push-service origin. With
``encryption_processes``, large batches are encrypted in a standard-library process pool
(bytes in, bytes out); the posts always leave from this process. It never raises for a push
service's answer: every outcome comes back as a ``PushResult`` (``answers.py``) the caller
acts on.

Why not pywebpush's ``WebPusher.send_async``: it reads the whole answer (``resp.text()``),
follows redirects, and signs VAPID per message; we need neither of the first two and cache
the third (docs/decisions.md).

Endpoints are capability URLs: log them only through ``redact_endpoint``.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import multiprocessing
import re
import uuid
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from interlude.core.clock import Clock
from interlude.push.answers import PushResult, unprepared
from interlude.push.encryption import EncryptionError, EncryptionJob, encrypt, encrypt_many
from interlude.push.vapid import (
    VapidHeaderCache,
    VapidIdentity,
    b64url,
)

if TYPE_CHECKING:
    import aiohttp

log = logging.getLogger("interlude.push")

# Push services accept 4096 bytes of ciphertext; 3 KB of JSON leaves room for the
# aes128gcm header (86 bytes), the tag and padding, and keeps messages small.
MAX_PAYLOAD_BYTES = 3 * 1024
MAX_TTL_SECONDS = 28 * 24 * 3600
URGENCIES = ("very-low", "low", "normal", "high")
_TOPIC_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
# With encryption processes: messages per hand-over (each a pickled round trip), and the
# smallest batch worth one.
ENCRYPTION_CHUNK = 64

# Re-exported: callers know these by the sender's name.
__all__ = [
    "MAX_PAYLOAD_BYTES",
    "PushMessage",
    "PushResult",
    "PushSender",
    "PushTarget",
    "encode_payload",
    "endpoint_origin",
    "redact_endpoint",
    "topic_for",
]


@dataclass(frozen=True)
class PushTarget:
    subscription_id: uuid.UUID
    endpoint: str
    p256dh: str
    auth: str
    # The device can show a notification without sound or vibration (the wrap-up cue).
    silent_capable: bool = False


class PayloadTooLargeError(ValueError):
    pass


def encode_payload(payload: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON, at most ``MAX_PAYLOAD_BYTES``."""
    return checked_size(
        json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    )


def checked_size(data: bytes) -> bytes:
    """``data`` itself, if it fits in ``MAX_PAYLOAD_BYTES``."""
    if len(data) > MAX_PAYLOAD_BYTES:
        raise PayloadTooLargeError(
            f"push payload is {len(data)} bytes; the limit is {MAX_PAYLOAD_BYTES}"
        )
    return data


def topic_for(value: str) -> str:
    """A valid ``Topic`` header: ``value`` itself when it is ≤ 32 base64url characters (a
    UUID's hex is), otherwise a 32-character base64url digest of it."""
    if _TOPIC_RE.match(value):
        return value
    return b64url(hashlib.sha256(value.encode("utf-8")).digest())[:32]


def endpoint_origin(endpoint: str) -> str:
    """``scheme://host[:port]``: the VAPID audience and the header-cache key."""
    parts = urlsplit(endpoint)
    return _normalized_origin(f"{parts.scheme}://{parts.netloc}")


@functools.lru_cache(maxsize=1024)  # per message, but there are few push services
def _normalized_origin(authority: str) -> str:
    parts = urlsplit(authority)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("push endpoint is not an http(s) URL")
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    default_port = 443 if parts.scheme == "https" else 80
    port = f":{parts.port}" if parts.port and parts.port != default_port else ""
    return f"{parts.scheme}://{host}{port}"


def redact_endpoint(endpoint: str) -> str:
    """Origin plus a short digest: enough to tell devices apart in logs, useless to an
    attacker (the path is the capability)."""
    try:
        origin = endpoint_origin(endpoint)
    except ValueError:
        origin = "invalid-endpoint"
    digest = hashlib.sha256(endpoint.encode("utf-8")).hexdigest()[:8]
    return f"{origin}/…#{digest}"


@dataclass(frozen=True)
class PushMessage:
    """One notification for one device."""

    target: PushTarget
    payload: dict[str, Any] | bytes  # bytes: already ``encode_payload``d (shared by devices)
    ttl_seconds: int
    topic: str | None
    urgency: str = "high"


@dataclass(frozen=True)
class _Prepared:
    """A message ready to encrypt and post."""

    index: int
    job: EncryptionJob
    endpoint: str
    headers: dict[str, str]


class PushSender:
    """Encrypts, signs and posts Web Push messages; safe to share across many ``send`` calls
    on one event loop (its session belongs to the loop it is first used on). Call
    ``aclose()`` when done."""

    def __init__(
        self,
        *,
        vapid: VapidIdentity,
        subject: str,
        timeout: float = 10.0,
        max_concurrency: int = 64,
        clock: Clock,
        allow_private_network: bool = False,
        encryption_processes: int = 0,
    ) -> None:
        """``allow_private_network`` (``settings.allow_private_network``) lets endpoints on
        loopback/private addresses be reached; off, such endpoints fail without a connection.
        ``encryption_processes`` (default: none) encrypt batches of at least
        ``ENCRYPTION_CHUNK`` messages on other cores.
        """
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self._clock = clock
        self._headers = VapidHeaderCache(identity=vapid, subject=subject, clock=clock)
        self._timeout = timeout
        self._max_concurrency = max_concurrency
        self._allow_private_network = allow_private_network
        self._encryption_processes = encryption_processes
        self._executor: ProcessPoolExecutor | None = None
        # Push-service origin -> until when it asked us (503 + Retry-After) not to send.
        self._paused: dict[str, datetime] = {}
        self._session: aiohttp.ClientSession | None = None
        self._slots: asyncio.Semaphore | None = None

    @property
    def vapid_headers(self) -> VapidHeaderCache:
        return self._headers

    def start(self) -> None:
        """Load the HTTP client and start the encryption processes (if any) now, so the
        first reminder does not wait for them (importing aiohttp alone takes 0.1-0.5 s)."""
        from interlude.push import client  # noqa: F401

        executor = self._encryption_pool()
        if executor is not None:
            executor.submit(encrypt_many, [])

    async def send(
        self,
        target: PushTarget,
        payload: dict[str, Any],
        *,
        ttl_seconds: int,
        topic: str | None,
        urgency: str = "high",
    ) -> PushResult:
        message = PushMessage(target, payload, ttl_seconds, topic, urgency)
        return (await self.send_many([message]))[0]

    async def send_many(self, messages: Sequence[PushMessage]) -> list[PushResult]:
        """Every message's result, in order."""
        results: list[PushResult | None] = [None] * len(messages)
        ready: list[_Prepared] = []
        now = self._clock.now()
        for index, message in enumerate(messages):
            if message.urgency not in URGENCIES:
                raise ValueError(f"urgency must be one of {', '.join(URGENCIES)}")
            target = message.target
            paused = self._paused_for(target.endpoint, now)
            if paused is not None:
                results[index] = paused
                continue
            try:
                data = (
                    checked_size(message.payload)
                    if isinstance(message.payload, bytes)
                    else encode_payload(message.payload)
                )
                headers = self._build_headers(
                    target, message.ttl_seconds, message.topic, message.urgency
                )
            except ValueError as exc:  # too large, a bad VAPID subject, not an http(s) URL
                results[index] = PushResult("failed", None, None, str(exc))
                continue
            job = EncryptionJob(data, target.p256dh, target.auth)
            ready.append(_Prepared(index, job, target.endpoint, headers))
        for prepared, answer in zip(ready, await self._encrypt_and_post(ready), strict=True):
            self._note(messages[prepared.index].target, answer)
            results[prepared.index] = answer
        missing = PushResult("failed", None, None, "not sent")
        return [result or missing for result in results]

    async def _encrypt_and_post(self, ready: list[_Prepared]) -> list[PushResult]:
        executor = self._encryption_pool() if len(ready) >= ENCRYPTION_CHUNK else None
        if executor is None:
            return list(await asyncio.gather(*(self._post(p, None) for p in ready)))
        chunks = [ready[i : i + ENCRYPTION_CHUNK] for i in range(0, len(ready), ENCRYPTION_CHUNK)]
        answered = await asyncio.gather(*(self._encrypt_chunk(c, executor) for c in chunks))
        return [answer for chunk in answered for answer in chunk]

    async def _encrypt_chunk(
        self, chunk: list[_Prepared], executor: ProcessPoolExecutor
    ) -> list[PushResult]:
        loop = asyncio.get_running_loop()
        jobs = [p.job for p in chunk]
        try:
            bodies: list[bytes | str | None] = list(
                await loop.run_in_executor(executor, encrypt_many, jobs)
            )
        except BrokenProcessPool:  # a process died (killed): replace the pool, encrypt here
            log.warning("an encryption process stopped; starting a new pool")
            self._drop_pool(executor)
            bodies = [None] * len(chunk)
        return list(
            await asyncio.gather(*(self._post(p, b) for p, b in zip(chunk, bodies, strict=True)))
        )

    async def _post(self, prepared: _Prepared, body: bytes | str | None) -> PushResult:
        """Encrypt (unless ``body`` came from the pool: bytes, or an error's name) and post."""
        if body is None:
            try:
                body = encrypt(prepared.job)
            except EncryptionError as exc:
                body = str(exc)
        if isinstance(body, str):
            return unprepared(body)
        from interlude.push import client  # here, not at the top: see _session_and_slots

        session, slots = self._session_and_slots()
        async with slots:  # waiting here is not counted against any timeout
            return await client.exchange(
                session,
                prepared.endpoint,
                body,
                prepared.headers,
                self._clock,
                allow_private_network=self._allow_private_network,
            )

    def _session_and_slots(self) -> tuple[aiohttp.ClientSession, asyncio.Semaphore]:
        if self._session is None or self._slots is None:
            # aiohttp is imported where pushes are sent: an API process never loads it.
            from interlude.push import client

            self._session = client.open_session(
                timeout=self._timeout,
                max_connections=self._max_concurrency,
                allow_private_network=self._allow_private_network,
            )
            self._slots = asyncio.Semaphore(self._max_concurrency)
        return self._session, self._slots

    def _encryption_pool(self) -> ProcessPoolExecutor | None:
        if self._encryption_processes < 1:
            return None
        if self._executor is None:
            # spawn, not fork: the worker has threads (scheduler, database pool).
            self._executor = ProcessPoolExecutor(
                self._encryption_processes, mp_context=multiprocessing.get_context("spawn")
            )
        return self._executor

    def _drop_pool(self, executor: ProcessPoolExecutor) -> None:
        if self._executor is executor:
            self._executor = None
        executor.shutdown(wait=False, cancel_futures=True)

    def _paused_for(self, endpoint: str, now: datetime) -> PushResult | None:
        """A retry, without a request, while the endpoint's push service asked for a pause."""
        if not self._paused:
            return None  # the usual case: no need to parse the endpoint
        try:
            origin = endpoint_origin(endpoint)
        except ValueError:
            return None  # the post fails with its own reason
        until = self._paused.get(origin)
        if until is None:
            return None
        if until <= now:
            del self._paused[origin]
            return None
        wait = (until - now).total_seconds()
        return PushResult(
            "retry", None, wait, f"push service unavailable, asked for a pause ({wait:.0f} s left)"
        )

    def _note(self, target: PushTarget, result: PushResult) -> None:
        """What the worker does with any answer: pause a push service that is unavailable,
        drop a refused VAPID header, log failures."""
        if result.outcome == "sent":
            return
        if result.http_status == 503 and result.retry_after_seconds:
            # 503 is about the whole service (RFC 9110 15.6.4): hold every device behind it.
            # A 429 is about one push resource (RFC 8030 8.4): only that reminder waits.
            origin = endpoint_origin(target.endpoint)
            until = self._clock.now() + timedelta(seconds=result.retry_after_seconds)
            self._paused[origin] = max(until, self._paused.get(origin, until))
        if result.http_status in (401, 403):
            self._headers.invalidate(endpoint_origin(target.endpoint))
        log.info(
            "push to %s: %s (%s)", redact_endpoint(target.endpoint), result.outcome, result.reason
        )

    async def aclose(self) -> None:
        if self._session is not None:
            session, self._session, self._slots = self._session, None, None
            await session.close()
        if self._executor is not None:
            executor, self._executor = self._executor, None
            await asyncio.to_thread(executor.shutdown)  # joins processes: off the loop

    def _build_headers(
        self, target: PushTarget, ttl_seconds: int, topic: str | None, urgency: str
    ) -> dict[str, str]:
        headers = {
            "Authorization": self._headers.header_for(endpoint_origin(target.endpoint)),
            "TTL": str(min(max(0, int(ttl_seconds)), MAX_TTL_SECONDS)),
            "Urgency": urgency,
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
        }
        if topic:
            headers["Topic"] = topic_for(topic)
        return headers
