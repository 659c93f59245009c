"""Text-level repairs of an iCalendar feed, before icalendar parses it.

- Time zone ids are rewritten per feed: IANA names stay, Windows names ("Pacific Standard
  Time") become their IANA zone, and custom ids defined only by a VTIMEZONE ("Customized Time
  Zone") get a name derived from the definition's content. icalendar caches custom zones
  process-wide by TZID, so two feeds that define the same custom name differently would
  otherwise share one feed's offsets.
- Safely repairable values are fixed: UTC offsets written without hours (iCloud's
  ``TZOFFSETFROM:+5328``) and recurrence rules with stray spaces (``BYDAY=MO, TU``).
- Unknown zone ids without a definition mean the user's own zone (like floating times).
- Time zone observances that repeat more often than monthly are not real time zones (a
  ``FREQ=SECONDLY`` observance from 1601 would make icalendar compute billions of
  transitions): their rule is dropped, keeping the observance's own start.
- Every VEVENT is tagged with its position in the feed (``X-INTERLUDE-POSITION``), so a
  warning can say "event 14" even after far events were dropped, never quoting the feed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

POSITION = "X-INTERLUDE-POSITION"
_VTIMEZONE = re.compile(r"^BEGIN:VTIMEZONE\r?$.*?^END:VTIMEZONE\r?$", re.S | re.M)
_VTZ_TZID = re.compile(r"^TZID(?:;[^:\r\n]*)?:(.*?)\r?$", re.M)
_TZID_PARAM = re.compile(r';TZID=("[^"]*"|[^;:\r\n]*)')
_OFFSET = re.compile(r"^(TZOFFSET(?:FROM|TO)):([^\r\n]*?)\r?$", re.M)
_RULE = re.compile(r"^((?:RRULE|EXRULE)(?:;[^:\r\n]*)?):([^\r\n]*?)\r?$", re.M)
_GOOD_OFFSET = re.compile(r"^[+-](?:[01]\d|2[0-3])[0-5]\d(?:[0-5]\d)?$")
_CUSTOM_PREFIX = "Interlude-Custom-"
_VEVENT = re.compile(r"^BEGIN:VEVENT\r?$.*?^END:VEVENT\r?$", re.S | re.M)
_RECURRING = re.compile(r"^(?:RRULE|RDATE|EXDATE|EXRULE|RECURRENCE-ID)[;:]", re.M)
_DTSTART_DAY = re.compile(r"^DTSTART(?:;[^:\r\n]*)?:(\d{8})", re.M)
_DTEND_DAY = re.compile(r"^DTEND(?:;[^:\r\n]*)?:(\d{8})", re.M)
_BEGIN_VEVENT = re.compile(r"^BEGIN:VEVENT(\r?)$", re.M | re.I)
_OBSERVANCE = re.compile(r"^BEGIN:(STANDARD|DAYLIGHT)\r?$.*?^END:\1\r?$", re.S | re.M | re.I)
_OBSERVANCE_RULE = re.compile(r"^RRULE(?:;[^:\r\n]*)?:([^\r\n]*)\r?\n?", re.M | re.I)
# Real time zones change offsets at most a few times a year; monthly is generous.
_ZONE_FREQUENCIES = {"YEARLY", "MONTHLY"}


@dataclass
class Repairs:
    offsets: int = 0
    rules: int = 0
    zone_rules: int = 0
    unknown_zones: set[str] = field(default_factory=set)


@lru_cache(maxsize=1)
def _iana_names() -> frozenset[str]:
    return frozenset(available_timezones())


@lru_cache(maxsize=4096)
def _is_iana(name: str) -> bool:
    if name in _iana_names():
        return True
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "America" is a directory
        return False
    return True


def _known_zone(name: str) -> str | None:
    """The IANA name a TZID stands for without needing its VTIMEZONE, if any."""
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    cleaned = name.strip().strip("/")
    if _is_iana(cleaned):
        return cleaned
    if cleaned in WINDOWS_TO_OLSON:
        return WINDOWS_TO_OLSON[cleaned]
    if name.startswith("/"):  # "globally unique" ids such as /freeassociation.sourceforge.net/X/Y
        parts = cleaned.split("/")
        for start in range(1, len(parts)):
            candidate = "/".join(parts[start:])
            if _is_iana(candidate):
                return candidate
    return None


def _fixed_offset(value: str) -> str | None:
    """A corrected UTC offset, or None when the value is already valid."""
    value = value.strip()
    if _GOOD_OFFSET.match(value):
        return None
    digits = re.fullmatch(r"([+-])(\d{4})", value)
    if digits and int(digits.group(2)[:2]) >= 24:  # "+5328": minutes and seconds, no hours
        return f"{digits.group(1)}00{digits.group(2)}"
    return "+0000"


def drop_far_single_events(text: str, *, first_day: str, last_day: str) -> str:
    """Remove non-recurring VEVENTs that lie wholly outside [first_day, last_day] (YYYYMMDD,
    already widened by the caller), before the expensive parse. Practice feeds are mostly
    single sessions spread over years; only a few weeks of them matter. Anything recurring,
    overriding or not plainly dated is kept."""

    def keep(match: re.Match[str]) -> str:
        block = match.group(0)
        if _RECURRING.search(block):
            return block
        start = _DTSTART_DAY.search(block)
        if start is None:
            return block
        end = _DTEND_DAY.search(block)
        if end is None and "DURATION" in block:
            return block
        last = end.group(1) if end else start.group(1)
        if start.group(1) > last_day or last < first_day:
            return ""
        return block

    return _VEVENT.sub(keep, text)


def preprocess(
    text: str, *, user_zone: str, keep_days: tuple[str, str] | None = None
) -> tuple[str, Repairs]:
    """Unfold, repair and rename time zones; returns text icalendar can parse safely."""
    from icalendar.parser.content_line import UFOLD  # icalendar loads when a feed is read

    repairs = Repairs()
    text = UFOLD.sub("", text)  # icalendar's own unfolding: also folds after blank lines
    text = _number_events(text)
    if keep_days is not None:
        text = drop_far_single_events(text, first_day=keep_days[0], last_day=keep_days[1])

    def offset(match: re.Match[str]) -> str:
        fixed = _fixed_offset(match.group(2))
        if fixed is None:
            return match.group(0)
        repairs.offsets += 1
        return f"{match.group(1)}:{fixed}"

    def rule(match: re.Match[str]) -> str:
        name, value = match.group(1), match.group(2)
        fixed = re.sub(r"\s+", "", value).strip(";").upper()
        if fixed == value:
            return match.group(0)
        repairs.rules += 1
        return f"{name}:{fixed}"

    if "TZOFFSET" in text:
        text = _OFFSET.sub(offset, text)
    text = _RULE.sub(rule, text)
    if "BEGIN:VTIMEZONE" in text.upper():
        text = _VTIMEZONE.sub(lambda m: _tame_observances(m.group(0), repairs), text)

    mapping: dict[str, str] = {}
    defined: dict[str, str] = {}
    for block in _VTIMEZONE.finditer(text):
        tzid_match = _VTZ_TZID.search(block.group(0))
        if tzid_match:
            name = tzid_match.group(1).strip().strip('"')
            body = _VTZ_TZID.sub("", block.group(0))
            digest = hashlib.sha256(body.encode()).hexdigest()[:24]
            defined[name] = _CUSTOM_PREFIX + digest
    used = {m.group(1).strip('"') for m in _TZID_PARAM.finditer(text)}
    for name in used | set(defined):
        known = _known_zone(name)
        if known is not None:
            target = known
        elif name in defined:
            target = defined[name]
        else:
            target = user_zone
            repairs.unknown_zones.add(name[:60])
        if target != name:
            mapping[name] = target
    if not mapping:
        return text, repairs

    def param(match: re.Match[str]) -> str:
        name = match.group(1).strip('"')
        return f";TZID={_quote(mapping.get(name, name))}"

    def vtimezone(match: re.Match[str]) -> str:
        block = match.group(0)

        def tzid_line(m: re.Match[str]) -> str:
            name = m.group(1).strip().strip('"')
            return f"TZID:{mapping.get(name, name)}"

        return _VTZ_TZID.sub(tzid_line, block, count=1)

    text = _TZID_PARAM.sub(param, text)
    text = _VTIMEZONE.sub(vtimezone, text)
    return text, repairs


def _number_events(text: str) -> str:
    """Tag each VEVENT with its 1-based position in the feed, for warnings."""
    counter = iter(range(1, 1 << 62))

    def tag(match: re.Match[str]) -> str:
        newline = match.group(1) + "\n"
        return f"BEGIN:VEVENT{newline}{POSITION}:{next(counter)}{match.group(1)}"

    return _BEGIN_VEVENT.sub(tag, text)


def _tame_observances(block: str, repairs: Repairs) -> str:
    """Drop observance rules no real zone has (finer than monthly, or several times a day)."""

    def observance(match: re.Match[str]) -> str:
        def rule(rule_match: re.Match[str]) -> str:
            parts = dict(
                p.split("=", 1) for p in rule_match.group(1).upper().split(";") if "=" in p
            )
            many_times = any(len(parts.get(k, "").split(",")) > 1 for k in _TIME_PARTS)
            if parts.get("FREQ") in _ZONE_FREQUENCIES and not many_times:
                return rule_match.group(0)
            repairs.zone_rules += 1
            return ""

        return _OBSERVANCE_RULE.sub(rule, match.group(0))

    return _OBSERVANCE.sub(observance, block)


_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")


def _quote(name: str) -> str:
    return f'"{name}"' if any(c in name for c in ";:,") else name
