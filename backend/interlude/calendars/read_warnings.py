"""The warnings a calendar read leaves on its source, worded for a therapist.

They name events by their position in the file ("Event 14", "Events 3, 14 and 27") and
properties only by their standard names: never an event's text or a feed's own property
names, which can carry a client's name.
"""

from __future__ import annotations

from collections import Counter, defaultdict

MAX_INSTANCES_PER_CALENDAR = 5000
MAX_INSTANCES_PER_SERIES = 1000


class Notes:
    """What went wrong, by kind: counts, and the positions of the events concerned."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.positions: dict[str, list[int]] = defaultdict(list)

    def add(self, key: str, position: int | None = None, n: int = 1) -> None:
        self.counts[key] += n
        if position is not None and position not in self.positions[key]:
            self.positions[key].append(position)


# RFC 5545 / 7986 property names a warning may quote; any other name is the feed's own text.
_STANDARD_PROPERTIES = frozenset(
    {
        "ATTACH", "ATTENDEE", "CATEGORIES", "CLASS", "COMMENT", "CONTACT", "CREATED",
        "DESCRIPTION", "DTSTAMP", "EXDATE", "GEO", "LAST-MODIFIED", "LOCATION", "ORGANIZER",
        "PRIORITY", "RDATE", "RELATED-TO", "REQUEST-STATUS", "RESOURCES", "SEQUENCE", "STATUS",
        "SUMMARY", "TRANSP", "UID", "URL", "COLOR", "CONFERENCE", "IMAGE",
    }
)  # fmt: skip


def standard_name(name: str) -> str:
    return name if name in _STANDARD_PROPERTIES else ""


_MESSAGES = {
    "repaired_offsets": "Repaired {n} malformed time zone offset(s) (e.g. TZOFFSETFROM:+5328).",
    "repaired_rules": "Repaired {n} recurrence rule(s) written with stray spaces.",
    "zone_rules": "Ignored {n} time zone rule(s) that change the offset more often than "
    "monthly, which no real time zone does.",
    "unknown_zones": "{n} time zone name(s) were not recognised; your own time zone was used.",
    "calendar_cap": f"The calendar has more than {MAX_INSTANCES_PER_CALENDAR} events in the "
    "sync window; the rest were skipped.",
}
# (singular, plural) after "Event 14" / "Events 3, 14 and 27".
_EVENT_MESSAGES = {
    "no_start": ("has no start time; it was skipped", "have no start time; they were skipped"),
    "bad_start": (
        "has an unreadable start time; it was skipped",
        "have an unreadable start time; they were skipped",
    ),
    "bad_end": (
        "has an unreadable end time or duration; it was skipped",
        "have an unreadable end time or duration; they were skipped",
    ),
    "bad_recurrence_id": (
        "changes one occurrence of a repeating event but does not say which; it was skipped",
        "change one occurrence of a repeating event but do not say which; they were skipped",
    ),
    "unreadable": ("could not be read; it was skipped", "could not be read; they were skipped"),
    "bad_series": (
        "repeats by a rule that cannot be read: only its first occurrence is shown. Check "
        "its repeat settings in your calendar",
        "repeat by rules that cannot be read: only their first occurrences are shown. Check "
        "their repeat settings in your calendar",
    ),
    "never_matches": (
        "repeats on a date that does not exist (such as 30 February): only its first "
        "occurrence is shown",
        "repeat on dates that do not exist (such as 30 February): only their first "
        "occurrences are shown",
    ),
    "slow_series": (
        "repeats by a rule too costly to work out; it was skipped",
        "repeat by rules too costly to work out; they were skipped",
    ),
    "high_frequency": (
        f"repeats every minute or second; only its first {MAX_INSTANCES_PER_SERIES} "
        "occurrences in the sync window are kept",
        f"repeat every minute or second; only the first {MAX_INSTANCES_PER_SERIES} "
        "occurrences of each in the sync window are kept",
    ),
    "series_cap": (
        f"has more than {MAX_INSTANCES_PER_SERIES} occurrences in the sync window; the rest "
        "were skipped",
        f"have more than {MAX_INSTANCES_PER_SERIES} occurrences each in the sync window; the "
        "rest were skipped",
    ),
}
_LISTED = 5


def _events(positions: list[int], count: int) -> tuple[str, bool]:
    """("Event 14", False) or ("Events 3, 14 and 2 more", True): positions, never text."""
    known = sorted(positions)
    if count <= 1:
        return (f"Event {known[0]}" if known else "One event"), False
    if not known:
        return f"{count} events", True
    shown = [str(p) for p in known[:_LISTED]]
    rest = count - len(shown)
    if rest > 0:
        return f"Events {', '.join(shown)} and {rest} more", True
    return f"Events {', '.join(shown[:-1])} and {shown[-1]}", True


def format_notes(notes: Notes) -> list[str]:
    warnings = []
    for key, count in notes.counts.items():
        if count <= 0:
            continue
        positions = notes.positions.get(key, [])
        if key.startswith("bad_value:"):
            prop = key.split(":", 1)[1]
            what = f"an unreadable {prop} value" if prop else "an unreadable non-standard value"
            subject, plural = _events(positions, count)
            warnings.append(f"{subject} {'have' if plural else 'has'} {what}, which was ignored.")
        elif key in _EVENT_MESSAGES:
            subject, plural = _events(positions, count)
            warnings.append(f"{subject} {_EVENT_MESSAGES[key][plural]}.")
        else:
            warnings.append(_MESSAGES[key].format(n=count))
    return warnings
