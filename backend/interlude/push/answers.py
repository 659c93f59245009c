"""What a push service's answer means, and one POST turned into that meaning.

Every outcome is a ``PushResult`` the caller acts on (``gone`` -> delete the subscription,
``retry`` -> try again later, honouring ``retry_after_seconds``, ``failed`` -> give up with
``reason``). Nothing here logs: ``PushSender`` logs, once. The HTTP exchange that gets an
answer is ``client.exchange``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Literal

Outcome = Literal["sent", "gone", "retry", "failed"]
_REASON_MAX = 200


@dataclass(frozen=True)
class PushResult:
    outcome: Outcome
    http_status: int | None
    retry_after_seconds: float | None
    reason: str
    # When the push service answered (None: no answer); a timestamp, not part of the outcome.
    answered_at: datetime | None = field(default=None, compare=False)


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
    if status in (408, 429) or status >= 500:
        # 408: the push service gave up waiting for the request (RFC 9110 15.5.9 lets the
        # client repeat it), typically on a kept-alive connection it was closing.
        label = {408: "request timed out", 429: "rate limited"}.get(status, "push service error")
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


def unprepared(error_name: str) -> PushResult:
    """The device's stored keys could not be used to encrypt the message."""
    return PushResult(
        "failed", None, None, f"could not prepare the message for this device ({error_name})"
    )


def transport_failure(what: str, exc: BaseException) -> PushResult:
    return PushResult("retry", None, None, f"push service {what} ({type(exc).__name__})")
