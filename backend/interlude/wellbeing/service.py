"""Check-ins, weekly reviews, settings and mutes: the wellbeing domain's stored records.

Functions take a keyword-only ``session`` and never commit; free text goes through
``keyring.encrypt()`` on the way in and ``keyring.decrypt()`` on the way out.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from interlude.accounts.models import User
from interlude.core.db import get_or_create
from interlude.core.errors import Conflict, NotFound, Unprocessable
from interlude.core.security import Keyring
from interlude.core.timezones import local_date, local_midnight, user_zone, week_start
from interlude.wellbeing import commitments as commitment_rules
from interlude.wellbeing.models import CheckIn, WeeklyReview, WellbeingSettings
from interlude.wellbeing.schemas import (
    DEFAULT_EMOTION_WORDS,
    CheckInCreate,
    CheckInRead,
    CheckInUpdate,
    SettingsRead,
    SettingsUpdate,
    WeeklyReviewCreate,
    WeeklyReviewRead,
    WeeklyReviewUpdate,
)

DEFAULT_CASELOAD_LIMIT = 25
FUTURE_TOLERANCE = timedelta(minutes=5)
BACKFILL_LIMIT = timedelta(days=366)


def local_today(user: User, now: datetime) -> date:
    return local_date(now, user_zone(user))


def encrypt_optional(keyring: Keyring, value: str | None) -> str | None:
    return keyring.encrypt(value) if value else None


def decrypt_optional(keyring: Keyring, value: str | None) -> str | None:
    return keyring.decrypt(value) if value else None


# --- settings ----------------------------------------------------------------------------


def get_settings(*, session: Session, user_id: uuid.UUID, now: datetime) -> WellbeingSettings:
    return get_or_create(
        session,
        WellbeingSettings,
        user_id,
        {
            "user_id": user_id,
            "weekly_caseload_limit": DEFAULT_CASELOAD_LIMIT,
            "muted_signals": {},
            "emotion_words": list(DEFAULT_EMOTION_WORDS),
            "updated_at": now,
        },
    )


def active_mutes(row: WellbeingSettings, today: date) -> dict[str, date | None]:
    """Mutes still in force on ``today``: {code: last muted day + 1, or None = until undone}."""
    found: dict[str, date | None] = {}
    for code, until in (row.muted_signals or {}).items():
        ends = date.fromisoformat(until) if until else None
        if ends is None or today < ends:
            found[code] = ends
    return found


def settings_read(row: WellbeingSettings, today: date) -> SettingsRead:
    return SettingsRead(
        weekly_caseload_limit=row.weekly_caseload_limit,
        emotion_words=list(row.emotion_words or DEFAULT_EMOTION_WORDS),
        muted_signals=active_mutes(row, today),
    )


def update_settings(
    *, session: Session, user_id: uuid.UUID, data: SettingsUpdate, now: datetime
) -> WellbeingSettings:
    row = get_settings(session=session, user_id=user_id, now=now)
    if data.weekly_caseload_limit is not None:
        row.weekly_caseload_limit = data.weekly_caseload_limit
    if data.emotion_words is not None:
        row.emotion_words = list(dict.fromkeys(data.emotion_words))
    row.updated_at = now
    return row


def mute_signal(
    *, session: Session, user: User, code: str, days: int | None, now: datetime
) -> WellbeingSettings:
    row = get_settings(session=session, user_id=user.id, now=now)
    until = local_today(user, now) + timedelta(days=days) if days else None
    row.muted_signals = {**(row.muted_signals or {}), code: until.isoformat() if until else None}
    row.updated_at = now
    return row


def unmute_signal(*, session: Session, user: User, code: str, now: datetime) -> WellbeingSettings:
    row = get_settings(session=session, user_id=user.id, now=now)
    row.muted_signals = {k: v for k, v in (row.muted_signals or {}).items() if k != code}
    row.updated_at = now
    return row


# --- check-ins ---------------------------------------------------------------------------


def _check_instant(at: datetime, now: datetime) -> datetime:
    if at.tzinfo is None:
        raise Unprocessable("at: give a time zone offset, e.g. 2026-11-23T18:00:00-05:00.")
    try:
        at = at.astimezone(UTC)
    except OverflowError as exc:
        raise Unprocessable("at: give a date and time from the last year.") from exc
    if at > now + FUTURE_TOLERANCE:
        raise Unprocessable("at: a check-in cannot be in the future.")
    if at < now - BACKFILL_LIMIT:
        raise Unprocessable("at: a check-in can be backdated by up to a year.")
    return at


def create_checkin(
    *, session: Session, user: User, data: CheckInCreate, keyring: Keyring, now: datetime
) -> CheckIn:
    at = _check_instant(data.at, now) if data.at else now
    row = CheckIn(
        user_id=user.id,
        at=at,
        local_date=local_date(at, user_zone(user)),
        timezone=user.timezone,
        energy=data.energy,
        emotions=list(data.emotions),
        sleep_quality=data.sleep_quality,
        moved=data.moved,
        connected=data.connected,
        insight_encrypted=encrypt_optional(keyring, data.insight),
        gratitude_encrypted=encrypt_optional(keyring, data.gratitude),
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def get_checkin(*, session: Session, user_id: uuid.UUID, checkin_id: uuid.UUID) -> CheckIn:
    row = session.get(CheckIn, checkin_id)
    if row is None or row.user_id != user_id:
        raise NotFound("No such check-in.")
    return row


def list_checkins(
    *,
    session: Session,
    user_id: uuid.UUID,
    start: date | None = None,
    end: date | None = None,
    limit: int = 100,
) -> list[CheckIn]:
    query = select(CheckIn).where(CheckIn.user_id == user_id)
    if start is not None:
        query = query.where(CheckIn.local_date >= start)
    if end is not None:
        query = query.where(CheckIn.local_date <= end)
    return list(session.scalars(query.order_by(CheckIn.at.desc()).limit(limit)))


def update_checkin(
    *,
    session: Session,
    user: User,
    checkin_id: uuid.UUID,
    data: CheckInUpdate,
    keyring: Keyring,
    now: datetime,
) -> CheckIn:
    row = get_checkin(session=session, user_id=user.id, checkin_id=checkin_id)
    sent = data.model_fields_set
    for name in ("energy", "sleep_quality", "moved", "connected"):
        if name in sent:
            value = getattr(data, name)
            if name == "energy" and value is None:
                raise Unprocessable("energy: give a number from 1 to 10.")
            setattr(row, name, value)
    if "emotions" in sent:
        row.emotions = list(data.emotions or [])
    if "insight" in sent:
        row.insight_encrypted = encrypt_optional(keyring, data.insight)
    if "gratitude" in sent:
        row.gratitude_encrypted = encrypt_optional(keyring, data.gratitude)
    if "at" in sent:
        if data.at is None:
            raise Unprocessable("at: give a date and time, or leave it out.")
        row.at = _check_instant(data.at, now)
        row.timezone = user.timezone
        row.local_date = local_date(row.at, user_zone(user))
    row.updated_at = now
    session.flush()
    return row


def checkin_read(row: CheckIn, keyring: Keyring) -> CheckInRead:
    return CheckInRead(
        id=row.id,
        at=row.at,
        local_date=row.local_date,
        timezone=row.timezone,
        energy=row.energy,
        emotions=list(row.emotions or []),
        sleep_quality=row.sleep_quality,
        moved=row.moved,
        connected=row.connected,
        insight=decrypt_optional(keyring, row.insight_encrypted),
        gratitude=decrypt_optional(keyring, row.gratitude_encrypted),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


# --- weekly reviews ----------------------------------------------------------------------


def create_review(
    *, session: Session, user: User, data: WeeklyReviewCreate, keyring: Keyring, now: datetime
) -> WeeklyReview:
    today = local_today(user, now)
    week = week_start(data.week_start or today)
    if week > week_start(today):
        raise Unprocessable("week_start: you can review this week or an earlier one.")
    existing = session.scalar(
        select(WeeklyReview).where(WeeklyReview.user_id == user.id, WeeklyReview.week_start == week)
    )
    if existing is not None:
        raise Conflict(
            f"You already reviewed the week of {week.isoformat()}: edit that review instead.",
            code="review_exists",
            details={"id": str(existing.id)},
        )
    row = WeeklyReview(
        user_id=user.id,
        week_start=week,
        warning_signs=list(data.warning_signs),
        commitments_kept=data.commitments_kept.model_dump(),
        fulfillment_encrypted=encrypt_optional(keyring, data.fulfillment),
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def get_review(*, session: Session, user_id: uuid.UUID, review_id: uuid.UUID) -> WeeklyReview:
    row = session.get(WeeklyReview, review_id)
    if row is None or row.user_id != user_id:
        raise NotFound("No such weekly review.")
    return row


def list_reviews(
    *, session: Session, user_id: uuid.UUID, start: date | None = None, end: date | None = None
) -> list[WeeklyReview]:
    query = select(WeeklyReview).where(WeeklyReview.user_id == user_id)
    if start is not None:
        query = query.where(WeeklyReview.week_start >= week_start(start))
    if end is not None:
        query = query.where(WeeklyReview.week_start <= end)
    return list(session.scalars(query.order_by(WeeklyReview.week_start.desc())))


def update_review(
    *,
    session: Session,
    user_id: uuid.UUID,
    review_id: uuid.UUID,
    data: WeeklyReviewUpdate,
    keyring: Keyring,
    now: datetime,
) -> WeeklyReview:
    row = get_review(session=session, user_id=user_id, review_id=review_id)
    sent = data.model_fields_set
    if "warning_signs" in sent:
        row.warning_signs = list(data.warning_signs or [])
    if "commitments_kept" in sent and data.commitments_kept is not None:
        row.commitments_kept = data.commitments_kept.model_dump()
    if "fulfillment" in sent:
        row.fulfillment_encrypted = encrypt_optional(keyring, data.fulfillment)
    row.updated_at = now
    session.flush()
    return row


def planned_commitments(*, session: Session, user: User, week: date) -> dict[str, int]:
    """How many supervision / peer / therapy occurrences the user's commitments put in
    the week starting on ``week`` (local Monday)."""
    zone = user_zone(user)
    start = local_midnight(week, zone)
    end = local_midnight(week + timedelta(days=7), zone)
    rules = commitment_rules.active_rules(session=session, user_id=user.id)
    found = commitment_rules.occurrences(rules, start=start, end=end, zone=zone)
    return commitment_rules.count_by_kind(found)


def review_read(
    row: WeeklyReview, keyring: Keyring, *, planned: dict[str, int]
) -> WeeklyReviewRead:
    kept: dict[str, Any] = dict.fromkeys(commitment_rules.KINDS, 0)
    kept.update(row.commitments_kept or {})
    return WeeklyReviewRead(
        id=row.id,
        week_start=row.week_start,
        warning_signs=list(row.warning_signs or []),
        warning_sign_count=len(row.warning_signs or []),
        commitments_planned=planned,
        commitments_kept=kept,
        fulfillment=decrypt_optional(keyring, row.fulfillment_encrypted),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
