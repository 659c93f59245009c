"""Parsing and expanding calendars into busy instances, with text kept in memory only.

icalendar 7 parses, recurring-ical-events 3 expands (RRULE, RDATE, EXDATE, RECURRENCE-ID
overrides including THISANDFUTURE, DURATION) and x-wr-timezone applies X-WR-TIMEZONE.
Each series is expanded on its own so one broken series cannot take the calendar down:
an event whose start, end or override id cannot be read is skipped, and a series whose
rule cannot be expanded is shown once (its first instance), each with a warning that
names the event's position in the feed, never its text. Instances are capped per series
and per calendar. ``parse_process`` runs all of this in a process with a time and memory
budget; ``read_calendars`` is the in-process core.
"""

from __future__ import annotations

import calendar as gregorian
import logging
import signal
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from interlude.calendars import classify
from interlude.calendars.read_warnings import (
    MAX_INSTANCES_PER_CALENDAR,
    MAX_INSTANCES_PER_SERIES,
    Notes,
    format_notes,
    standard_name,
)
from interlude.calendars.tzfix import POSITION, preprocess

if TYPE_CHECKING:  # icalendar and recurring-ical-events load when a calendar is read
    from icalendar import Component
    from recurring_ical_events import Occurrence

log = logging.getLogger("interlude.calendars")

_HIGH_FREQUENCIES = {"SECONDLY": 1, "MINUTELY": 60}
_HIGH_FREQUENCY_SCAN = 100_000


_NOT_ICALENDAR = (
    "The file is not valid iCalendar (its structure is broken): export the calendar again "
    "as an .ics file."
)


class CalendarParseError(Exception):
    """The data is not a calendar at all; ``message`` is safe to show and store."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Instance:
    """One busy instance, already classified. ``uid`` stays in memory (it is hashed)."""

    uid: str
    recurrence_key: str
    start: datetime
    end: datetime
    all_day: bool
    session: bool
    telehealth: bool


@dataclass
class ReadResult:
    instances: list[Instance] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Busy:
    """One busy instance as it is stored: a keyed identity hash, times and flags only."""

    identity: str
    start: datetime
    end: datetime
    all_day: bool
    session: bool
    telehealth: bool


@dataclass
class BusyRead:
    """What a read hands to the database side (and all that leaves the parse process)."""

    busy: list[Busy] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    peak_memory_kb: int = 0  # the parse process's peak resident memory, when isolated


def identify(result: ReadResult, identity_hash: Callable[..., str]) -> BusyRead:
    """Replace each instance's UID by its keyed identity hash (UID + recurrence key)."""
    seen: set[str] = set()
    busy = []
    for instance in result.instances:
        identity = identity_hash(instance.uid, instance.recurrence_key)
        suffix = 1
        while identity in seen:  # the same UID twice in one feed: keep both, stably
            suffix += 1
            identity = identity_hash(instance.uid, instance.recurrence_key, str(suffix))
        seen.add(identity)
        busy.append(
            Busy(
                identity,
                instance.start,
                instance.end,
                instance.all_day,
                instance.session,
                instance.telehealth,
            )
        )
    return BusyRead(busy=busy, warnings=list(result.warnings))


class _SeriesTooSlow(BaseException):
    """Raised by the per-series alarm (BaseException: libraries' ``except Exception`` let it
    through)."""


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    zone: ZoneInfo


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def read_calendars(
    texts: Sequence[str],
    *,
    window: Window,
    rule: classify.Rule,
    skip_far_events: bool = True,
    series_seconds: float | None = None,
) -> ReadResult:
    """Parse one or more iCalendar documents (one feed, or one CalDAV calendar's objects).

    ``skip_far_events=False`` parses every event (the benchmark compares both).
    ``series_seconds`` bounds each series' expansion (main thread only: it uses SIGALRM,
    which the parse process can afford); a series over it is skipped with a warning."""
    notes = Notes()
    components: dict[str, list[Component]] = defaultdict(list)
    owner_emails = set(rule.owner_emails)
    for text in texts:
        if not text.strip():
            raise CalendarParseError("The calendar file is empty.")
        if _lone_event(text):  # some apps export one event without its calendar
            text = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{text.strip()}\r\nEND:VCALENDAR\r\n"
        if "BEGIN:VCALENDAR" not in text[:4096].upper():
            raise CalendarParseError(
                "This is not an iCalendar file (it does not start with BEGIN:VCALENDAR)."
            )
        if "END:VCALENDAR" not in text[-4096:].upper():
            # A cut-off download must never read as "fewer events": that would erase sessions.
            raise CalendarParseError(
                "The calendar file is incomplete: it ends before END:VCALENDAR."
            )
        calendar = _parse_one(text, window, notes, skip_far_events)
        name = str(calendar.get("X-WR-CALNAME", ""))
        if "@" in name and " " not in name:  # Google names the primary calendar by email
            owner_emails.add(name.lower())
        for event in calendar.walk("VEVENT"):
            position = _position(event)
            if not _readable(event, position, notes):
                continue
            uid = str(event.get("UID") or f"no-uid-{position}")
            components[uid].append(event)
    rule_with_owner = classify.Rule(**{**rule.__dict__, "owner_emails": frozenset(owner_emails)})
    result = ReadResult()
    for uid, group in components.items():
        if len(result.instances) >= MAX_INSTANCES_PER_CALENDAR:
            notes.add("calendar_cap")
            break
        budget = min(MAX_INSTANCES_PER_SERIES, MAX_INSTANCES_PER_CALENDAR - len(result.instances))
        kept = len(result.instances)
        try:
            with _time_limit(series_seconds):
                for occurrence in _expand_series(uid, group, window, notes, budget):
                    instance = _classify(uid, occurrence, window, rule_with_owner)
                    if instance is not None:
                        result.instances.append(instance)
        except _SeriesTooSlow:
            del result.instances[kept:]
            notes.add("slow_series", _position(_base(group)))
    result.warnings = format_notes(notes)
    return result


def _lone_event(text: str) -> bool:
    """A file that is one component (a VEVENT, or one that holds events) without the
    VCALENDAR around it: read as if it had one, as icalendar does."""
    head = text[:200].lstrip("\ufeff \t\r\n").upper()
    if not head.startswith("BEGIN:") or head.startswith("BEGIN:VCALENDAR"):
        return False
    name = head[6:].split("\n", 1)[0].strip()
    return bool(name) and text.rstrip().upper().endswith(f"END:{name}")


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(_signum: int, _frame: object) -> None:
        raise _SeriesTooSlow()

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _position(component: Component) -> int | None:
    value = component.get(POSITION)
    if isinstance(value, list):
        value = value[0]
    try:
        return int(str(value))
    except ValueError:
        return None


def _base(group: list[Component]) -> Component:
    return next((c for c in group if "RECURRENCE-ID" not in c), group[0])


# An event is placed by these; if one cannot be read, the event cannot be shown truthfully.
_PLACING = {
    "DTSTART": "bad_start",
    "DTEND": "bad_end",
    "DURATION": "bad_end",
    "RECURRENCE-ID": "bad_recurrence_id",
}
# Rules have their own fallback (first instance only, with a warning).
_RULES = {"RRULE", "EXRULE"}


def _readable(event: Component, position: int | None, notes: Notes) -> bool:
    """Skip events that cannot be placed; drop other unreadable values, with a warning."""
    errors = {str(name).upper() if name else "" for name, _message in event.errors}
    for name, key in _PLACING.items():
        if name in errors:
            notes.add(key, position)
            return False
    if "DTSTART" not in event:
        notes.add("no_start", position)
        return False
    for name in errors - _RULES:
        notes.add(f"bad_value:{standard_name(name)}", position)
        if name in event:
            del event[name]  # a broken EXDATE, RDATE... would fail the whole series
    return True


def _parse_one(text: str, window: Window, notes: Notes, skip_far: bool) -> Component:
    import icalendar
    import x_wr_timezone

    # Two days of margin either side covers any zone offset and floating/all-day placement.
    keep_days = (
        (
            f"{window.start - timedelta(days=2):%Y%m%d}",
            f"{window.end + timedelta(days=2):%Y%m%d}",
        )
        if skip_far
        else None
    )
    fixed, repairs = preprocess(text, user_zone=window.zone.key, keep_days=keep_days)
    notes.add("repaired_offsets", n=repairs.offsets)
    notes.add("repaired_rules", n=repairs.rules)
    notes.add("zone_rules", n=repairs.zone_rules)
    notes.add("unknown_zones", n=len(repairs.unknown_zones))
    try:
        calendars = icalendar.Calendar.from_ical(fixed, multiple=True)
    except MemoryError:  # over the parse process's budget: not a data problem
        raise
    except Exception as exc:  # the library's message may quote the data: never pass it on
        if _caused_by_memory(exc):  # icalendar wraps MemoryError in a ValueError
            raise MemoryError() from None
        raise CalendarParseError(_NOT_ICALENDAR) from exc.__class__(type(exc).__name__)
    if not calendars:
        raise CalendarParseError(_NOT_ICALENDAR)
    calendar = calendars[0]
    for extra in calendars[1:]:
        for sub in extra.subcomponents:
            calendar.add_component(sub)
    standard: Component = x_wr_timezone.to_standard(calendar)
    return standard


def _caused_by_memory(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, MemoryError):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


@dataclass(frozen=True)
class _Occurrence:
    component: Component
    start: date | datetime
    end: date | datetime
    recurrence_key: str


def _key(value: date | datetime) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat()
    return value.isoformat()


def _expand_series(
    uid: str,
    group: list[Component],
    window: Window,
    notes: Notes,
    budget: int,
) -> Iterator[_Occurrence]:
    from recurring_ical_events import EventAdapter, Series

    base = _base(group)
    position = _position(base)
    recurring = any(p in base for p in ("RRULE", "RDATE")) or len(group) > 1
    try:
        if _never_matches(base):
            notes.add("never_matches", position)
            del base["RRULE"]  # RFC 5545: DTSTART is still the first instance
        frequency = _frequency(base)
        if frequency in _HIGH_FREQUENCIES:
            notes.add("high_frequency", position)
            instances = list(islice(_expand_high_frequency(base, frequency, window, notes), budget))
            yield from instances
            return
        # Query a day wider on each side: floating and all-day times are placed in the
        # user's zone.
        span_start = window.start - timedelta(days=1)
        span_end = window.end + timedelta(days=1)
        series = Series([EventAdapter(c) for c in group])
        occurrences = []
        for produced, occurrence in enumerate(series.between(span_start, span_end)):
            if produced >= budget:
                # The series' own cap, or what the calendar's cap leaves it.
                full = budget == MAX_INSTANCES_PER_SERIES
                notes.add("series_cap" if full else "calendar_cap", position if full else None)
                break
            component = occurrence._adapter._component  # private: avoids a copy
            key = _recurrence_key(occurrence) if recurring else ""
            occurrences.append(_Occurrence(component, occurrence.start, occurrence.end, key))
    except MemoryError:  # over the parse process's budget: not a data problem
        raise
    except Exception as exc:
        log.info("a series could not be expanded: %s", type(exc).__name__)
        if not recurring:
            notes.add("unreadable", position)
            return
        notes.add("bad_series", position)
        yield from _first_instance_only(base, window)
        return
    yield from occurrences


def _never_matches(component: Component) -> bool:
    """A rule whose BYMONTH and BYMONTHDAY never meet (30 February): dateutil would scan
    to the year 9999 looking for an instance (seconds per event)."""
    rrule = component.get("RRULE")
    if rrule is None or isinstance(rrule, list):
        return False
    months = [int(m) for m in rrule.get("BYMONTH", []) if str(m).lstrip("-").isdigit()]
    days = [int(d) for d in rrule.get("BYMONTHDAY", [])]
    if not months or not days:
        return False
    longest = {m: gregorian.monthrange(2024, m)[1] for m in range(1, 13)}  # 2024: leap year
    return not any(abs(d) <= longest.get(m, 0) for m in months for d in days)


def _recurrence_key(occurrence: Occurrence) -> str:
    """The instance's original slot: its RECURRENCE-ID, else the start the rule gave it."""
    adapter = occurrence._adapter  # private attribute, stable in rie 3
    rids = occurrence.recurrence_ids
    # A THISANDFUTURE override also shapes later instances: only its own instance takes its id.
    if rids and (not adapter.this_and_future or occurrence.start == adapter.start):
        return _key(rids[0])
    return _key(occurrence.start)


def _frequency(component: Component) -> str | None:
    rrule = component.get("RRULE")
    if rrule is None or isinstance(rrule, list):
        return None
    try:
        freq = rrule.get("FREQ")
    except MemoryError:  # over the parse process's budget: not a data problem
        raise
    except Exception:  # a broken (unparseable) rule: handled when the series is built
        return None
    return str(freq[0]).upper() if freq else None


def _first_instance_only(component: Component, window: Window) -> Iterator[_Occurrence]:
    """A series whose rule is unreadable still shows its first instance (with a warning)."""
    start_prop = component.get("DTSTART")
    if start_prop is None or not hasattr(start_prop, "dt"):
        return
    start = start_prop.dt
    try:
        end = _end(component)
    except MemoryError:  # over the parse process's budget: not a data problem
        raise
    except Exception:
        end = start + (timedelta(days=1) if not isinstance(start, datetime) else timedelta(0))
    yield _Occurrence(component, start, end, _key(start))


def _expand_high_frequency(
    component: Component, frequency: str, window: Window, notes: Notes
) -> Iterator[_Occurrence]:
    """Per-second/per-minute rules: fast-forward to the window, then expand lazily."""
    start: datetime = component.get("DTSTART").dt
    if not isinstance(start, datetime):
        return
    duration = timedelta(0)
    try:
        end = _end(component)
        if isinstance(end, datetime):
            duration = end - start
    except MemoryError:  # over the parse process's budget: not a data problem
        raise
    except Exception:
        log.debug("high-frequency series without a usable end")
    raw = component["RRULE"].to_ical()
    rule_text = raw.decode() if isinstance(raw, bytes) else str(raw)
    parts = dict(p.split("=", 1) for p in rule_text.split(";") if "=" in p)
    until = parts.get("UNTIL", "")
    if len(until) == 8:  # a date: midnight, as recurring-ical-events reads it
        parts["UNTIL"] = until + ("T000000Z" if start.tzinfo else "T000000")
    step = timedelta(seconds=_HIGH_FREQUENCIES[frequency] * int(parts.get("INTERVAL", "1") or 1))
    window_start = window.start.astimezone(start.tzinfo) if start.tzinfo else window.start
    if start.tzinfo is None:
        window_start = window.start.astimezone(window.zone).replace(tzinfo=None)
    filters = any(k.startswith("BY") for k in parts)
    skipped = 0
    if start < window_start - duration and not ("COUNT" in parts and filters):
        skipped = int((window_start - duration - start) / step)
        start = start + skipped * step
    if "COUNT" in parts and not filters:
        remaining = int(parts["COUNT"]) - skipped
        if remaining <= 0:
            return
        parts["COUNT"] = str(remaining)
    rule = rrulestr(";".join(f"{k}={v}" for k, v in parts.items()), dtstart=start)
    for scanned, instance_start in enumerate(rule):
        if scanned > _HIGH_FREQUENCY_SCAN:
            return
        if instance_start + duration <= window_start:
            continue
        if _to_utc(instance_start, window.zone) >= window.end:
            return
        end = instance_start + duration
        yield _Occurrence(component, instance_start, end, _key(instance_start))


def _end(component: Component) -> date | datetime:
    end: date | datetime = component.end  # type: ignore[attr-defined]
    return end


def _to_utc(value: date | datetime, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # floating: the user's own zone
            return value.replace(tzinfo=zone).astimezone(UTC)
        return value.astimezone(UTC)
    return datetime(value.year, value.month, value.day, tzinfo=zone).astimezone(UTC)


def _classify(
    uid: str, occurrence: _Occurrence, window: Window, rule: classify.Rule
) -> Instance | None:
    component = occurrence.component
    all_day = not isinstance(occurrence.start, datetime)
    start = _to_utc(occurrence.start, window.zone)
    end = _to_utc(occurrence.end, window.zone)
    if end < start:
        end = start
    if start >= window.end or end <= window.start or start < window.start:
        return None
    if not classify.is_busy(component, rule.owner_emails) or classify.is_own_held_time(uid):
        return None
    session = classify.is_session(component, rule, all_day=all_day, duration=end - start)
    return Instance(
        uid=uid,
        recurrence_key=occurrence.recurrence_key,
        start=start,
        end=end,
        all_day=all_day,
        session=session,
        telehealth=classify.is_telehealth(component),
    )
