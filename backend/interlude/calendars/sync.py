"""Running syncs: leases, so several workers (and "sync now") never sync one source at once.

A sync is three short steps, none holding a transaction across the network:
claim the lease (commit) -> gather (fetch + parse, no database) -> apply and release (commit).
A crashed worker's lease simply expires.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from interlude.accounts.models import User
from interlude.calendars import service
from interlude.calendars.fetch import FetchLimits
from interlude.calendars.models import CalendarSource
from interlude.calendars.parse_process import ParseBudget
from interlude.calendars.sources import gather
from interlude.core.db import is_postgres
from interlude.core.runtime import Runtime

log = logging.getLogger("interlude.calendars")

LEASE = timedelta(minutes=5)
PERIODIC_KINDS = ("ics_url", "caldav", "sample")
# "Freshen" (the app open on Today) checks a source only when its last check is older.
FRESH_FOR = timedelta(minutes=1)


class AlreadySyncing(Exception):
    pass


def claim(
    runtime: Runtime, source_id: uuid.UUID, *, owner: str, now: datetime, due: bool = False
) -> bool:
    """Take the lease on one source (conditional UPDATE: works the same on both backends).
    ``due``: only if it is (still) due, for a worker that listed it a moment ago: another
    worker may have synced it in between, and released the lease with a later due time."""
    conditions = [
        CalendarSource.id == source_id,
        or_(CalendarSource.lease_until.is_(None), CalendarSource.lease_until < now),
    ]
    if due:
        conditions.append(CalendarSource.next_sync_at <= now)
    with runtime.session() as session:
        claimed = session.execute(
            update(CalendarSource)
            .where(*conditions)
            .values(lease_owner=owner, lease_until=now + LEASE, status="syncing")
            .execution_options(synchronize_session=False)
        )
        return bool(claimed.rowcount)  # type: ignore[attr-defined]


def claim_due(runtime: Runtime, *, owner: str, now: datetime, limit: int) -> list[uuid.UUID]:
    """Lease up to ``limit`` sources whose next sync is due."""
    due = (
        select(CalendarSource.id)
        .where(
            CalendarSource.kind.in_(PERIODIC_KINDS),
            CalendarSource.next_sync_at <= now,
            or_(CalendarSource.lease_until.is_(None), CalendarSource.lease_until < now),
        )
        .order_by(CalendarSource.next_sync_at)
        .limit(limit)
    )
    with runtime.session() as session:
        if is_postgres(session):
            ids = list(session.scalars(due.with_for_update(skip_locked=True)))
            if ids:
                session.execute(
                    update(CalendarSource)
                    .where(CalendarSource.id.in_(ids))
                    .values(lease_owner=owner, lease_until=now + LEASE, status="syncing")
                    .execution_options(synchronize_session=False)
                )
            return ids
        candidates = list(session.scalars(due))
    return [sid for sid in candidates if claim(runtime, sid, owner=owner, now=now, due=True)]


def sync_claimed(
    runtime: Runtime,
    source_id: uuid.UUID,
    *,
    owner: str,
    now: datetime,
    limits: FetchLimits | None = None,
) -> service.SyncResult | None:
    """Sync a source this owner holds the lease on; releases the lease."""
    settings = runtime.settings
    with runtime.session() as session:
        source = session.get(CalendarSource, source_id)
        if source is None or source.lease_owner != owner:
            return None
        user = session.get(User, source.user_id)
        assert user is not None
        snap = service.snapshot(source, keyring=runtime.keyring, zone=service.user_zone(user))
    outcome = gather(
        snap,
        now=now,
        past_days=settings.sync_past_days,
        future_days=settings.sync_future_days,
        allow_private_network=settings.allow_private_network,
        identity_key=runtime.keyring.identity_key,
        budget=ParseBudget.from_settings(settings),
        limits=limits,
    )
    with runtime.session() as session:
        source = session.get(CalendarSource, source_id, with_for_update=is_postgres(session))
        if source is None or source.lease_owner != owner:
            return None  # deleted meanwhile, or the lease expired and someone else took it
        result = service.apply_outcome(
            session=session,
            source=source,
            outcome=outcome,
            keyring=runtime.keyring,
            settings=settings,
            now=now,
        )
    if result.error:
        log.info("calendar %s sync failed (%d in a row)", source_id, source.consecutive_failures)
    return result


def sync_now(
    runtime: Runtime,
    source_id: uuid.UUID,
    *,
    now: datetime,
    limits: FetchLimits | None = None,
) -> service.SyncResult:
    owner = f"api-{uuid.uuid4().hex[:12]}"
    if not claim(runtime, source_id, owner=owner, now=now):
        raise AlreadySyncing()
    result = sync_claimed(runtime, source_id, owner=owner, now=now, limits=limits)
    if result is None:
        raise AlreadySyncing()
    return result


def run_due_syncs(
    runtime: Runtime,
    *,
    now: datetime,
    owner: str,
    limit: int = 200,
    map_fn: Callable[..., object] | None = None,
    limits: FetchLimits | None = None,
) -> int:
    """One worker tick: claim due sources and sync them. Returns how many were synced."""
    ids = claim_due(runtime, owner=owner, now=now, limit=limit)

    def one(source_id: uuid.UUID) -> None:
        try:
            sync_claimed(runtime, source_id, owner=owner, now=now, limits=limits)
        except Exception as exc:  # one source must not stop the others
            log.warning("calendar %s sync crashed: %s", source_id, type(exc).__name__)

    if map_fn is None:
        for source_id in ids:
            one(source_id)
    else:
        list(map_fn(one, ids))  # type: ignore[call-overload]
    return len(ids)


@dataclass(frozen=True)
class Freshness:
    checked_at: datetime | None  # the oldest last successful check of the user's calendars
    checked: int  # calendars checked by this call
    changed: bool  # whether any of them changed the appointments

    def as_json(self) -> dict[str, object]:
        return {"checked_at": self.checked_at, "checked": self.checked, "changed": self.changed}


def _wants_check(source: CalendarSource, now: datetime) -> bool:
    if source.last_attempt_at is not None and now - source.last_attempt_at < FRESH_FOR:
        return False  # checked (or tried) within the minute: already fresh, no work
    # A failing source keeps its backoff (and a server's Retry-After): the app being open is
    # no reason to knock sooner.
    backing_off = source.consecutive_failures > 0 and source.next_sync_at is not None
    return not (backing_off and source.next_sync_at > now)  # type: ignore[operator]


def freshen(
    runtime: Runtime,
    user_id: uuid.UUID,
    *,
    now: datetime,
    limits: FetchLimits | None = None,
) -> Freshness:
    """Check the user's periodic calendars whose last check is older than FRESH_FOR.

    This is its own per-user rate limit: however many tabs or phones ask, each calendar is
    checked at most once a minute (and never while a sync of it is running: the lease), and a
    request within the minute is answered "fresh" from the database without any work. An
    unchanged feed answers 304 (or an unchanged CalDAV sync token): no parse, no re-plan."""
    with runtime.session() as session:
        sources = list(
            session.scalars(
                select(CalendarSource).where(
                    CalendarSource.user_id == user_id, CalendarSource.kind.in_(PERIODIC_KINDS)
                )
            )
        )
        wanted = [s.id for s in sources if _wants_check(s, now)]
    owner = f"fresh-{uuid.uuid4().hex[:12]}"
    checked, changed = 0, False
    for source_id in wanted:
        if not claim(runtime, source_id, owner=owner, now=now):
            continue  # being synced right now by the worker or another request
        result = sync_claimed(runtime, source_id, owner=owner, now=now, limits=limits)
        if result is not None:
            checked += 1
            changed = changed or result.changed_anything
    with runtime.session() as session:
        times = list(
            session.scalars(
                select(CalendarSource.last_synced_at).where(
                    CalendarSource.user_id == user_id, CalendarSource.kind.in_(PERIODIC_KINDS)
                )
            )
        )
    known = [t for t in times if t is not None]
    return Freshness(checked_at=min(known) if known else None, checked=checked, changed=changed)
