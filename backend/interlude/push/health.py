"""Whether a device still shows what its push service accepts (docs/push.md "Device health").

A push service's 201 only says the message was queued (RFC 8030). The service worker posts
a receipt for every notification it shows; a device is ``silent`` once
``SILENT_AFTER`` accepted pushes in a row have had no receipt within ``RECEIPT_GRACE``, and
``gone`` once its push service answered 404/410. Pure functions of a device row and ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

# Three: iOS itself revokes a site's push permission after about three pushes that showed
# nothing, so three misses is the earliest point where "not reaching this phone" is more
# likely than bad luck, and it is one working afternoon of reminders at most.
SILENT_AFTER = 3
# A receipt counts as missing only once the push is this old: Android Doze holds even
# high-urgency pushes for a few minutes when the phone is deep asleep or its app is
# restricted, and a phone that just came back online replays queued receipts.
RECEIPT_GRACE = timedelta(minutes=15)

Health = Literal["ok", "pending", "silent", "gone"]


class DeviceRow(Protocol):
    @property
    def last_accepted_at(self) -> datetime | None: ...
    @property
    def last_receipt_at(self) -> datetime | None: ...
    @property
    def unconfirmed_count(self) -> int: ...
    @property
    def unconfirmed_since(self) -> datetime | None: ...
    @property
    def gone_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class DeviceHealth:
    health: Health
    since: datetime | None  # silent: the first unconfirmed push; gone: the 404/410


def missed_receipts(device: DeviceRow, now: datetime) -> int:
    """Accepted pushes whose receipt is overdue. The latest one is only counted once the
    grace has passed (earlier ones were accepted before it, so their grace has passed in
    every realistic case: reminders are minutes apart at the least)."""
    count = device.unconfirmed_count or 0
    last = device.last_accepted_at
    if count and last is not None and now - last < RECEIPT_GRACE:
        count -= 1
    return count


def device_health(device: DeviceRow, now: datetime) -> DeviceHealth:
    """``gone`` > ``silent`` > ``ok`` (a receipt was seen) > ``pending`` (none yet)."""
    if device.gone_at is not None:
        return DeviceHealth("gone", device.gone_at)
    if missed_receipts(device, now) >= SILENT_AFTER:
        return DeviceHealth("silent", device.unconfirmed_since)
    if device.last_receipt_at is not None:
        return DeviceHealth("ok", None)
    return DeviceHealth("pending", None)
