"""Sending Web Push messages (RFC 8030 + RFC 8291 aes128gcm + RFC 8292 VAPID).

``PushSender`` is what the reminders dispatcher and ``POST /push/test`` use: pooled
keep-alive connections with explicit timeouts (``transport.py``), bounded concurrency
(an asyncio semaphore), aes128gcm encryption by http_ece (the library pywebpush uses), and
VAPID headers signed by py_vapid and cached per push-service origin. It never
raises for a push service's answer: every outcome comes back as a ``PushResult`` the caller
acts on (``gone`` -> delete the subscription, ``retry`` -> try again later, honouring
``retry_after_seconds``, ``failed`` -> give up with ``reason``).

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
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal
from urllib.parse import urlsplit

import aiohttp

from interlude.core.clock import Clock
from interlude.push.encryption import EncryptionJob, EncryptionPool, encrypt
from interlude.push.netguard import BlockedAddressError
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
_REASON_MAX = 200

Outcome = Literal["sent", "gone", "retry", "failed"]


@dataclass(frozen=True)
class PushTarget:
    subscription_id: uuid.UUID
    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class PushResult:
    outcome: Outcome
    http_status: int | None
    retry_after_seconds: float | None
    reason: str
    # When the push service answered (None: no answer); a timestamp, not part of the outcome.
    answered_at: datetime | None = field(default=None, compare=False)


class PayloadTooLargeError(ValueError):
    pass


def encode_payload(payload: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON, at most ``MAX_PAYLOAD_BYTES``."""
    data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
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


@functools.lru_cache(maxsize=4096)  # called per message; a device's endpoint never changes
def endpoint_origin(endpoint: str) -> str:
    """``scheme://host[:port]``: the VAPID audience and the header-cache key."""
    parts = urlsplit(endpoint)
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


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _REASON_MAX else text[: _REASON_MAX - 1] + "…"


def classify_response(
    status: int, retry_after: str | None, excerpt: bytes, now: datetime
) -> PushResult:
    """Maps a push service's answer to what the caller must do (RFC 8030 section 5/8)."""
    if 200 <= status < 300:
        return PushResult("sent", status, None, f"accepted ({status})", now)
    if status in (404, 410):
        return PushResult("gone", status, None, f"subscription no longer exists ({status})", now)
    if status == 429 or status >= 500:
        label = "rate limited" if status == 429 else "push service error"
        return PushResult(
            "retry", status, parse_retry_after(retry_after, now), f"{label} ({status})", now
        )
    explanation = {
        400: "push service rejected the request",
        401: "push service rejected our VAPID signature",
        403: "push service refused this sender (the device subscribed with another key?)",
        413: "payload too large for the push service",
    }.get(status, "unexpected push service response")
    detail = _short(excerpt.decode("utf-8", errors="replace"))
    reason = f"{explanation} ({status})" + (f": {detail}" if detail else "")
    return PushResult("failed", status, None, reason, now)


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
        encryption: EncryptionPool | None = None,
    ) -> None:
        """``allow_private_network`` (``settings.allow_private_network``) lets endpoints on
        loopback/private addresses be reached; off, such endpoints fail without a connection.
        ``encryption`` (default: in this process) encrypts large batches on other cores.
        """
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self._clock = clock
        self._headers = VapidHeaderCache(identity=vapid, subject=subject, clock=clock)
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._encryption = encryption or EncryptionPool(0)
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
        """Every message's result, in order. Bodies are encrypted in chunks (in the pool for
        a large batch) and each chunk is posted as soon as it is ready."""
        results: list[PushResult | None] = [None] * len(messages)
        ready: list[int] = []
        jobs: list[EncryptionJob] = []
        for index, message in enumerate(messages):
            if message.urgency not in URGENCIES:
                raise ValueError(f"urgency must be one of {', '.join(URGENCIES)}")
            try:
                data = (
                    message.payload
                    if isinstance(message.payload, bytes)
                    else encode_payload(message.payload)
                )
            except PayloadTooLargeError as exc:
                results[index] = PushResult("failed", None, None, str(exc))
                continue
            ready.append(index)
            jobs.append(EncryptionJob(data, message.target.p256dh, message.target.auth))

        async def post_chunk(offset: int, bodies: asyncio.Future[list[bytes | str]]) -> None:
            encrypted = await bodies
            indexes = ready[offset : offset + len(encrypted)]
            answers = await asyncio.gather(
                *(self._post(messages[i], body) for i, body in zip(indexes, encrypted, strict=True))
            )
            for i, answer in zip(indexes, answers, strict=True):
                results[i] = answer

        chunks = self._encryption.submit_chunks(jobs)
        await asyncio.gather(*(post_chunk(offset, bodies) for offset, bodies in chunks))
        missing = PushResult("failed", None, None, "not sent")
        return [result or missing for result in results]

    async def _post(self, message: PushMessage, body: bytes | str) -> PushResult:
        target = message.target
        if isinstance(body, str):  # the pool's error name for a malformed stored key
            return PushResult(
                "failed", None, None, f"could not prepare the message for this device ({body})"
            )
        try:
            request_headers = self._build_headers(
                target, message.ttl_seconds, message.topic, message.urgency
            )
        except VapidSubjectError as exc:
            return PushResult("failed", None, None, str(exc))
        async with self._semaphore:
            try:
                status, retry_after, excerpt = await self._transport.post(
                    target.endpoint, body, request_headers
                )
            except BlockedAddressError as exc:
                return self._blocked(target, exc)
            except aiohttp.ClientConnectorError as exc:
                if isinstance(exc.os_error, BlockedAddressError):
                    return self._blocked(target, exc.os_error)
                return self._transport_failure(target, "connection failed", exc)
            except TimeoutError as exc:
                return self._transport_failure(target, "timed out", exc)
            except aiohttp.ClientError as exc:
                return self._transport_failure(target, "connection failed", exc)
        result = classify_response(status, retry_after, excerpt, self._clock.now())
        if status in (401, 403):
            self._headers.invalidate(endpoint_origin(target.endpoint))
        if result.outcome != "sent":
            log.info(
                "push to %s: %s (%s)",
                redact_endpoint(target.endpoint),
                result.outcome,
                result.reason,
            )
        return result

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

    @staticmethod
    def _encrypt(target: PushTarget, data: bytes) -> bytes:
        """One message's aes128gcm body, in this process (see ``encryption.encrypt``)."""
        return encrypt(EncryptionJob(data, target.p256dh, target.auth))

    @staticmethod
    def _blocked(target: PushTarget, exc: BlockedAddressError) -> PushResult:
        log.warning(
            "push to %s: refused (private network address)", redact_endpoint(target.endpoint)
        )
        return PushResult("failed", None, None, str(exc))

    @staticmethod
    def _transport_failure(target: PushTarget, what: str, exc: Exception) -> PushResult:
        reason = f"push service {what} ({type(exc).__name__})"
        log.info("push to %s: retry (%s)", redact_endpoint(target.endpoint), reason)
        return PushResult("retry", None, None, reason)
