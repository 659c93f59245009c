"""Email a therapist whose reminders reach none of their devices (docs/push.md "Email alert").

Today's banner only helps once the app is opened; a therapist who relies on reminders may
not open it for days. When *every* device of a user is ``silent`` or ``gone``
(push/health.py), the worker emails them what happened and how to repair it:

- at most once per ``ALERT_INTERVAL`` (a day), whatever the number of workers or restarts:
  the time of the last mail is a row (``HealthAlert``), claimed by a conditional write before
  the mail goes out, and given back if the mail could not be sent;
- only for ``ALERT_FOR`` (a week) after the last working device stopped: past that, someone
  who stopped using Interlude is not mailed for ever;
- only with SMTP configured (the job is not even scheduled otherwise).

The mail names the user's own devices (their labels) and nothing about their calendar or
clients.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from interlude.accounts.models import User
from interlude.core import mail
from interlude.core.runtime import Runtime
from interlude.core.settings import Settings
from interlude.push.health import SILENT_AFTER, DeviceHealth, device_health
from interlude.push.models import HealthAlert, PushSubscription

log = logging.getLogger("interlude.push.alerts")

ALERT_INTERVAL = timedelta(days=1)
ALERT_FOR = timedelta(days=7)
SUBJECT = "Break reminders are not reaching your devices"


@dataclass(frozen=True)
class Unreached:
    """A user none of whose devices shows reminders, and since when."""

    user_id: uuid.UUID
    since: datetime  # when the last device that worked stopped
    devices: list[tuple[str, DeviceHealth]]  # (label, health)


def unreached_users(*, session: Session, now: datetime) -> list[Unreached]:
    """Users with at least one device, every one of them silent or gone, for under a week."""
    suspects = select(PushSubscription.user_id).where(
        or_(
            PushSubscription.gone_at.is_not(None),
            PushSubscription.unconfirmed_count >= SILENT_AFTER,
        )
    )
    by_user: dict[uuid.UUID, list[PushSubscription]] = defaultdict(list)
    for device in session.scalars(
        select(PushSubscription)
        .where(PushSubscription.user_id.in_(suspects))
        .order_by(PushSubscription.created_at)
    ):
        by_user[device.user_id].append(device)
    found = []
    for user_id, devices in by_user.items():
        healths = [(d.label, device_health(d, now)) for d in devices]
        if any(h.health not in ("silent", "gone") for _, h in healths):
            continue
        since = max(h.since or now for _, h in healths)
        if now - since <= ALERT_FOR:
            found.append(Unreached(user_id=user_id, since=since, devices=healths))
    return found


def claim(*, session: Session, user_id: uuid.UUID, now: datetime) -> tuple[bool, datetime | None]:
    """Takes the day's alert for the user: ``(False, _)`` if one was sent less than a day ago
    (or another process just took it), else ``(True, previous send time or None)``, to give
    back if the mail fails. The caller commits before sending."""
    row = session.get(HealthAlert, user_id)
    if row is None:
        try:
            with session.begin_nested():
                session.add(HealthAlert(user_id=user_id, last_sent_at=now))
        except IntegrityError:
            return False, None  # another process inserted it a moment ago
        return True, None
    previous = row.last_sent_at
    taken = session.execute(
        update(HealthAlert)
        .where(
            HealthAlert.user_id == user_id,
            HealthAlert.last_sent_at <= now - ALERT_INTERVAL,
        )
        .values(last_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    return getattr(taken, "rowcount", 0) == 1, previous


def give_back(*, session: Session, user_id: uuid.UUID, previous: datetime | None) -> None:
    if previous is None:
        session.execute(delete(HealthAlert).where(HealthAlert.user_id == user_id))
    else:
        session.execute(
            update(HealthAlert).where(HealthAlert.user_id == user_id).values(last_sent_at=previous)
        )


def _when(instant: datetime, zone: str) -> str:
    local = instant.astimezone(ZoneInfo(zone))
    hour = local.strftime("%I").lstrip("0")
    return f"{local:%A} {local.day} {local:%B}, {hour}:{local:%M %p}"


_WHAT = {
    "silent": "notifications are accepted by its push service but not shown",
    "gone": "its push subscription has ended (the push service no longer knows it)",
}


def alert_message(settings: Settings, *, user: User, unreached: Unreached) -> EmailMessage:
    lines = "\n".join(
        f"- {label}: {_WHAT[health.health]}"
        + (f" since {_when(health.since, user.timezone)}" if health.since else "")
        for label, health in unreached.devices
    )
    base = settings.base_url
    text = f"""Hello {user.display_name},

Interlude's break reminders have not been reaching any of your devices since
{_when(unreached.since, user.timezone)}:

{lines}

To repair it, on the phone you want reminders on:

1. Open Interlude: {base}/
   Today shows "Break reminders are not reaching this phone"; tap "Repair reminders".
   It subscribes again and sends a test notification.
2. On iPhone or iPad, open Interlude from its Home Screen icon (reminders only arrive
   there), and check that Settings > Notifications > Interlude allows notifications.
3. On Android, allow notifications for your browser and leave it out of battery
   optimisation.

Your devices and their last delivery: {base}/settings/devices

You get this email at most once a day while no device shows reminders, for a week at most.

Interlude · {base}
"""
    return mail.compose(settings, to=user.email, subject=SUBJECT, text=text)


def send_alerts(runtime: Runtime) -> int:
    """One pass: emails every unreached user not alerted in the last day. Returns mails sent."""
    settings = runtime.settings
    if not settings.email_enabled:
        return 0
    now = runtime.clock.now()
    with runtime.session() as session:
        candidates = unreached_users(session=session, now=now)
    sent = 0
    for unreached in candidates:
        with runtime.session() as session:
            user = session.get(User, unreached.user_id)
            taken, previous = claim(session=session, user_id=unreached.user_id, now=now)
            if user is None or not taken:
                continue
            message = alert_message(settings, user=user, unreached=unreached)
        try:
            mail.send_sync(settings, message)
        except mail.MailFailed:
            with runtime.session() as session:
                give_back(session=session, user_id=unreached.user_id, previous=previous)
            continue
        sent += 1
    if sent:
        log.info("emailed %d therapists whose reminders reach no device", sent)
    return sent
