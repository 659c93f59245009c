"""Language-dependent strings: dates, times, schedule summaries, emergency wording.

Add a language by adding an entry to ``LANGUAGES`` and a ``templates/<code>/`` folder with the
same file names as ``templates/en/``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from interlude.autoresponder.crisis_lines import CrisisLine


@dataclass(frozen=True)
class Language:
    code: str
    weekdays: tuple[str, ...]  # Monday first
    weekdays_short: tuple[str, ...]
    months: tuple[str, ...]
    months_short: tuple[str, ...]
    join_and: str
    day_range: str  # "{first} to {last}"
    between: str  # "between {start} and {end}"
    span: str  # "{start} to {end}" when a window crosses midnight in the reader's zone
    zone_label: str  # "({city} time)"
    emergency_call: str  # "In an emergency, call {number} or go to your nearest ..."
    crisis_call: str  # "If you are in crisis ..., call {number} ({name})."
    crisis_call_text: str
    emergency_short: str
    crisis_short: str
    crisis_short_text: str
    emergency_spoken: str
    crisis_spoken: str
    crisis_spoken_text: str


EN = Language(
    code="en",
    weekdays=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    weekdays_short=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    months=(
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ),
    months_short=(
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ),
    join_and="and",
    day_range="{first} to {last}",
    between="between {start} and {end}",
    span="{start} to {end}",
    zone_label="({city} time)",
    emergency_call="In an emergency, call {number} or go to your nearest emergency department.",
    crisis_call="If you are in crisis, call {number} ({name}).",
    crisis_call_text="If you are in crisis, call or text {number} ({name}).",
    emergency_short="Emergency: call {number}.",
    crisis_short="Crisis: call {number}.",
    crisis_short_text="Crisis: call/text {number}.",
    emergency_spoken="If this is an emergency, please hang up and call {number}.",
    crisis_spoken="If you are in crisis, call {number}.",
    crisis_spoken_text="If you are in crisis, call or text {number}.",
)  # fmt: skip

LANGUAGES: dict[str, Language] = {"en": EN}


def language(code: str) -> Language:
    return LANGUAGES[code]


def long_date(lang: Language, day: date) -> str:
    """Monday, 24 November"""
    return f"{lang.weekdays[day.weekday()]}, {day.day} {lang.months[day.month - 1]}"


def short_date(lang: Language, day: date) -> str:
    """Mon 24 Nov"""
    return f"{lang.weekdays_short[day.weekday()]} {day.day} {lang.months_short[day.month - 1]}"


def clock(value: time | datetime) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def spoken_time(value: time | datetime) -> str:
    if value.hour == 12 and value.minute == 0:
        return "noon"
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    suffix = "a.m." if value.hour < 12 else "p.m."
    hour = value.hour % 12 or 12
    return f"{hour} {suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d} {suffix}"


def zone_abbreviation(instant: datetime) -> str:
    """EST, GMT, AEDT; zones without a letter abbreviation become UTC-03 style labels."""
    name = instant.tzname() or "UTC"
    if name[:1] in "+-":
        return f"UTC{name}"
    return name


def city(zone_key: str) -> str:
    return zone_key.rsplit("/", 1)[-1].replace("_", " ")


def list_join(lang: Language, items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {lang.join_and} {items[-1]}"


def day_groups(lang: Language, days: Sequence[int], *, short: bool = False) -> str:
    """[0,1,2,3,4] -> 'Monday to Friday'; [0,2,4] -> 'Monday, Wednesday and Friday'."""
    names = lang.weekdays_short if short else lang.weekdays
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(lang.day_range.format(first=names[run[0]], last=names[run[-1]]))
        else:
            parts.extend(names[d] for d in run)
    return list_join(lang, parts)


@dataclass(frozen=True)
class EmergencyWording:
    text: str  # full sentences for email, Sieve, Gmail, Graph
    short: str  # for SMS and portal
    spoken: str  # for voicemail


def emergency_wording(lang: Language, lines: Sequence[CrisisLine]) -> EmergencyWording:
    emergency = [line for line in lines if line.kind == "emergency"]
    crisis = [line for line in lines if line.kind == "crisis"]
    text, short, spoken = [], [], []
    for line in crisis:
        pick = (lang.crisis_call_text, lang.crisis_short_text, lang.crisis_spoken_text)
        if not line.text:
            pick = (lang.crisis_call, lang.crisis_short, lang.crisis_spoken)
        text.append(pick[0].format(number=line.number, name=line.name))
        short.append(pick[1].format(number=line.number, name=line.name))
        spoken.append(pick[2].format(number=line.number, name=line.name))
    for line in emergency:
        text.insert(0, lang.emergency_call.format(number=line.number))
        short.insert(0, lang.emergency_short.format(number=line.number))
        spoken.insert(0, lang.emergency_spoken.format(number=line.number))
    return EmergencyWording(" ".join(text), " ".join(short), " ".join(spoken))
