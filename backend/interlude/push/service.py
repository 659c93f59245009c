"""Push subscriptions: register, list, rename, delete, and the helpers the dispatcher uses.

Services never commit; the caller's unit of work does.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.orm import Session

from interlude.core.db import one_of
from interlude.core.errors import Conflict, NotFound, Unprocessable
from interlude.core.netguard import is_private_host, parse_ip_literal
from interlude.core.security import Keyring
from interlude.push.families import push_service_family
from interlude.push.models import HealthAlert, PushSubscription
from interlude.push.schemas import PushSubscriptionCreate
from interlude.push.sender import PushResult, PushTarget, endpoint_origin

MAX_SUBSCRIPTIONS_PER_USER = 20
_SUBSCRIPTIONS: Table = PushSubscription.__table__  # type: ignore[assignment]
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
# Labels separated by mandatory dots: no ambiguous splits, so no catastrophic backtracking.
_HOSTNAME_RE = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*\.?", re.IGNORECASE)


def endpoint_hash(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode("utf-8")).hexdigest()


def validate_endpoint(endpoint: str, *, allow_private_network: bool) -> str:
    """An endpoint we are willing to POST to; raises ``Unprocessable`` with the reason.

    Real push services (FCM, Mozilla autopush, Apple, WNS) are public https hosts. Plain http
    and loopback/private hosts are only accepted with ``allow_private_network`` (development,
    tests), so a stored subscription cannot aim the worker at the internal network.
    """
    endpoint = endpoint.strip()
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        raise Unprocessable("endpoint: not a valid URL", code="invalid_endpoint") from None
    allowed = ("https", "http") if allow_private_network else ("https",)
    if parts.scheme not in allowed:
        raise Unprocessable(
            "endpoint: push endpoints must be https:// URLs", code="invalid_endpoint"
        )
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise Unprocessable(
            "endpoint: needs a host and must not contain credentials", code="invalid_endpoint"
        )
    if port == 0 or not _valid_host(parts.hostname):
        raise Unprocessable("endpoint: the host or port is not valid", code="invalid_endpoint")
    if not allow_private_network and is_private_host(parts.hostname):
        raise Unprocessable(
            "endpoint: hosts on a private or local network are not push services",
            code="invalid_endpoint",
        )
    return endpoint


def _valid_host(host: str) -> bool:
    return parse_ip_literal(host) is not None or _HOSTNAME_RE.fullmatch(host) is not None


def _expiration(value: float | None, now: datetime) -> datetime | None:
    if value is None:
        return None
    try:
        when = datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise Unprocessable(
            "expirationTime: not a valid time in milliseconds", code="invalid_expiration"
        ) from None
    if when <= now:
        raise Unprocessable(
            "expirationTime: this subscription has already expired; subscribe again",
            code="invalid_expiration",
        )
    return when


def upsert_subscription(
    *,
    session: Session,
    user_id: uuid.UUID,
    data: PushSubscriptionCreate,
    now: datetime,
    allow_private_network: bool,
) -> tuple[PushSubscription, bool]:
    """Registers a device, or refreshes it when its endpoint is known; returns (row, created).

    An endpoint belongs to one browser profile. If another account registered it before (a
    shared browser where someone else signed in), the device moves to this account: the
    browser presenting the endpoint is the one that receives its pushes.
    """
    endpoint = validate_endpoint(data.endpoint, allow_private_network=allow_private_network)
    expiration = _expiration(data.expiration_time, now)
    key = endpoint_hash(endpoint)
    row = session.scalar(select(PushSubscription).where(PushSubscription.endpoint_hash == key))
    if row is not None and row.user_id != user_id:
        session.delete(row)
        session.flush()
        row = None
    if row is not None:
        # A gone endpoint stays gone (push services never revive one): the browser must
        # subscribe afresh, which gives a new endpoint and a new row.
        row.p256dh = data.keys.p256dh
        row.auth = data.keys.auth
        row.label = data.label
        row.expiration_time = expiration
        row.silent_capable = data.silent_capable
        row.updated_at = now
        return row, False
    count = session.scalar(
        select(func.count())
        .select_from(PushSubscription)
        .where(PushSubscription.user_id == user_id)
    )
    if (count or 0) >= MAX_SUBSCRIPTIONS_PER_USER:
        raise Conflict(
            f"You already have {MAX_SUBSCRIPTIONS_PER_USER} devices; remove one you no longer "
            "use before adding another.",
            code="too_many_devices",
        )
    row = PushSubscription(
        user_id=user_id,
        endpoint=endpoint,
        endpoint_hash=key,
        p256dh=data.keys.p256dh,
        auth=data.keys.auth,
        label=data.label,
        expiration_time=expiration,
        created_at=now,
        updated_at=now,
        push_service=push_service_family(endpoint),
        silent_capable=data.silent_capable,
        unconfirmed_count=0,
        accepted_total=0,
        receipts_total=0,
    )
    session.add(row)
    session.flush()
    return row, True


def list_subscriptions(*, session: Session, user_id: uuid.UUID) -> list[PushSubscription]:
    return list(
        session.scalars(
            select(PushSubscription)
            .where(PushSubscription.user_id == user_id)
            .order_by(PushSubscription.created_at, PushSubscription.id)
        )
    )


def get_subscription(
    *, session: Session, user_id: uuid.UUID, subscription_id: uuid.UUID
) -> PushSubscription:
    row = session.get(PushSubscription, subscription_id)
    if row is None or row.user_id != user_id:
        raise NotFound("No such device; it may have been removed.", code="device_not_found")
    return row


def rename_subscription(
    *,
    session: Session,
    user_id: uuid.UUID,
    subscription_id: uuid.UUID,
    label: str,
    now: datetime,
) -> PushSubscription:
    row = get_subscription(session=session, user_id=user_id, subscription_id=subscription_id)
    row.label = label
    row.updated_at = now
    return row


def remove_subscription(
    *, session: Session, user_id: uuid.UUID, subscription_id: uuid.UUID
) -> None:
    row = get_subscription(session=session, user_id=user_id, subscription_id=subscription_id)
    session.delete(row)


# --- for the dispatcher -----------------------------------------------------------------


def list_targets(*, session: Session, user_id: uuid.UUID) -> list[PushTarget]:
    """Every device of the user that is not gone, ready for ``PushSender.send``."""
    return [
        PushTarget(
            subscription_id=row.id,
            endpoint=row.endpoint,
            p256dh=row.p256dh,
            auth=row.auth,
            silent_capable=row.silent_capable,
        )
        for row in list_subscriptions(session=session, user_id=user_id)
        if row.gone_at is None
    ]


def targets_for_users(
    *, session: Session, user_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[PushTarget]]:
    """Every device (not gone) of every user in a batch, in one query. Core, not ORM: this
    runs once per batch of a burst."""
    devices = _SUBSCRIPTIONS.c
    rows = session.execute(
        select(
            devices.id,
            devices.user_id,
            devices.endpoint,
            devices.p256dh,
            devices.auth,
            devices.silent_capable,
        ).where(one_of(session, devices.user_id, list(user_ids)), devices.gone_at.is_(None))
    ).all()
    targets: dict[uuid.UUID, list[PushTarget]] = defaultdict(list)
    for row in rows:
        targets[row.user_id].append(
            PushTarget(row.id, row.endpoint, row.p256dh, row.auth, row.silent_capable)
        )
    return targets


def record_send_results(
    *,
    session: Session,
    gone: Collection[uuid.UUID],
    results: Sequence[tuple[uuid.UUID, PushResult]],
    now: datetime,
) -> None:
    """After a batch: marks the devices their push service reported gone (404/410) and
    keeps every other device's last outcome and delivery health. One UPDATE per distinct
    outcome (in a burst nearly every device shares "sent, 201": one statement, not N)."""
    table = _SUBSCRIPTIONS
    c = table.c
    # Batches in flight write the same devices (a user's reminders fall in several batches),
    # each in its own statement order: take the rows' locks in one order first, or two
    # batches deadlock on PostgreSQL. (SQLite has one writer; FOR UPDATE is left out there.)
    touched = sorted(set(gone) | {sid for sid, _ in results})
    if touched:
        session.execute(
            select(c.id).where(one_of(session, c.id, touched)).order_by(c.id).with_for_update()
        )
    mark_gone(session=session, subscription_ids=gone, now=now)
    # A device can answer several reminders in one batch: its last answer is its outcome,
    # and each accepted one counts.
    last: dict[uuid.UUID, PushResult] = {}
    accepted: dict[uuid.UUID, int] = defaultdict(int)
    for sid, r in results:
        last[sid] = r
        accepted[sid] += r.outcome == "sent"
    groups: dict[tuple[str, int | None, str | None, int], list[uuid.UUID]] = {}
    for sid, r in last.items():
        error = None if r.outcome == "sent" else r.reason[:300]
        groups.setdefault((r.outcome, r.http_status, error, accepted[sid]), []).append(sid)
    for (outcome, status, error, n_accepted), ids in groups.items():
        values: dict[str, Any] = {
            "last_sent_at": now,
            "last_outcome": outcome,
            "last_status": status,
        }
        if n_accepted:
            # Accepted: pushes waiting for their receipt (push/health.py).
            values |= {
                "last_accepted_at": now,
                "unconfirmed_count": c.unconfirmed_count + n_accepted,
                "unconfirmed_since": func.coalesce(c.unconfirmed_since, now),
                "accepted_total": c.accepted_total + n_accepted,
            }
        if outcome != "sent":
            # The last error stays until the next failure: "last error" on the devices list.
            values["last_error"] = error
        session.execute(update(table).where(one_of(session, c.id, ids)).values(**values))


def mark_gone(*, session: Session, subscription_ids: Collection[uuid.UUID], now: datetime) -> None:
    """The push service answered 404/410: no more pushes to these devices, but their rows
    stay (with when it happened) until the person repairs or removes them."""
    ids = list(set(subscription_ids))
    if not ids:
        return
    c = _SUBSCRIPTIONS.c
    session.execute(
        update(_SUBSCRIPTIONS)
        .where(one_of(session, c.id, ids))
        .values(
            gone_at=func.coalesce(c.gone_at, now),
            last_sent_at=now,
            last_outcome="gone",
            last_error="The push service no longer knows this device (it unsubscribed).",
        )
    )


def record_receipt(
    *, session: Session, user_id: uuid.UUID, device_hash: str | None, now: datetime
) -> bool:
    """The device's service worker showed a notification: it works. Resets the run of
    unconfirmed pushes. Only the user's own device counts; returns whether it was one."""
    if not device_hash:
        return False
    c = _SUBSCRIPTIONS.c
    result = session.execute(
        update(_SUBSCRIPTIONS)
        .where(c.endpoint_hash == device_hash, c.user_id == user_id)
        .values(
            last_receipt_at=now,
            unconfirmed_count=0,
            unconfirmed_since=None,
            receipts_total=c.receipts_total + 1,
        )
    )
    return bool(getattr(result, "rowcount", 0))


def delete_subscription_by_id(*, session: Session, subscription_id: uuid.UUID) -> bool:
    """Removes a device. True if it existed."""
    result = session.execute(delete(PushSubscription).where(PushSubscription.id == subscription_id))
    return bool(getattr(result, "rowcount", 0))


def record_result(
    *, session: Session, subscription_id: uuid.UUID, result: PushResult, now: datetime
) -> None:
    """Keeps one device's outcome (the test push): as ``record_send_results`` for one."""
    if result.outcome == "gone":
        mark_gone(session=session, subscription_ids=[subscription_id], now=now)
    else:
        record_send_results(session=session, gone=(), results=[(subscription_id, result)], now=now)
    session.expire_all()


def export_subscriptions(
    *, session: Session, user_id: uuid.UUID, keyring: Keyring | None = None
) -> dict[str, Any]:
    """The user's devices for ``GET /me/export`` (the encryption keys are left out), and when
    they were last emailed that reminders reach none of them."""
    alert = session.get(HealthAlert, user_id)
    return {
        "devices": [
            {
                "id": str(row.id),
                "label": row.label,
                "push_service": endpoint_origin(row.endpoint),
                "endpoint": row.endpoint,
                "expiration_time": (
                    row.expiration_time.isoformat() if row.expiration_time else None
                ),
                "created_at": row.created_at.isoformat(),
                "last_sent_at": row.last_sent_at.isoformat() if row.last_sent_at else None,
                "last_outcome": row.last_outcome,
                "silent_capable": row.silent_capable,
            }
            for row in list_subscriptions(session=session, user_id=user_id)
        ],
        "delivery_alert_last_sent_at": alert.last_sent_at.isoformat() if alert else None,
    }
