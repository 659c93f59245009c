"""What a reminder's push says, and what the devices' answers make of it (pure functions).

Per reminder, the devices' answers decide its state:

- any device accepted it -> ``sent`` (other devices' failures are noted in ``last_error``);
- 404/410 -> that subscription is deleted; no device left -> ``failed`` with a clear reason;
- 429/5xx/timeouts only -> back to ``planned`` with backoff (Retry-After honoured), unless the
  next attempt would land at or after ``expires_at`` -> ``expired``;
- otherwise (400/401/403/413) -> ``failed`` with the push service's reason.

The wrap-up cue (kind ``wrap_up``) is silent: it goes only to devices that can show a
notification without sound or vibration (``silent_capable``); with none, it is ``cancelled``
quietly (``NO_SILENT_DEVICE_REASON``), which is neither a failure nor a push any device
health counts.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from interlude.push.sender import MAX_PAYLOAD_BYTES, PushResult, PushTarget
from interlude.reminders.models import CANCELLED, EXPIRED, FAILED, PLANNED, SENT
from interlude.reminders.outbox import Claimed, Outcome

NO_DEVICE_REASON = (
    "No device is subscribed to notifications: open Interlude on your phone and turn "
    "notifications on."
)
NO_SILENT_DEVICE_REASON = (
    "No device can show a silent cue, so this wrap-up cue was not sent (iPhone and iPad "
    "cannot show a notification without sound or vibration)."
)
# A silent cue before a session ends (issue 21, "Ending on time").
WRAP_UP = "wrap_up"
NOTES = "notes"
NOTES_BACKLOG = "notes_backlog"
SNOOZE_MINUTES = 5
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_MAX_SECONDS = 60.0
ACTIONS = (
    {"action": "done", "title": "Done"},
    {"action": "snooze", "title": "Snooze 5 min"},
    {"action": "skip", "title": "Skip"},
)
NOTES_DONE_ACTION = {"action": "notes_done", "title": "Notes done"}


def devices_for(item: Claimed, devices: Sequence[PushTarget]) -> Sequence[PushTarget]:
    """The devices this reminder goes to: all of them, but for the silent wrap-up cue only
    those that can show it silently (elsewhere it would ring or buzz mid-session)."""
    if item.kind == WRAP_UP:
        return [device for device in devices if device.silent_capable]
    return devices


def actions_for(item: Claimed, now: datetime | None) -> list[dict[str, str]]:
    """The notification's buttons, most important first: the service worker keeps the first
    ``Notification.maxActions`` (Chrome and Edge: 2; iOS and macOS Safari show none, so the
    tap opens the Break screen, which has them all).

    - the wrap-up cue has none: it is a glance during a session, nothing to answer;
    - the end-of-day notes backlog has none: it is not a break to take or skip, and its tap
      opens Today, where the backlog is;
    - a reminder whose gap holds notes time (``notes_minutes`` > 0, or kind ``notes``)
      offers "Notes done" second, so the two buttons Chrome shows are Done and Notes done
      (snooze and skip stay on the Break screen);
    - with ``now``, snooze is left out when it would end after the expiry (the API would
      refuse it, and a tap that does nothing is worse than no button).
    """
    if item.kind in (WRAP_UP, NOTES_BACKLOG):
        return []
    actions = [dict(a) for a in ACTIONS]
    if now is not None and now + timedelta(minutes=SNOOZE_MINUTES) >= item.expires_at:
        actions = [a for a in actions if a["action"] != "snooze"]
    if item.notes_minutes > 0 or item.kind == NOTES:
        actions.insert(1, dict(NOTES_DONE_ACTION))
    return actions


def backoff_seconds(attempts: int) -> float:
    """2, 4, 8, ... seconds, capped at a minute: a break is only worth minutes."""
    return float(min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)))


def payload_for(
    item: Claimed, *, now: datetime | None = None, base_url: str = ""
) -> dict[str, Any]:
    """The notification: what the therapist sees and can do. No client data exists here.

    A Declarative Web Push message (``web_push: 8030``: Safari 18.4+ shows
    ``notification`` itself, even when the service worker does not run; ``mutable`` lets
    the service worker run first and post its receipt), with the fields the service worker
    needs beside it. ``base_url`` makes ``navigate`` absolute, as the format requires.

    The wrap-up cue is ``silent`` (top level, for the service worker, and in the declarative
    notification, for Safari) and has no actions; the buttons are ``actions_for``'s.
    """
    return _fitted(item, now, base_url)[0]


def payload_bytes_for(item: Claimed, *, now: datetime | None = None, base_url: str = "") -> bytes:
    """``payload_for`` as the compact UTF-8 JSON that is encrypted and sent."""
    return _fitted(item, now, base_url)[1]


def _fitted(item: Claimed, now: datetime | None, base_url: str) -> tuple[dict[str, Any], bytes]:
    rid = str(item.id)
    actions = actions_for(item, now)
    url = "/" if item.kind == NOTES_BACKLOG else f"/break/{rid}"
    payload: dict[str, Any] = {
        "web_push": 8030,
        "notification": {
            "title": item.title,
            "body": item.body,
            # Safari has no notification actions: the tap opens the Break screen, which
            # has Done, Snooze and Skip.
            "navigate": f"{base_url.rstrip('/')}{url}",
            "tag": f"reminder-{rid}",
        },
        "mutable": True,
        "id": rid,
        "kind": item.kind,
        "url": url,
        "expires_at": item.expires_at.isoformat().replace("+00:00", "Z"),
        "actions": actions,
        "snooze_minutes": SNOOZE_MINUTES,
        "duration_minutes": item.duration_minutes,
    }
    if item.kind == WRAP_UP:
        # No sound, no vibration (a vibrate pattern beside silent is a TypeError in
        # showNotification, so none is ever sent).
        payload["silent"] = True
        payload["notification"]["silent"] = True
    if item.activity:
        payload["activity"] = item.activity
    if item.ritual_steps:
        payload["steps"] = [s[:200] for s in item.ritual_steps[:10]]
    # Push services take 4 KB of ciphertext; keep the JSON within 3 KB by dropping the last
    # ritual steps first (the break page shows them all), then shortening the body.
    data = _json(payload)
    while len(data) > MAX_PAYLOAD_BYTES and payload.get("steps"):
        payload["steps"].pop()
        data = _json(payload)
    if len(data) > MAX_PAYLOAD_BYTES:
        payload["notification"]["body"] = payload["notification"]["body"][:200] + "…"
        data = _json(payload)
    return payload, data


def _json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    expired: int = 0
    retried: int = 0
    cancelled: int = 0  # wrap-up cues no device could show silently
    pushes: int = 0
    batches: int = 0
    results: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, state: str) -> None:
        if state == SENT:
            self.sent += 1
        elif state == FAILED:
            self.failed += 1
        elif state == EXPIRED:
            self.expired += 1
        elif state == PLANNED:
            self.retried += 1
        elif state == CANCELLED:
            self.cancelled += 1


def decide(item: Claimed, results: Sequence[PushResult], *, now: datetime, devices: int) -> Outcome:
    """One reminder's next state from its devices' answers (pure; see the module doc).

    ``devices``: how many it was sent to (``devices_for``)."""
    if devices == 0 and item.kind == WRAP_UP:
        return Outcome(item.id, CANCELLED, now, item.due_at, error=NO_SILENT_DEVICE_REASON)
    if devices == 0:
        return Outcome(item.id, FAILED, now, item.due_at, error=NO_DEVICE_REASON)
    sent = [r for r in results if r.outcome == "sent"]
    retry = [r for r in results if r.outcome == "retry"]
    failed = [r for r in results if r.outcome == "failed"]
    gone = [r for r in results if r.outcome == "gone"]
    if sent:
        others = [r.reason for r in (*failed, *retry, *gone)]
        note = "; ".join(f"another device: {reason}" for reason in others[:3]) or None
        return Outcome(item.id, SENT, now, item.due_at, error=note)
    if retry:
        wait = backoff_seconds(item.attempts)
        hinted = [r.retry_after_seconds for r in retry if r.retry_after_seconds is not None]
        if hinted:
            wait = max(wait, max(hinted))
        at = now + timedelta(seconds=wait)
        reason = retry[0].reason
        if at >= item.expires_at:
            return Outcome(
                item.id,
                EXPIRED,
                now,
                item.due_at,
                error=f"Gave up at its expiry after {item.attempts} attempts: {reason}",
            )
        return Outcome(item.id, PLANNED, now, item.due_at, next_attempt_at=at, error=reason)
    if failed:
        return Outcome(item.id, FAILED, now, item.due_at, error=failed[0].reason)
    if gone and len(gone) == devices:
        return Outcome(item.id, FAILED, now, item.due_at, error=NO_DEVICE_REASON)
    return Outcome(item.id, FAILED, now, item.due_at, error="No push service answered.")
