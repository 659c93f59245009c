"""Deciding, in memory, what an event is: busy or not, a session or not, telehealth or not.

The functions here read an event's text (summary, description, location, attendees) and
return only booleans: nothing they read is kept, logged or raised.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from icalendar import Component

# Video-visit links and words used by practice-management systems and meeting tools.
_TELEHEALTH = re.compile(
    r"zoom\.us|zoomgov\.com|meet\.google\.com|teams\.microsoft\.com|teams\.live\.com"
    r"|doxy\.me|video\.simplepractice\.com|simplepractice\.com/.*(?:video|telehealth)"
    r"|therapynotes\.com/.*(?:telehealth|video)|telehealth\.therapynotes|jane\.app/.*video"
    r"|janeapp\.com/.*video|microsoft teams|webex\.com|whereby\.com|vsee\.com"
    r"|gotomeeting\.com|owlpractice"
    r".*(?:video|telehealth)|\btelehealth\b|\btele-health\b|\bvideo (?:session|visit|call"
    r"|appointment)\b|\bvirtual (?:session|visit|appointment)\b",
    re.IGNORECASE,
)
_TEXT_FIELDS = ("SUMMARY", "DESCRIPTION", "LOCATION", "CATEGORIES")
_LINK_FIELDS = ("LOCATION", "DESCRIPTION", "CONFERENCE", "URL", "X-GOOGLE-CONFERENCE")
_RULE_MODES = ("all_timed", "keywords", "duration")


@dataclass(frozen=True)
class Rule:
    """A source's classification rule, from its stored JSON."""

    mode: str = "all_timed"
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    min_minutes: int | None = None
    max_minutes: int | None = None
    owner_emails: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Rule:
        data = data or {}
        mode = data.get("mode", "all_timed")
        return cls(
            mode=mode if mode in _RULE_MODES else "all_timed",
            include=tuple(k.lower() for k in data.get("include") or () if k.strip()),
            exclude=tuple(k.lower() for k in data.get("exclude") or () if k.strip()),
            min_minutes=data.get("min_minutes"),
            max_minutes=data.get("max_minutes"),
            owner_emails=frozenset(e.lower() for e in data.get("owner_emails") or ()),
        )


def _text(component: Component, names: Iterable[str]) -> str:
    parts: list[str] = []
    for name in names:
        value = component.get(name)
        if value is None:
            continue
        values = value if isinstance(value, list) else [value]
        for item in values:
            if hasattr(item, "cats"):
                parts.extend(str(c) for c in item.cats)
            else:
                parts.append(str(item))
    return "\n".join(parts)


def _email(value: object) -> str:
    return str(value).lower().removeprefix("mailto:").strip()


def is_own_held_time(uid: str) -> bool:
    """Interlude's own "Break (Interlude)" events, written back into a CalDAV calendar for
    held time (week_ahead/writeback.py): not read back, the held time itself is busy time."""
    return uid.startswith("held-") and uid.endswith("@interlude")


def is_busy(component: Component, owner_emails: frozenset[str]) -> bool:
    """Cancelled, free/transparent and declined-by-the-owner events do not block time."""
    if str(component.get("STATUS", "")).upper() == "CANCELLED":
        return False
    if str(component.get("TRANSP", "")).upper() == "TRANSPARENT":
        return False
    if str(component.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper() == "FREE":
        return False
    if owner_emails:
        attendees = component.get("ATTENDEE")
        for attendee in attendees if isinstance(attendees, list) else [attendees]:
            if attendee is None or _email(attendee) not in owner_emails:
                continue
            params = getattr(attendee, "params", {})
            if str(params.get("PARTSTAT", "")).upper() == "DECLINED":
                return False
    return True


def is_session(component: Component, rule: Rule, *, all_day: bool, duration: timedelta) -> bool:
    """All-day events are never sessions; otherwise the source's rule decides."""
    if all_day:
        return False
    if rule.mode == "duration":
        minutes = duration.total_seconds() / 60
        if rule.min_minutes is not None and minutes < rule.min_minutes:
            return False
        return not (rule.max_minutes is not None and minutes > rule.max_minutes)
    if rule.mode == "keywords":
        text = _text(component, _TEXT_FIELDS).lower()
        if any(word in text for word in rule.exclude):
            return False
        return not rule.include or any(word in text for word in rule.include)
    return True


def is_telehealth(component: Component) -> bool:
    return bool(_TELEHEALTH.search(_text(component, _LINK_FIELDS)))
