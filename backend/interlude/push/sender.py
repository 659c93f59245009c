"""Sending Web Push messages (RFC 8030 + RFC 8291 aes128gcm + RFC 8292 VAPID).

``PushSender`` is what the reminders dispatcher and ``POST /push/test`` use: one pooled
``httpx.AsyncClient`` with explicit timeouts, bounded concurrency, encryption by pywebpush /
http_ece, and VAPID headers signed by py_vapid and cached per push-service origin. It never
raises for a push service's answer: every outcome comes back as a ``PushResult`` the caller
acts on (``gone`` -> delete the subscription, ``retry`` -> try again later, honouring
``retry_after_seconds``, ``failed`` -> give up with ``reason``).

Endpoints are capability URLs: log them only through ``redact_endpoint``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from pywebpush import WebPusher

from interlude.core.clock import Clock
from interlude.push.vapid import VapidHeaderCache, VapidIdentity, VapidSubjectError, b64url

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


def classify_response(response: httpx.Response, now: datetime) -> PushResult:
    """Maps a push service's answer to what the caller must do (RFC 8030 section 5/8)."""
    status = response.status_code
    if 200 <= status < 300:
        return PushResult("sent", status, None, f"accepted ({status})")
    if status in (404, 410):
        return PushResult("gone", status, None, f"subscription no longer exists ({status})")
    if status == 429 or status >= 500:
        retry_after = parse_retry_after(response.headers.get("retry-after"), now)
        label = "rate limited" if status == 429 else "push service error"
        return PushResult("retry", status, retry_after, f"{label} ({status})")
    explanation = {
        400: "push service rejected the request",
        401: "push service rejected our VAPID signature",
        403: "push service refused this sender (the device subscribed with another key?)",
        413: "payload too large for the push service",
    }.get(status, "unexpected push service response")
    detail = _short(response.text) if response.content else ""
    reason = f"{explanation} ({status})" + (f": {detail}" if detail else "")
    return PushResult("failed", status, None, reason)


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
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self._clock = clock
        self._headers = VapidHeaderCache(identity=vapid, subject=subject, clock=clock)
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            limits=httpx.Limits(
                max_connections=max_concurrency, max_keepalive_connections=max_concurrency
            ),
            follow_redirects=False,
            trust_env=False,
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
        if urgency not in URGENCIES:
            raise ValueError(f"urgency must be one of {', '.join(URGENCIES)}")
        try:
            data = encode_payload(payload)
        except PayloadTooLargeError as exc:
            return PushResult("failed", None, None, str(exc))
        try:
            request_headers = self._build_headers(target, ttl_seconds, topic, urgency)
            body = self._encrypt(target, data)
        except VapidSubjectError as exc:
            return PushResult("failed", None, None, str(exc))
        except Exception as exc:  # a malformed stored key; never crash the dispatcher
            return PushResult(
                "failed", None, None, f"could not encrypt for this device ({type(exc).__name__})"
            )
        async with self._semaphore:
            try:
                response = await self._client.post(
                    target.endpoint, content=body, headers=request_headers
                )
            except httpx.TimeoutException as exc:
                return self._transport_failure(target, "timed out", exc)
            except httpx.TransportError as exc:
                return self._transport_failure(target, "connection failed", exc)
        result = classify_response(response, self._clock.now())
        if response.status_code in (401, 403):
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
        await self._client.aclose()

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
        pusher = WebPusher(
            {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}}
        )
        body: bytes = pusher.encode(data, content_encoding="aes128gcm")["body"]
        return body

    @staticmethod
    def _transport_failure(target: PushTarget, what: str, exc: Exception) -> PushResult:
        reason = f"push service {what} ({type(exc).__name__})"
        log.info("push to %s: retry (%s)", redact_endpoint(target.endpoint), reason)
        return PushResult("retry", None, None, reason)
