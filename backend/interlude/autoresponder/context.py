"""The documented template context: everything a reply may say, as plain strings and dicts.

Templates only ever see the values built here (no ORM objects, no methods), so the sandbox
has nothing to reach through. See docs/autoresponder.md for the list of variables.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from interlude.autoresponder import i18n
from interlude.autoresponder.crisis_lines import lines_for
from interlude.autoresponder.windows import Interval, Schedule, next_window, weekly_ranges
from interlude.planner.types import TimeOffIn

Context = dict[str, Any]
EN_DASH = "\u2013"


@dataclass(frozen=True)
class Persona:
    """The profile values a reply needs, after preview overrides are applied."""

    name: str
    credentials: str
    practice: str
    tone: str
    language: str
    country: str
    emergency_enabled: bool
    emergency_text: str | None
    emergency_text_short: str | None
    covering_name: str
    covering_contact: str
    secure_channel_name: str
    secure_channel_url: str
    email_not_secure_note: bool
    reader_zone: ZoneInfo
    user_zone_key: str
    typical_reply: str

    def with_overrides(self, **changes: Any) -> Persona:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def emergency_strings(persona: Persona) -> tuple[str, str, str]:
    """(text, short, spoken); empty strings when the user switched the emergency line off."""
    if not persona.emergency_enabled:
        return "", "", ""
    wording = i18n.emergency_wording(i18n.language(persona.language), lines_for(persona.country))
    text = persona.emergency_text or wording.text
    short = persona.emergency_text_short or persona.emergency_text or wording.short
    spoken = persona.emergency_text or wording.spoken
    return text, short, spoken


def window_strings(lang: i18n.Language, window: Interval, zone: ZoneInfo) -> dict[str, str]:
    start, end = window.start.astimezone(zone), window.end.astimezone(zone)
    abbr_start, abbr_end = i18n.zone_abbreviation(start), i18n.zone_abbreviation(end)
    day = i18n.long_date(lang, start.date())
    if start.date() == end.date() and abbr_start == abbr_end:
        between = lang.between.format(start=i18n.clock(start), end=i18n.clock(end))
        text = f"{day}, {between} {abbr_start}"
        spoken = f"{day}, " + lang.between.format(
            start=i18n.spoken_time(start), end=i18n.spoken_time(end)
        )
    else:
        first = f"{day}, {i18n.clock(start)} {abbr_start}"
        last = f"{i18n.long_date(lang, end.date())}, {i18n.clock(end)} {abbr_end}"
        text = lang.span.format(start=first, end=last)
        spoken = text
    short = f"{i18n.short_date(lang, start.date())} {i18n.clock(start)}-{i18n.clock(end)}"
    return {
        "text": text,
        "short": f"{short} {abbr_end}",
        "spoken": spoken,
        "day": day,
        "start": i18n.clock(start),
        "end": i18n.clock(end),
        "zone": abbr_start,
    }


def schedule_strings(lang: i18n.Language, schedule: Schedule) -> dict[str, str] | None:
    """'Monday to Friday, 09:00-09:30 and ...' (with en dashes) and the short/spoken forms."""
    by_day = weekly_ranges(schedule.windows)
    if not by_day:
        return None
    groups: dict[tuple[tuple[time, time], ...], list[int]] = {}
    for weekday, day_ranges in sorted(by_day.items()):
        groups.setdefault(tuple(day_ranges), []).append(weekday)
    label = lang.zone_label.format(city=i18n.city(schedule.zone.key))
    text, short, spoken = [], [], []
    for ranges, days in groups.items():
        text.append(
            f"{i18n.day_groups(lang, days)}, "
            + i18n.list_join(lang, [f"{i18n.clock(a)}{EN_DASH}{i18n.clock(b)}" for a, b in ranges])
        )
        short.append(
            f"{i18n.day_groups(lang, days, short=True)} "
            + " & ".join(f"{i18n.clock(a)}-{i18n.clock(b)}" for a, b in ranges)
        )
        spoken.append(
            f"{i18n.day_groups(lang, days)}, "
            + i18n.list_join(
                lang,
                [
                    lang.between.format(start=i18n.spoken_time(a), end=i18n.spoken_time(b))
                    for a, b in ranges
                ],
            )
        )
    return {
        "text": f"{'; '.join(text)} {label}",
        "short": f"{'; '.join(short)} {label}",
        "spoken": f"{'; '.join(spoken)}, {i18n.city(schedule.zone.key)} time",
    }


def _chain(entries: list[TimeOffIn], first: TimeOffIn) -> tuple[date, date, str]:
    """Merge time off that touches ``first`` into one stretch (PTO running into a holiday)."""
    start, end, kinds = first.start_date, first.end_date, {first.kind}
    changed = True
    while changed:
        changed = False
        for entry in entries:
            touches = entry.start_date <= end + timedelta(days=1) and entry.end_date >= start
            if touches and (entry.start_date < start or entry.end_date > end):
                start, end = min(start, entry.start_date), max(end, entry.end_date)
                kinds.add(entry.kind)
                changed = True
    return start, end, "pto" if "pto" in kinds else "holiday"


def away_at(
    schedule: Schedule, at: datetime, window: Interval | None
) -> tuple[date, date, str] | None:
    """Time off now, or between now and the next window (e.g. Friday evening before PTO)."""
    today = schedule.local_date(at)
    horizon = schedule.local_date(window.start) if window else today + timedelta(days=366)
    entries = sorted(schedule.time_off, key=lambda t: t.start_date)
    for entry in entries:
        if entry.end_date >= today and entry.start_date < horizon:
            return _chain(list(entries), entry)
    return None


def _away_strings(
    lang: i18n.Language,
    schedule: Schedule,
    away: tuple[date, date, str] | None,
    window: Interval | None,
) -> dict[str, str] | None:
    if away is None:
        return None
    first, last, kind = away
    back = schedule.local_date(window.start) if window else last + timedelta(days=1)
    return {
        "kind": kind,
        "first_day": i18n.long_date(lang, first),
        "last_day": i18n.long_date(lang, last),
        "back": i18n.long_date(lang, back),
        "last_short": i18n.short_date(lang, last),
        "back_short": i18n.short_date(lang, back),
    }


def _channel(persona: Persona) -> dict[str, str] | None:
    if not (persona.secure_channel_name or persona.secure_channel_url):
        return None
    name = persona.secure_channel_name or persona.secure_channel_url
    return {"name": name, "url": persona.secure_channel_url}


def build_context(
    persona: Persona, schedule: Schedule, at: datetime, *, static: bool = False
) -> Context:
    """The context at instant ``at``. ``static`` drops the dated next window (Sieve text)."""
    lang = i18n.language(persona.language)
    window = next_window(schedule, at)
    in_window = window is not None and window.start <= at
    away = away_at(schedule, at, window) if not in_window else None
    emergency, emergency_short, emergency_spoken = emergency_strings(persona)
    signature = ", ".join(p for p in (persona.name, persona.credentials) if p)
    covering = None
    if away and away[2] == "pto" and persona.covering_name:
        covering = {"name": persona.covering_name, "contact": persona.covering_contact}
    return {
        "name": persona.name,
        "credentials": persona.credentials,
        "practice": persona.practice,
        "signature": signature,
        "tone": persona.tone,
        "status": "open" if in_window else ("away" if away else "closed"),
        "next_window": (
            window_strings(lang, window, persona.reader_zone) if window and not static else None
        ),
        "schedule": schedule_strings(lang, schedule),
        "typical_reply": persona.typical_reply,
        "away": _away_strings(lang, schedule, away, window),
        "covering": covering,
        "secure_channel": _channel(persona),
        "email_not_secure": persona.email_not_secure_note,
        "emergency": emergency,
        "emergency_short": emergency_short,
        "emergency_spoken": emergency_spoken,
        "compact": 0,
    }


CONTEXT_VARIABLES: tuple[str, ...] = (
    "name", "credentials", "practice", "signature", "tone", "status", "next_window", "schedule",
    "typical_reply", "away", "covering", "secure_channel", "email_not_secure", "emergency",
    "emergency_short", "emergency_spoken", "compact",
)  # fmt: skip
