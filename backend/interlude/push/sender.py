"""Sending Web Push messages (RFC 8030 + RFC 8291 aes128gcm + RFC 8292 VAPID).

``PushSender`` is what the reminders dispatcher and ``POST /push/test`` use: pooled
keep-alive connections with explicit timeouts and bounded concurrency (``transport.py``),
aes128gcm encryption by http_ece (the library pywebpush uses), and
VAPID headers signed by py_vapid and cached per push-service origin. Large batches are
encrypted and posted by the send processes of ``send_pool.py`` (other cores). It never
raises for a push service's answer: every outcome comes back as a ``PushResult``
(``answers.py``) the caller acts on.

Endpoints are capability URLs: log them only through ``redact_endpoint``.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from interlude.core.clock import Clock
from interlude.push.answers import PushResult
from interlude.push.endpoints import split_endpoint
from interlude.push.send_pool import SendJob, SendPool, post_job
from interlude.push.transport import PushTransport
from interlude.push.vapid import (
    VapidHeaderCache,
    VapidIdentity,
    VapidSubjectError,
    b64url,
)

log = logging.getLogger("interlude.push")

# Push services accept 4096 bytes of ciphertext; 3 KB of JSON leaves room for the
# aes128gcm header (86 bytes), the tag and padding, and keeps messages small.
MAX_PAYLOAD_BYTES = 3 * 1024
MAX_TTL_SECONDS = 28 * 24 * 3600
URGENCIES = ("very-low", "low", "normal", "high")
_TOPIC_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")

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
    return _normalized_origin(split_endpoint(endpoint)[0])


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


class PushSender:
    """Encrypts, signs and posts Web Push messages; safe to share across many ``send`` calls
    on one event loop. Call ``aclose()`` when done."""

    def __init__(
        self,
        *,
        vapid: VapidIdentity,
        subject: str,
        timeout: float = 10.0,
        max_concurrency: int = 64,
        clock: Clock,
        allow_private_network: bool = False,
        pool: SendPool | None = None,
    ) -> None:
        """``allow_private_network`` (``settings.allow_private_network``) lets endpoints on
        loopback/private addresses be reached; off, such endpoints fail without a connection.
        ``pool`` (default: none) sends large batches from other processes, with its own
        transport options.
        """
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self._clock = clock
        self._headers = VapidHeaderCache(identity=vapid, subject=subject, clock=clock)
        self._pool = pool
        # Push-service origin -> until when it asked us (503 + Retry-After) not to send.
        self._paused: dict[str, datetime] = {}
        self._transport = PushTransport(
            timeout=timeout,
            max_connections=max_concurrency,
            allow_private_network=allow_private_network,
        )

    @property
    def vapid_headers(self) -> VapidHeaderCache:
        return self._headers

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
        """Every message's result, in order: from the pool's processes for a large batch,
        from this event loop otherwise."""
        results: list[PushResult | None] = [None] * len(messages)
        ready: list[int] = []
        jobs: list[SendJob] = []
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
            except (PayloadTooLargeError, VapidSubjectError) as exc:
                results[index] = PushResult("failed", None, None, str(exc))
                continue
            ready.append(index)
            jobs.append(SendJob(data, target.p256dh, target.auth, target.endpoint, headers))
        if self._pool is not None and self._pool.takes(len(jobs)):
            answers = await self._pool.send_many(jobs)
        else:
            answers = await asyncio.gather(*(self._post(job) for job in jobs))
        for index, answer in zip(ready, answers, strict=True):
            self._note(messages[index].target, answer)
            results[index] = answer
        missing = PushResult("failed", None, None, "not sent")
        return [result or missing for result in results]

    async def _post(self, job: SendJob) -> PushResult:
        """One message from this process."""
        return await post_job(job, self._transport, self._clock)

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
        await self._transport.aclose()

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
