"""Request and response shapes of the push API.

``PushSubscriptionCreate`` accepts the browser's ``PushSubscription.toJSON()`` as is
(``endpoint``, ``expirationTime``, ``keys``), plus a ``label`` naming the device.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from interlude.push.health import DeviceRow, device_health
from interlude.push.vapid import b64url, b64url_decode

DEFAULT_LABEL = "My device"
P256DH_BYTES = 65
AUTH_BYTES = 16


def _strip_label(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise ValueError("must not be blank")
    return value


Label = Annotated[str, Field(min_length=1, max_length=80), AfterValidator(_strip_label)]


def _decode(value: str, what: str) -> bytes:
    try:
        return b64url_decode(value)
    except ValueError as exc:
        raise ValueError(f"{what} is not base64url") from exc


def _check_p256dh(value: str) -> str:
    raw = _decode(value, "p256dh")
    if len(raw) != P256DH_BYTES or raw[0] != 0x04:
        raise ValueError(
            f"p256dh must be a {P256DH_BYTES}-byte uncompressed P-256 point (got {len(raw)} bytes)"
        )
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError as exc:
        raise ValueError("p256dh is not a point on the P-256 curve") from exc
    return b64url(raw)


def _check_auth(value: str) -> str:
    raw = _decode(value, "auth")
    if len(raw) != AUTH_BYTES:
        raise ValueError(f"auth must be {AUTH_BYTES} bytes (got {len(raw)})")
    return b64url(raw)


class PushSubscriptionKeys(BaseModel):
    model_config = ConfigDict(extra="ignore")

    p256dh: Annotated[str, Field(max_length=128), AfterValidator(_check_p256dh)]
    auth: Annotated[str, Field(max_length=64), AfterValidator(_check_auth)]


class PushSubscriptionCreate(BaseModel):
    # Browsers may add fields to PushSubscription.toJSON(); unknown ones are ignored.
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    endpoint: Annotated[str, Field(min_length=8, max_length=2048)]
    expiration_time: float | None = Field(
        default=None,
        alias="expirationTime",
        ge=0,
        description="Milliseconds since the epoch when the browser drops the subscription.",
    )
    keys: PushSubscriptionKeys
    label: Label = DEFAULT_LABEL
    silent_capable: bool = Field(
        default=False,
        description="Whether this browser can show a notification without sound or vibration "
        "(the Notification silent option exists and it is not iOS/iPadOS). Only such devices "
        "get the wrap-up cue. Sent on every subscribe; re-posting the endpoint updates it.",
    )


class PushSubscriptionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: Label


class PushSubscriptionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    label: str
    endpoint: str
    endpoint_hash: str = Field(
        description="sha256 hex of the endpoint: the device's name in receipts."
    )
    push_service: str = Field(description="fcm | apple | mozilla | wns | other")
    expiration_time: datetime | None
    created_at: datetime
    updated_at: datetime
    last_sent_at: datetime | None
    last_outcome: str | None
    last_status: int | None
    last_error: str | None
    health: Literal["ok", "pending", "silent", "gone"] = Field(
        description="ok: its notifications are shown (receipts arrive); pending: no receipt "
        "yet; silent: pushes accepted but not shown several times in a row; gone: the push "
        "service no longer knows it (subscribe again)."
    )
    health_since: datetime | None = Field(
        description="silent: when the first unconfirmed push was accepted; gone: when the "
        "push service said so."
    )
    last_accepted_at: datetime | None
    last_receipt_at: datetime | None
    unconfirmed_count: int = Field(description="Accepted pushes since the last receipt.")
    silent_capable: bool = Field(
        description="This device can show a notification silently: it gets the wrap-up cue."
    )

    @classmethod
    def of(cls, row: DeviceRow, now: datetime) -> PushSubscriptionRead:
        """The device with its health at ``now``."""
        health = device_health(row, now)
        return cls.model_validate(
            {
                **{name: getattr(row, name) for name in _ROW_FIELDS},
                "health": health.health,
                "health_since": health.since,
            }
        )


_ROW_FIELDS = [
    name for name in PushSubscriptionRead.model_fields if name not in ("health", "health_since")
]


class ReceiptCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    device: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = Field(
        default=None,
        description="sha256 hex of this device's push endpoint (its subscription's name); "
        "null when the service worker has no subscription to name.",
    )


class DeviceReceiptRead(BaseModel):
    device_known: bool = Field(description="Whether the device is one of yours.")


class VapidPublicKeyRead(BaseModel):
    public_key: str = Field(
        description="The applicationServerKey for pushManager.subscribe(): base64url of the "
        "uncompressed P-256 point."
    )


class PushTestDeviceResult(BaseModel):
    subscription_id: uuid.UUID
    label: str
    outcome: Literal["sent", "gone", "retry", "failed"]
    http_status: int | None
    reason: str
    removed: bool = Field(
        description="True when the push service said the device is gone (it is kept, "
        "marked gone, until it is repaired or removed)."
    )


class PushTestRead(BaseModel):
    sent: int
    results: list[PushTestDeviceResult]
