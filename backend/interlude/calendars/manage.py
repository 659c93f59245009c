"""Creating and changing sources: validate, read once, then store (secrets encrypted)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from interlude.accounts.models import User
from interlude.calendars import service
from interlude.calendars.fetch import FetchError, FetchLimits, normalize_feed_url
from interlude.calendars.models import CalendarSource
from interlude.calendars.parse_process import ParseBudget
from interlude.calendars.schemas import CalendarCreate, CalendarUpdate, ClassificationRule
from interlude.calendars.sources import Outcome, SourceSnapshot, gather
from interlude.core.errors import AppError, BadRequest, Unprocessable
from interlude.core.security import Keyring
from interlude.core.settings import Settings
from interlude.core.timezones import user_zone

REQUEST_QUEUE_SECONDS = 5.0
_DEFAULT_NAMES = {
    "ics_url": "Calendar feed",
    "caldav": "CalDAV calendar",
    "upload": "Uploaded calendar",
    "sample": "Sample calendar",
}


class CalendarUnreadable(AppError):
    status_code = 422
    code = "calendar_unreadable"


def _normalize(url: str, settings: Settings) -> str:
    try:
        return normalize_feed_url(url, allow_private_network=settings.allow_private_network)
    except FetchError as exc:
        raise BadRequest(exc.message, code="bad_calendar_url") from None


@dataclass(frozen=True)
class NewSource:
    """What a new source is made of: from POST /calendars or from an upload."""

    kind: str
    name: str | None
    rule: dict[str, Any]
    url: str | None = None
    username: str | None = None
    password: str | None = None
    calendar: str | None = None

    @classmethod
    def from_create(cls, data: CalendarCreate) -> NewSource:
        return cls(
            kind=data.kind,
            name=data.name,
            rule=data.rule.model_dump(),
            url=data.url,
            username=data.username,
            password=data.password,
            calendar=data.calendar,
        )

    @classmethod
    def upload(cls, name: str | None, rule: ClassificationRule | None = None) -> NewSource:
        return cls(kind="upload", name=name, rule=(rule or ClassificationRule()).model_dump())


@dataclass(frozen=True)
class ReadSource:
    """A new source's first read, done with no database session held."""

    spec: NewSource
    url: str | None
    outcome: Outcome


def read_new_source(
    *,
    user: User,
    spec: NewSource,
    keyring: Keyring,
    settings: Settings,
    now: datetime,
    upload: bytes | None = None,
    limits: FetchLimits | None = None,
) -> ReadSource:
    """Fetch and parse a new calendar; raises ``CalendarUnreadable`` with the reason.

    Takes no database session: a slow feed holds a thread, never a connection or one of the
    request-session places (calendars/router.py)."""
    url = (
        _normalize(spec.url, settings) if spec.url and spec.kind in ("ics_url", "caldav") else None
    )
    snap = SourceSnapshot(
        kind=spec.kind,
        zone=user_zone(user),
        rule=spec.rule,
        url=url,
        username=spec.username,
        password=spec.password,
        calendar=spec.calendar,
    )
    outcome = gather(
        snap,
        now=now,
        past_days=settings.sync_past_days,
        future_days=settings.sync_future_days,
        allow_private_network=settings.allow_private_network,
        identity_key=keyring.identity_key,
        # The user is waiting for the answer: a busy parse pool is a "try again", not a queue.
        budget=ParseBudget.from_settings(settings, queue_seconds=REQUEST_QUEUE_SECONDS),
        limits=limits,
        upload=upload,
    )
    if not outcome.ok:
        raise CalendarUnreadable(outcome.error or "Interlude could not read this calendar.")
    return ReadSource(spec=spec, url=url, outcome=outcome)


def store_new_source(
    *,
    session: Session,
    user_id: uuid.UUID,
    read: ReadSource,
    keyring: Keyring,
    settings: Settings,
    now: datetime,
) -> tuple[CalendarSource, service.SyncResult]:
    """Store a source read by ``read_new_source``, with its appointments."""
    spec, url = read.spec, read.url
    source = CalendarSource(
        user_id=user_id,
        kind=spec.kind,
        name=spec.name or _DEFAULT_NAMES[spec.kind],
        url_encrypted=keyring.encrypt(url) if url else None,
        username_encrypted=keyring.encrypt(spec.username) if spec.username else None,
        password_encrypted=keyring.encrypt(spec.password) if spec.password else None,
        caldav_calendar=spec.calendar,
        rule=spec.rule,
        status="pending",
        warnings=[],
        consecutive_failures=0,
        appointment_count=0,
        session_count=0,
        created_at=now,
        updated_at=now,
    )
    session.add(source)
    session.flush()
    result = service.apply_outcome(
        session=session,
        source=source,
        outcome=read.outcome,
        keyring=keyring,
        settings=settings,
        now=now,
    )
    return source, result


def update_source(
    *,
    session: Session,
    user: User,
    source: CalendarSource,
    data: CalendarUpdate,
    keyring: Keyring,
    settings: Settings,
    now: datetime,
) -> CalendarSource:
    """Changes to where or how a calendar is read take effect at its next sync (due now)."""
    fields = data.model_fields_set
    reread = False
    if "name" in fields and data.name:
        source.name = data.name
    if "url" in fields and data.url:
        if source.kind not in ("ics_url", "caldav"):
            raise BadRequest("Only feed and CalDAV calendars have an address.")
        source.url_encrypted = keyring.encrypt(_normalize(data.url, settings))
        reread = True
    for name in ("username", "password"):
        if name in fields and getattr(data, name) is not None:
            if source.kind != "caldav":
                raise BadRequest(f"Only CalDAV calendars have a {name}.")
            setattr(source, f"{name}_encrypted", keyring.encrypt(getattr(data, name)))
            reread = True
    if "calendar" in fields and data.calendar is not None:
        if source.kind != "caldav":
            raise BadRequest("Only CalDAV calendars have a calendar path.")
        source.caldav_calendar = data.calendar
        reread = True
    if "rule" in fields and data.rule is not None:
        if source.kind == "upload":
            raise Unprocessable(
                "An uploaded file is not kept, so its rule cannot change: upload it again."
            )
        source.rule = data.rule.model_dump()
        reread = True
    if reread:
        source.etag = source.last_modified = source.body_hash = source.ctag = None
        source.sync_token = None
        source.expanded_until = None
        source.next_sync_at = now
        source.status = "pending"
    source.updated_at = now
    session.flush()
    return source


def discover_caldav(
    *, url: str, username: str, password: str, settings: Settings
) -> list[tuple[str, str]]:
    # caldav and niquests load only when someone adds a CalDAV source (see sources.py).
    from interlude.calendars import caldav_source

    try:
        return caldav_source.discover(
            url=url,
            username=username,
            password=password,
            allow_private_network=settings.allow_private_network,
        )
    except caldav_source.CaldavError as exc:
        raise CalendarUnreadable(exc.message) from None
