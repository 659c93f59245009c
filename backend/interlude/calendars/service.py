"""Calendar sources and appointments: creating, syncing, reading, exporting.

A sync has two halves: ``sources.gather`` (network and parsing, no database) and
``apply_outcome`` (one short transaction). A failed read changes only the source's status:
the last good appointments stay. Within the sync window, a successful read replaces the
source's appointments atomically; appointments before the window are history and stay.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from interlude.accounts.models import User
from interlude.calendars.fetch import mask_url
from interlude.calendars.marks import occurrence_marks
from interlude.calendars.models import Appointment, CalendarSource, OccurrenceMark
from interlude.calendars.parse import Busy
from interlude.calendars.schemas import AppointmentRead, CalendarRead
from interlude.calendars.sources import Outcome, SourceSnapshot
from interlude.core import hooks
from interlude.core.errors import NotFound
from interlude.core.security import Keyring
from interlude.core.settings import Settings

# Re-exported for calendars/sync.py, which reads the user's zone through this module.
from interlude.core.timezones import user_zone as user_zone


@dataclass
class SyncResult:
    status: str
    added: int = 0
    changed: int = 0
    removed: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    unchanged: bool = False

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "counts": {"added": self.added, "changed": self.changed, "removed": self.removed},
            "warnings": self.warnings,
            "error": self.error,
            "unchanged": self.unchanged,
        }


def get_source(*, session: Session, user: User, source_id: uuid.UUID) -> CalendarSource:
    source = session.get(CalendarSource, source_id)
    if source is None or source.user_id != user.id:
        raise NotFound("No calendar with this id.")
    return source


def list_sources(*, session: Session, user: User) -> list[CalendarSource]:
    return list(
        session.scalars(
            select(CalendarSource)
            .where(CalendarSource.user_id == user.id)
            .order_by(CalendarSource.created_at, CalendarSource.id)
        )
    )


def snapshot(source: CalendarSource, *, keyring: Keyring, zone: ZoneInfo) -> SourceSnapshot:
    def secret(value: str | None) -> str | None:
        return keyring.decrypt(value) if value else None

    return SourceSnapshot(
        kind=source.kind,
        zone=zone,
        rule=dict(source.rule or {}),
        url=secret(source.url_encrypted),
        username=secret(source.username_encrypted),
        password=secret(source.password_encrypted),
        calendar=source.caldav_calendar,
        etag=source.etag,
        last_modified=source.last_modified,
        body_hash=source.body_hash,
        ctag=source.ctag,
        sync_token=source.sync_token,
        expanded_until=source.expanded_until,
        expanded_zone=source.expanded_zone,
    )


# The polling schedule (docs/calendars.md, "Freshness"; the reasoning in docs/decisions.md).
# A feed is polled every SYNC_INTERVAL_MINUTES (4 by default) at the slowest; one whose
# appointments changed recently more often. Each interval is shortened by a stable per-source
# fraction of up to 10 % (never lengthened), which spreads sources that were added together
# while keeping the ceiling a ceiling: with the worker's 30 s tick, a change reaches the plan
# within the interval + 30 s, whatever the feed's history.
RECENT_CHANGE = timedelta(days=1)
QUIET = timedelta(days=7)
MAX_BACKOFF = timedelta(hours=24)
_IDENTITY_BATCH = 500


def poll_interval(
    *, last_changed_at: datetime | None, created_at: datetime | None, ceiling: int, now: datetime
) -> timedelta:
    """How long after a successful check the source is checked again."""
    since = last_changed_at or created_at
    quiet_for = now - since if since is not None else QUIET
    if quiet_for < RECENT_CHANGE:
        factor = 0.5
    elif quiet_for < QUIET:
        factor = 0.75
    else:
        factor = 1.0
    return timedelta(minutes=ceiling) * factor


def _next_sync(source: CalendarSource, settings: Settings, now: datetime) -> datetime:
    interval = poll_interval(
        last_changed_at=source.last_changed_at,
        created_at=source.created_at,
        ceiling=settings.sync_interval_minutes,
        now=now,
    )
    spread = (source.id.int % 1000) / 10000 if source.id else 0.0  # 0 to 9.99 %
    return now + interval * (1 - spread)


def backoff(
    failures: int,
    interval_minutes: int,
    *,
    retry_after: float | None = None,
    rand: Callable[[], float] = random.random,
) -> timedelta:
    """After ``failures`` failed reads in a row: exponential from the interval, with jitter
    (half to the whole step, so feeds that failed together do not retry together), at most
    MAX_BACKOFF; never sooner than the server's Retry-After (itself capped at 24 hours)."""
    step = min(
        timedelta(minutes=interval_minutes) * (2 ** min(max(failures - 1, 0), 12)), MAX_BACKOFF
    )
    delay = step * (0.5 + rand() / 2)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=min(retry_after, MAX_BACKOFF.total_seconds())))
    return delay


def apply_outcome(
    *,
    session: Session,
    source: CalendarSource,
    outcome: Outcome,
    keyring: Keyring,
    settings: Settings,
    now: datetime,
) -> SyncResult:
    """Record a read's result on the source and, on success, its appointments."""
    source.last_attempt_at = now
    source.updated_at = now
    source.lease_owner = None
    source.lease_until = None
    periodic = source.kind in ("ics_url", "caldav", "sample")
    if not outcome.ok:
        source.status = "error"
        source.last_error = outcome.error
        source.consecutive_failures += 1
        if periodic:
            source.next_sync_at = now + backoff(
                source.consecutive_failures,
                settings.sync_interval_minutes,
                retry_after=outcome.retry_after,
            )
        return SyncResult(status="error", error=outcome.error, warnings=list(source.warnings))
    for name, value in outcome.validators.items():
        setattr(source, name, value)
    source.status = "ok"
    source.last_error = None
    source.consecutive_failures = 0
    source.last_synced_at = now  # the last successful check, a 304 included
    if outcome.read is None:
        source.next_sync_at = _next_sync(source, settings, now) if periodic else None
        return SyncResult(status="ok", unchanged=True, warnings=list(source.warnings))
    source.warnings = list(outcome.read.warnings)
    source.expanded_until = outcome.window.end
    source.expanded_zone = outcome.window.zone.key
    result = _replace_appointments(
        session=session,
        source=source,
        instances=outcome.read.busy,
        window_start=outcome.window.start,
        keyring=keyring,
    )
    result.warnings = list(source.warnings)
    if result.changed_anything:
        source.last_changed_at = now
    source.next_sync_at = _next_sync(source, settings, now) if periodic else None
    if result.changed_anything:
        hooks.schedule_changed(session=session, user_id=source.user_id, now=now)
    return result


def _replace_appointments(
    *,
    session: Session,
    source: CalendarSource,
    instances: list[Busy],
    window_start: datetime,
    keyring: Keyring,
) -> SyncResult:
    identities = [instance.identity for instance in instances]
    # The window's rows, and any older row an instance still names: a past session the client
    # moved into the future keeps its row (and its identity) instead of colliding with it.
    existing = {
        a.identity_hash: a
        for a in session.scalars(
            select(Appointment).where(
                Appointment.source_id == source.id, Appointment.start >= window_start
            )
        )
    }
    missing = [i for i in identities if i not in existing]
    for at in range(0, len(missing), _IDENTITY_BATCH):
        chunk = missing[at : at + _IDENTITY_BATCH]
        for older in session.scalars(
            select(Appointment).where(
                Appointment.source_id == source.id,
                Appointment.start < window_start,
                Appointment.identity_hash.in_(chunk),
            )
        ):
            existing[older.identity_hash] = older
    marks = occurrence_marks(session=session, source_id=source.id)
    seen: set[str] = set()
    result = SyncResult(status="ok")
    sessions = 0
    for instance in instances:
        identity = instance.identity  # keyed hash, computed where the feed was read
        seen.add(identity)
        kind = "session" if instance.session else "other"
        sessions += instance.session
        # The therapist's marks win over what the feed says, and follow the occurrence.
        telehealth = marks.get((identity, "telehealth"), instance.telehealth)
        intense = marks.get((identity, "intense"), False)
        notes_done = marks.get((identity, "notes_done"), False)
        ran_over = marks.get((identity, "ran_over"), False)
        row = existing.get(identity)
        if row is None:
            session.add(
                Appointment(
                    user_id=source.user_id,
                    source_id=source.id,
                    identity_hash=identity,
                    start=instance.start,
                    end=instance.end,
                    all_day=instance.all_day,
                    kind=kind,
                    telehealth=telehealth,
                    intense=intense,
                    notes_done=notes_done,
                    ran_over=ran_over,
                )
            )
            result.added += 1
            continue
        values = (instance.start, instance.end, instance.all_day, kind, telehealth, intense)
        if (row.start, row.end, row.all_day, row.kind, row.telehealth, row.intense) != values:
            row.start, row.end, row.all_day, row.kind, row.telehealth, row.intense = values
            result.changed += 1
        # Bookkeeping marks, not the feed's: they never count as a change (no re-plan).
        row.notes_done, row.ran_over = notes_done, ran_over
    stale = [row.id for identity, row in existing.items() if identity not in seen]
    if stale:
        session.execute(delete(Appointment).where(Appointment.id.in_(stale)))
        result.removed = len(stale)
    source.appointment_count = len(seen)
    source.session_count = sessions
    return result


def list_appointments(
    *, session: Session, user: User, start: datetime, end: datetime
) -> list[Appointment]:
    """The user's appointments overlapping [start, end), by start (then end, then id)."""
    return list(
        session.scalars(
            select(Appointment)
            .where(Appointment.user_id == user.id, Appointment.end > start, Appointment.start < end)
            .order_by(Appointment.start, Appointment.end, Appointment.id)
        )
    )


def delete_source(*, session: Session, user: User, source_id: uuid.UUID, now: datetime) -> None:
    source = get_source(session=session, user=user, source_id=source_id)
    had_appointments = source.appointment_count > 0
    session.execute(delete(Appointment).where(Appointment.source_id == source.id))
    session.delete(source)
    session.flush()
    if had_appointments:
        hooks.schedule_changed(session=session, user_id=user.id, now=now)


def source_json(source: CalendarSource, *, keyring: Keyring) -> dict[str, Any]:
    """The API's (and export's) view of a source: secrets masked or left out."""
    url = keyring.decrypt(source.url_encrypted) if source.url_encrypted else None
    username = keyring.decrypt(source.username_encrypted) if source.username_encrypted else None
    return {
        "id": source.id,
        "kind": source.kind,
        "name": source.name,
        "url": mask_url(url) if url else None,
        "username": username,
        "has_password": bool(source.password_encrypted),
        "calendar": source.caldav_calendar,
        "rule": source.rule,
        "status": source.status,
        "last_error": source.last_error,
        "warnings": list(source.warnings or []),
        "last_synced_at": source.last_synced_at,
        "last_attempt_at": source.last_attempt_at,
        "last_changed_at": source.last_changed_at,
        "next_sync_at": source.next_sync_at,
        "consecutive_failures": source.consecutive_failures,
        "appointment_count": source.appointment_count,
        "session_count": source.session_count,
        "created_at": source.created_at,
    }


def export(*, session: Session, user_id: uuid.UUID, keyring: Keyring) -> dict[str, Any]:
    """For GET /me/export: sources as the API shows them (no secrets), appointments and the
    marks set on occurrences."""
    sources = session.scalars(
        select(CalendarSource)
        .where(CalendarSource.user_id == user_id)
        .order_by(CalendarSource.created_at)
    )
    appointments = session.scalars(
        select(Appointment).where(Appointment.user_id == user_id).order_by(Appointment.start)
    )
    return {
        "sources": [
            CalendarRead.model_validate(source_json(s, keyring=keyring)).model_dump(mode="json")
            for s in sources
        ],
        "appointments": [
            AppointmentRead.model_validate(a).model_dump(mode="json") for a in appointments
        ],
        "occurrence_marks": [
            {
                "source_id": str(m.source_id),
                "mark": m.mark,
                "value": m.value,
                "updated_at": m.updated_at.isoformat(),
            }
            for m in session.scalars(
                select(OccurrenceMark)
                .where(OccurrenceMark.user_id == user_id)
                .order_by(OccurrenceMark.updated_at, OccurrenceMark.id)
            )
        ],
    }
