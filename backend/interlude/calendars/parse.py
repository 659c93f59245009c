"""Parsing and expanding calendars into busy instances, with text kept in memory only.

icalendar 7 parses, recurring-ical-events 3 expands (RRULE, RDATE, EXDATE, RECURRENCE-ID
overrides including THISANDFUTURE, DURATION) and x-wr-timezone applies X-WR-TIMEZONE.
Each series is expanded on its own so one broken series cannot take the calendar down,
and a series that cannot be expanded is shown once (its first instance) with a warning
rather than vanishing. Instances are capped per series and per calendar.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

import icalendar
import x_wr_timezone
from dateutil.rrule import rrulestr
from icalendar import Component
from recurring_ical_events import EventAdapter, Occurrence, Series

from interlude.calendars import classify
from interlude.calendars.tzfix import preprocess

log = logging.getLogger("interlude.calendars")

MAX_INSTANCES_PER_CALENDAR = 5000
MAX_INSTANCES_PER_SERIES = 1000
_HIGH_FREQUENCIES = {"SECONDLY": 1, "MINUTELY": 60}
_HIGH_FREQUENCY_SCAN = 100_000


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
) -> ReadResult:
    """Parse one or more iCalendar documents (one feed, or one CalDAV calendar's objects).

    ``skip_far_events=False`` parses every event (the benchmark compares both)."""
    notes: Counter[str] = Counter()
    components: dict[str, list[Component]] = defaultdict(list)
    owner_emails = set(rule.owner_emails)
    for text in texts:
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
        for index, event in enumerate(calendar.walk("VEVENT")):
            uid = str(event.get("UID") or f"no-uid-{len(components)}-{index}")
            components[uid].append(event)
    rule_with_owner = classify.Rule(**{**rule.__dict__, "owner_emails": frozenset(owner_emails)})
    result = ReadResult()
    for uid, group in components.items():
        if len(result.instances) >= MAX_INSTANCES_PER_CALENDAR:
            notes["calendar_cap"] += 1
            break
        budget = min(MAX_INSTANCES_PER_SERIES, MAX_INSTANCES_PER_CALENDAR - len(result.instances))
        for occurrence in _expand_series(uid, group, window, notes, budget):
            instance = _classify(uid, occurrence, window, rule_with_owner)
            if instance is not None:
                result.instances.append(instance)
    result.warnings = _format_notes(notes)
    return result


def _parse_one(text: str, window: Window, notes: Counter[str], skip_far: bool) -> Component:
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
    notes["repaired_offsets"] += repairs.offsets
    notes["repaired_rules"] += repairs.rules
    notes["unknown_zones"] += len(repairs.unknown_zones)
    try:
        calendars = icalendar.Calendar.from_ical(fixed, multiple=True)
    except Exception as exc:  # the library's message may quote the data: never pass it on
        raise CalendarParseError(
            "The calendar file could not be read: it is not valid iCalendar."
        ) from exc.__class__(type(exc).__name__)
    if not calendars:
        raise CalendarParseError("The calendar file could not be read: it holds no calendar.")
    calendar = calendars[0]
    for extra in calendars[1:]:
        for sub in extra.subcomponents:
            calendar.add_component(sub)
    for event in calendar.walk("VEVENT"):
        for prop_name, _message in getattr(event, "errors", ()):
            if prop_name not in ("RRULE", "EXRULE"):
                notes[f"bad_value:{str(prop_name)[:30]}"] += 1
    standard: Component = x_wr_timezone.to_standard(calendar)
    return standard


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
    notes: Counter[str],
    budget: int,
) -> Iterator[_Occurrence]:
    base = next((c for c in group if "RECURRENCE-ID" not in c), group[0])
    frequency = _frequency(base)
    if frequency in _HIGH_FREQUENCIES:
        notes["high_frequency"] += 1
        yield from islice(_expand_high_frequency(base, frequency, window, notes), budget)
        return
    recurring = any(p in base for p in ("RRULE", "RDATE")) or len(group) > 1
    # Query a day wider on each side: floating and all-day times are placed in the user's zone.
    span_start = window.start - timedelta(days=1)
    span_end = window.end + timedelta(days=1)
    try:
        series = Series([EventAdapter(c) for c in group])
        for produced, occurrence in enumerate(series.between(span_start, span_end)):
            if produced >= budget:
                notes["series_cap"] += 1
                return
            component = occurrence._adapter._component  # private: avoids a copy
            key = _recurrence_key(occurrence) if recurring else ""
            yield _Occurrence(component, occurrence.start, occurrence.end, key)
    except Exception as exc:
        log.info("a series could not be expanded: %s", type(exc).__name__)
        notes["bad_series"] += 1
        yield from _first_instance_only(base, window)


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
    except Exception:
        end = start + (timedelta(days=1) if not isinstance(start, datetime) else timedelta(0))
    yield _Occurrence(component, start, end, _key(start))


def _expand_high_frequency(
    component: Component, frequency: str, window: Window, notes: Counter[str]
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
    except Exception:
        log.debug("high-frequency series without a usable end")
    raw = component["RRULE"].to_ical()
    rule_text = raw.decode() if isinstance(raw, bytes) else str(raw)
    parts = dict(p.split("=", 1) for p in rule_text.split(";") if "=" in p)
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
    if not classify.is_busy(component, rule.owner_emails):
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


_MESSAGES = {
    "repaired_offsets": "Repaired {n} malformed time zone offset(s) (e.g. TZOFFSETFROM:+5328).",
    "repaired_rules": "Repaired {n} recurrence rule(s) written with stray spaces.",
    "unknown_zones": "{n} time zone name(s) were not recognised; your own time zone was used.",
    "bad_series": "{n} repeating event(s) have a rule that cannot be read: only their first "
    "occurrence is shown. Check those events' repeat settings in your calendar.",
    "high_frequency": "{n} event(s) repeat every minute or second; only the first "
    f"{MAX_INSTANCES_PER_SERIES} occurrences in the sync window are kept.",
    "series_cap": "{n} repeating event(s) have more than "
    f"{MAX_INSTANCES_PER_SERIES} occurrences in the sync window; the rest were skipped.",
    "calendar_cap": f"The calendar has more than {MAX_INSTANCES_PER_CALENDAR} events in the "
    "sync window; the rest were skipped.",
}


def _format_notes(notes: Counter[str]) -> list[str]:
    warnings = []
    for key, count in notes.items():
        if count <= 0:
            continue
        if key.startswith("bad_value:"):
            prop = key.split(":", 1)[1]
            warnings.append(f"{count} event(s) had an unreadable {prop} value, which was ignored.")
        else:
            warnings.append(_MESSAGES[key].format(n=count))
    return warnings
