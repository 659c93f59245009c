"""The week ahead's scheduled work (APScheduler as the alarm clock only; state in rows).

- ``week_ahead.review``: every minute, sends the week-ahead push to each user whose review
  time has come: their weekday and local time, moved out of quiet hours and out of any
  session, commitment or held time (never into a session). One push per review: the review
  instant is claimed with a conditional UPDATE first, so several workers never both send.
  A review more than ``STALE_AFTER`` late (the worker was down) is skipped, not sent late.
- ``week_ahead.writeback``: every minute, writes or removes the held-time events the
  requests could not (a CalDAV server that was down), and forgets holds 90 days past.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime, time, timedelta
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from interlude.accounts.models import User
from interlude.care_plan.service import load_plan_input
from interlude.core import hooks
from interlude.core.runtime import Runtime
from interlude.core.timezones import local_date, local_to_utc, user_zone
from interlude.planner.clock_math import BusyTime, QuietHours
from interlude.push import service as push_service
from interlude.push.models import PushSubscription
from interlude.push.sender import PushResult, PushSender, PushTarget
from interlude.push.vapid import load_or_create_vapid
from interlude.reminders.planning import load_appointments_input
from interlude.week_ahead import service, week, writeback
from interlude.week_ahead.models import WeekAheadSettings
from interlude.wellbeing.commitments import upcoming_commitments

log = logging.getLogger("interlude.week_ahead")

REVIEW_JOB_ID = "week_ahead.review"
WRITEBACK_JOB_ID = "week_ahead.writeback"
INTERVAL = timedelta(seconds=60)
STALE_AFTER = timedelta(hours=12)
PUSH_TTL = timedelta(hours=12)
PUSH_TOPIC = "interlude-week"
PUSH_TIMEOUT_SECONDS = 10.0
WEEK_URL = "/week"


def _quiet_end_after(quiet: QuietHours, instant: datetime) -> datetime:
    assert quiet.end is not None
    day = local_date(instant, quiet.tz)
    for offset in (0, 1, 2):
        candidate = local_to_utc(day + timedelta(days=offset), quiet.end, quiet.tz)
        if candidate > instant:
            return candidate
    return instant  # pragma: no cover - one of three consecutive days always qualifies


def due_time(instant: datetime, *, quiet: QuietHours, busy: BusyTime) -> datetime:
    """``instant`` moved past quiet hours and busy time, whichever it falls in, until free."""
    due = instant
    for _ in range(50):
        moved = due
        if quiet.contains(moved):
            moved = _quiet_end_after(quiet, moved)
        moved = busy.free_from(moved)
        if moved == due:
            return due
        due = moved
    return due  # pragma: no cover - a week of back-to-back busy time and quiet hours


def review_due(
    *, session: Session, user: User, row: WeekAheadSettings, now: datetime
) -> tuple[datetime, datetime] | None:
    """(review instant, when to send it), or None when there is nothing to send."""
    if not row.enabled:
        return None
    zone = user_zone(user)
    instant = service.review_instant(row, zone, now)
    if row.last_review_at is not None and row.last_review_at >= instant:
        return None
    plan = load_plan_input(session=session, user_id=user.id)
    start, end = instant - timedelta(days=1), instant + timedelta(days=2)
    appointments = load_appointments_input(session=session, user_id=user.id, start=start, end=end)
    commitments = upcoming_commitments(session=session, user_id=user.id, start=start, end=end)
    held = hooks.held_time(session=session, user_id=user.id, start=start, end=end)
    busy = BusyTime(
        [
            *((a.start, a.end) for a in appointments if not a.all_day),
            *((c.start, c.end) for c in commitments),
            *((h.start, h.end) for h in held),
        ]
    )
    quiet = QuietHours(plan.quiet_start, plan.quiet_end, zone)
    return instant, due_time(instant, quiet=quiet, busy=busy)


def review_payload(view: dict[str, Any], *, now: datetime, base_url: str) -> dict[str, Any]:
    """Same shape as a reminder's payload; counts only (no times baked into the text)."""
    totals = view["totals"]
    sessions = totals["sessions"]
    parts = [f"{sessions} session{'s' if sessions != 1 else ''}"]
    if totals["days_without_break"]:
        n = totals["days_without_break"]
        parts.append(f"{n} day{'s' if n != 1 else ''} without a 10-minute break")
    if totals["back_to_back_runs"]:
        n = totals["back_to_back_runs"]
        parts.append(f"{n} back-to-back run{'s' if n != 1 else ''}")
    if totals.get("expected_notes_backlog"):
        n = totals["expected_notes_backlog"]
        parts.append(f"{n} session{'s' if n != 1 else ''} with no time for notes")
    body = "Next 7 days: " + ", ".join(parts) + ". Tap to hold time for breaks."
    return {
        "web_push": 8030,
        "notification": {
            "title": "Your week ahead",
            "body": body,
            "navigate": f"{base_url.rstrip('/')}{WEEK_URL}",
            "tag": PUSH_TOPIC,
        },
        "mutable": True,
        "kind": "week_ahead",
        "reminder_id": None,
        "actions": [],
        "expires_at": (now + PUSH_TTL).isoformat(),
        "url": WEEK_URL,
    }


def _claim(session: Session, user_id: uuid.UUID, instant: datetime) -> bool:
    """Marks the review as sent; False when another worker (or an earlier pass) did."""
    result = session.execute(
        update(WeekAheadSettings)
        .where(
            WeekAheadSettings.user_id == user_id,
            (WeekAheadSettings.last_review_at.is_(None))
            | (WeekAheadSettings.last_review_at < instant),
        )
        .values(last_review_at=instant)
    )
    return bool(getattr(result, "rowcount", 0))


async def _send(
    sender: PushSender, targets: list[PushTarget], payload: dict[str, Any]
) -> list[PushResult]:
    try:
        return list(
            await asyncio.gather(
                *(
                    sender.send(
                        t,
                        payload,
                        ttl_seconds=int(PUSH_TTL.total_seconds()),
                        topic=PUSH_TOPIC,
                        urgency="normal",
                    )
                    for t in targets
                )
            )
        )
    finally:
        await sender.aclose()


def send_review(runtime: Runtime, user_id: uuid.UUID) -> str:
    """One user's pass: "sent", "skipped" (stale), or "" (nothing due yet)."""
    now = runtime.clock.now()
    with runtime.session() as session:
        user = session.get(User, user_id)
        if user is None:
            return ""
        row = service.get_settings(session=session, user_id=user_id)
        due = review_due(session=session, user=user, row=row, now=now)
        if due is None or due[1] > now:
            return ""
        instant, when = due
        if session.get(WeekAheadSettings, user_id) is None:
            row.updated_at = now
            session.add(row)
            session.flush()
        if not _claim(session, user_id, instant):
            return ""
        if now - when > STALE_AFTER:
            return "skipped"
        targets = push_service.list_targets(session=session, user_id=user_id)
        view = week.compute_week(
            session=session,
            user=user,
            now=now,
            first_day=week.first_day_default(user, now),
        )
        payload = review_payload(view, now=now, base_url=runtime.settings.base_url)
        vapid = load_or_create_vapid(session=session, keyring=runtime.keyring, now=now)
        session.commit()  # the claim holds even if sending fails: one push per review
        sender = PushSender(
            vapid=vapid,
            subject=runtime.settings.vapid_subject,
            timeout=PUSH_TIMEOUT_SECONDS,
            clock=runtime.clock,
            allow_private_network=runtime.settings.allow_private_network,
        )
        results = asyncio.run(_send(sender, targets, payload)) if targets else []
        for target, result in zip(targets, results, strict=True):
            push_service.record_result(
                session=session,
                subscription_id=target.subscription_id,
                result=result,
                now=runtime.clock.now(),
            )
    return "sent"


def _open_reviews(session: Session, now: datetime) -> list[uuid.UUID]:
    """Users with a device whose latest review instant is not yet claimed.

    The job runs every minute for every user with a device, so a pass is one query for the
    few columns the weekday arithmetic needs (no ORM objects, no default row built per user),
    and each distinct (weekday, time, zone) gets its instant computed once."""
    rows = session.execute(
        select(
            User.id,
            User.timezone,
            User.created_at,
            WeekAheadSettings.user_id.label("stored"),
            WeekAheadSettings.enabled,
            WeekAheadSettings.weekday,
            WeekAheadSettings.at_time,
            WeekAheadSettings.last_review_at,
        )
        .outerjoin(WeekAheadSettings, WeekAheadSettings.user_id == User.id)
        .where(
            User.id.in_(select(PushSubscription.user_id).where(PushSubscription.gone_at.is_(None)))
        )
    ).all()
    instants: dict[tuple[int, time, str], datetime] = {}
    open_ids = []
    for row in rows:
        enabled, weekday, at_time = row.enabled, row.weekday, row.at_time
        if row.stored is None:  # never saved: the default setting
            enabled, weekday, at_time = True, service.DEFAULT_WEEKDAY, service.DEFAULT_TIME
        if not enabled:
            continue
        key = (weekday, at_time, row.timezone)
        instant = instants.get(key)
        if instant is None:
            setting = WeekAheadSettings(weekday=weekday, at_time=at_time)  # never stored
            instant = instants[key] = service.review_instant(setting, user_zone(row), now)
        if row.stored is None and instant < row.created_at:
            continue  # a review of a week that began before the account existed
        if row.last_review_at is None or row.last_review_at < instant:
            open_ids.append(row.id)
    return sorted(open_ids)


def send_due_reviews(runtime: Runtime) -> int:
    """Every user with a device gets their review when it is due; returns how many were sent.
    One user's error never stops the rest."""
    with runtime.session() as session:
        user_ids = _open_reviews(session, runtime.clock.now())
    sent = 0
    for user_id in user_ids:
        try:
            sent += send_review(runtime, user_id) == "sent"
        except Exception as exc:
            log.warning("week-ahead review failed for a user: %s", type(exc).__name__)
    return sent


def sync_all_writes(runtime: Runtime) -> int:
    """The write-back pass (and forgetting holds past ``service.KEEP_PAST_HOLDS``)."""
    try:
        with runtime.session() as session:
            service.forget_old_holds(session=session, now=runtime.clock.now())
            return writeback.sync_writes(
                session=session,
                keyring=runtime.keyring,
                allow_private_network=runtime.settings.allow_private_network,
                now=runtime.clock.now(),
            )
    except Exception as exc:
        log.warning("held-time write-back pass failed: %s", type(exc).__name__)
        return 0


def register(scheduler: BaseScheduler, runtime: Runtime) -> None:
    now = runtime.clock.now()
    for job_id, func in ((REVIEW_JOB_ID, send_due_reviews), (WRITEBACK_JOB_ID, sync_all_writes)):
        scheduler.add_job(
            func,
            "interval",
            args=[runtime],
            seconds=int(INTERVAL.total_seconds()),
            next_run_time=now + timedelta(seconds=15),
            id=job_id,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )
