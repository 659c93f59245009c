"""Reading a source's events: the network and parsing half of a sync, with no database.

``gather`` takes a plain snapshot of the source's settings (decrypted secrets, validators)
and returns what was read, or the error to record; it never raises for feed problems.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from interlude.calendars import classify
from interlude.calendars.fetch import FetchError, FetchLimits, Throttled, fetch_feed
from interlude.calendars.parse import (
    BusyRead,
    CalendarParseError,
    Window,
    decode,
    identify,
    read_calendars,
)
from interlude.calendars.parse_process import ParseBudget, read_isolated
from interlude.calendars.sample import sample_ics
from interlude.core.security import keyed_identity_hash

log = logging.getLogger("interlude.calendars")

# Expand a day beyond the configured horizon, so an unchanged feed needs a full re-read
# (to extend the horizon) about once a day rather than on every sync.
HORIZON_SLACK = timedelta(days=1)
UPLOAD_FUTURE_DAYS = 366


@dataclass
class SourceSnapshot:
    kind: str
    zone: ZoneInfo
    rule: dict[str, Any]
    url: str | None = None
    username: str | None = None
    password: str | None = None
    calendar: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    ctag: str | None = None
    sync_token: str | None = None
    expanded_until: datetime | None = None
    expanded_zone: str | None = None


@dataclass
class Outcome:
    window: Window
    read: BusyRead | None = None  # None: unchanged since the last sync, nothing re-read
    error: str | None = None
    validators: dict[str, str | None] = field(default_factory=dict)
    # The server asked to slow down (429/503): back off, at least ``retry_after`` seconds.
    throttled: bool = False
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def horizon(*, now: datetime, past_days: int, future_days: int, zone: ZoneInfo) -> Window:
    return Window(
        start=now - timedelta(days=past_days),
        end=now + timedelta(days=future_days) + HORIZON_SLACK,
        zone=zone,
    )


def gather(
    snapshot: SourceSnapshot,
    *,
    now: datetime,
    past_days: int,
    future_days: int,
    allow_private_network: bool,
    identity_key: bytes,
    budget: ParseBudget,
    limits: FetchLimits | None = None,
    upload: bytes | None = None,
) -> Outcome:
    """``identity_key`` hashes UIDs inside the parse process; ``budget`` bounds that process."""
    window = horizon(now=now, past_days=past_days, future_days=future_days, zone=snapshot.zone)
    rule = classify.Rule.from_json(snapshot.rule)
    reader = _Reader(window, rule, identity_key, budget)
    covered = (
        snapshot.expanded_until is not None
        and snapshot.expanded_until >= now + timedelta(days=future_days)
        and snapshot.expanded_zone == snapshot.zone.key
    )
    try:
        if snapshot.kind == "upload":
            if upload is None:
                return Outcome(window, error=None, read=None)  # nothing to re-read
            window = Window(window.start, now + timedelta(days=UPLOAD_FUTURE_DAYS), window.zone)
            reader = _Reader(window, rule, identity_key, budget)
            return Outcome(window, read=reader.read([decode(upload)]))
        if snapshot.kind == "sample":
            # Interlude's own text: read in this process, no budget needed.
            text = sample_ics(now=now, zone=snapshot.zone)
            result = read_calendars([text], window=window, rule=rule)
            return Outcome(window, read=identify(result, reader.identity_hash))
        if snapshot.kind == "caldav":
            return _gather_caldav(snapshot, window, reader, covered, allow_private_network)
        return _gather_feed(snapshot, window, reader, covered, allow_private_network, limits)
    except Throttled as exc:
        return Outcome(window, error=exc.message, throttled=True, retry_after=exc.retry_after)
    except (FetchError, CalendarParseError) as exc:
        return Outcome(window, error=exc.message)
    except Exception as exc:  # never let one hostile feed break the sync loop
        log.warning("calendar read failed unexpectedly: %s", type(exc).__name__)
        return Outcome(window, error="Interlude could not read this calendar.")


@dataclass(frozen=True)
class _Reader:
    window: Window
    rule: classify.Rule
    identity_key: bytes
    budget: ParseBudget

    def read(self, texts: list[str]) -> BusyRead:
        return read_isolated(
            texts,
            window=self.window,
            rule=self.rule,
            identity_key=self.identity_key,
            budget=self.budget,
        )

    @property
    def identity_hash(self) -> functools.partial[str]:
        return functools.partial(keyed_identity_hash, self.identity_key)


def _gather_feed(
    snapshot: SourceSnapshot,
    window: Window,
    reader: _Reader,
    covered: bool,
    allow_private: bool,
    limits: FetchLimits | None,
) -> Outcome:
    assert snapshot.url is not None
    fetched = fetch_feed(
        snapshot.url,
        allow_private_network=allow_private,
        etag=snapshot.etag if covered else None,
        last_modified=snapshot.last_modified if covered else None,
        limits=limits,
    )
    if fetched.not_modified:
        return Outcome(window, read=None)
    validators = {
        "etag": fetched.etag,
        "last_modified": fetched.last_modified,
        "body_hash": fetched.body_hash,
    }
    if covered and fetched.body_hash == snapshot.body_hash:
        return Outcome(window, read=None, validators=validators)
    assert fetched.body is not None
    return Outcome(window, read=reader.read([decode(fetched.body)]), validators=validators)


def _gather_caldav(
    snapshot: SourceSnapshot,
    window: Window,
    reader: _Reader,
    covered: bool,
    allow_private: bool,
) -> Outcome:
    assert snapshot.url is not None and snapshot.username is not None
    # caldav, niquests and lxml (~14 MB) load only when a CalDAV source is read: a process
    # with none (``interlude run`` for most therapists) never holds them (issue 16).
    from interlude.calendars import caldav_source

    try:
        fetched = caldav_source.fetch_events(
            url=snapshot.url,
            username=snapshot.username,
            password=snapshot.password or "",
            calendar=snapshot.calendar,
            start=window.start,
            end=window.end,
            known_token=snapshot.sync_token if covered else None,
            allow_private_network=allow_private,
        )
    except caldav_source.CaldavThrottled as exc:
        return Outcome(window, error=exc.message, throttled=True, retry_after=exc.retry_after)
    except caldav_source.CaldavError as exc:
        return Outcome(window, error=exc.message)
    validators: dict[str, str | None] = {"sync_token": fetched.ctag, "ctag": None}
    if fetched.texts is None:
        return Outcome(window, read=None, validators=validators)
    if not fetched.texts:
        return Outcome(window, read=BusyRead(), validators=validators)
    return Outcome(window, read=reader.read(fetched.texts), validators=validators)
