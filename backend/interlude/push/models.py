"""ORM models of the push domain: the deployment's VAPID key pair and users' devices."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from interlude.core.db import Base, UUIDPrimaryKey

# The deployment has exactly one VAPID identity; its row always has this primary key, so two
# processes creating it at once collide on the key instead of producing two identities.
VAPID_ROW_ID = 1


class VapidKey(Base):
    """The VAPID key pair that signs every push. The private key is encrypted at rest."""

    __tablename__ = "push_vapid_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # applicationServerKey: base64url (no padding) of the uncompressed P-256 point, 65 bytes.
    public_key: Mapped[str] = mapped_column(String(100))
    # keyring.encrypt() of the PKCS#8 PEM.
    private_key_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class PushSubscription(UUIDPrimaryKey, Base):
    """One browser/device that receives a user's notifications (a W3C PushSubscription)."""

    __tablename__ = "push_subscriptions"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    endpoint: Mapped[str] = mapped_column(Text)
    # sha256 hex of the endpoint: a fixed-size unique key (endpoints can be long).
    endpoint_hash: Mapped[str] = mapped_column(String(64), unique=True)
    p256dh: Mapped[str] = mapped_column(String(128))
    auth: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(80))
    expiration_time: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    last_sent_at: Mapped[datetime | None]
    last_outcome: Mapped[str | None] = mapped_column(String(16))
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(300))
    # Delivery health (docs/push.md "Device health"). The push service's family
    # (fcm, apple, mozilla, wns, other): the /metrics label, never the endpoint itself.
    push_service: Mapped[str] = mapped_column(String(16), default="other")
    last_accepted_at: Mapped[datetime | None]
    last_receipt_at: Mapped[datetime | None]
    # Pushes the push service accepted since this device's last receipt, and when the first
    # of them was accepted: "not reaching this phone since ...".
    unconfirmed_count: Mapped[int] = mapped_column(Integer, default=0)
    unconfirmed_since: Mapped[datetime | None]
    # Set when the push service answered 404/410: the row stays until the person repairs or
    # removes the device, so the app can say since when reminders stopped.
    gone_at: Mapped[datetime | None]
    accepted_total: Mapped[int] = mapped_column(Integer, default=0)
    receipts_total: Mapped[int] = mapped_column(Integer, default=0)
    # The PWA says whether this browser can show a notification without sound or vibration
    # (docs/push.md "Silent cues"): only such devices get the wrap-up cue.
    silent_capable: Mapped[bool] = mapped_column(default=False)


class HealthAlert(Base):
    """When a user was last emailed that their reminders reach none of their devices
    (push/alerts.py): a row, so "at most once a day" holds across restarts and processes."""

    __tablename__ = "push_health_alerts"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    last_sent_at: Mapped[datetime]
