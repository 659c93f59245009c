"""Candidate reminders, and the rules every reminder must pass before it is planned.

The session and care-plan modules propose ``Candidate`` values; ``place`` applies the rules
that hold for every kind (busy time, quiet hours, time off, expiry) and ``apply_daily_cap``
keeps the most valuable reminders of each local day.
"""

from __future__ import annotations

import bisect
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from interlude.core.timezones import local_date
from interlude.planner.clock_math import BusyTime, QuietHours
from interlude.planner.texts import minutes_phrase
from interlude.planner.types import Activity, PlannedReminder, ReminderKind

ROOM = "{room}"  # placeholder in a body template, filled once the due time is final

# Lower ranks survive the daily cap first; breaks (notes time too) are then ranked by the
# room they have.
_CAP_RANK: dict[str, int] = {
    "back_to_back": 0,
    "end_of_day": 1,
    "notes_backlog": 2,
    "response_window_open": 3,
    "response_window_close": 4,
}
_BREAK_RANK = 5
SESSION_KINDS = frozenset({"micro_break", "transition_ritual", "end_of_day", "notes"})
RULE_BREAK_KINDS = frozenset({"fixed_break", "interval_break"})
# Never dropped by the daily cap, nor counted: reminders for what "does not get skipped"
# (commitments), and the wrap-up cue, which is silent (the cap is about how often the phone
# buzzes; see docs/planner.md).
CAP_EXEMPT_KINDS = frozenset({"commitment", "wrap_up"})


@dataclass(frozen=True, slots=True)
class Candidate:
    """A reminder the planner would like to send, before the global rules are applied."""

    kind: ReminderKind
    anchor: str | None
    due: datetime
    title: str
    body: str  # may contain ROOM, replaced by the time left until ``room_until`` (so may title)
    expires_at: datetime | None = None  # absolute expiry
    lifetime: timedelta | None = None  # expiry relative to the final due time
    room_until: datetime | None = None
    shift: bool = True  # inside a busy block: slide to its end (else: drop)
    within: tuple[datetime, datetime] | None = None  # due must stay in [a, b); expiry <= b
    activity: Activity | None = None
    duration_minutes: int = 2
    ritual_steps: tuple[str, ...] = ()
    ritual_name: str | None = None
    ritual_minutes: int = 0
    fallback: Candidate | None = None  # tried when this one cannot be placed
    ignore_quiet: bool = False  # commitments: quiet hours neither drop nor cut this one
    # Notes time this reminder reserves after (or before) its ``duration_minutes``: placed
    # only when both end by the expiry and by ``notes_by`` (else its fallback is tried).
    notes_minutes: int = 0
    notes_by: datetime | None = None
    # The wrap-up cue: due inside this span (its own session) but inside no other busy time.
    own_span: tuple[datetime, datetime] | None = None


@dataclass(frozen=True, slots=True)
class Constraints:
    tz: ZoneInfo
    busy: BusyTime
    quiet: QuietHours
    time_off: frozenset[date]


def reminder_key(kind: str, anchor: str | None, due_at: datetime) -> str:
    raw = f"{kind}|{anchor or '-'}|{due_at.isoformat()}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _earliest(*instants: datetime | None) -> datetime | None:
    present = [i for i in instants if i is not None]
    return min(present) if present else None


def place(candidate: Candidate, rules: Constraints) -> PlannedReminder | None:
    """The reminder as it will be planned, or None when no allowed moment is left."""
    placed = _place_one(candidate, rules)
    if placed is None and candidate.fallback is not None:
        return place(candidate.fallback, rules)
    return placed


def _place_one(c: Candidate, rules: Constraints) -> PlannedReminder | None:
    due = c.due
    if c.own_span is not None:
        if not c.own_span[0] <= due < c.own_span[1] or rules.busy.covered_except(due, c.own_span):
            return None
    elif rules.busy.block_at(due) is not None:
        if not c.shift:
            return None
        due = rules.busy.free_from(due)
    if c.within is not None and not c.within[0] <= due < c.within[1]:
        return None
    quiet = not c.ignore_quiet
    if (quiet and rules.quiet.contains(due)) or local_date(due, rules.tz) in rules.time_off:
        return None
    expires = _earliest(
        c.expires_at,
        due + c.lifetime if c.lifetime is not None else None,
        rules.busy.next_interval_start_after(due)
        if c.own_span is not None
        else rules.busy.next_start_after(due),
        rules.quiet.next_start_after(due) if quiet else None,
        c.within[1] if c.within is not None else None,
    )
    if expires is None or expires <= due:
        return None
    if c.notes_minutes > 0:
        segments_end = due + timedelta(minutes=c.duration_minutes + c.notes_minutes)
        if segments_end > expires or (c.notes_by is not None and segments_end > c.notes_by):
            return None
    room = minutes_phrase(int(((c.room_until or expires) - due).total_seconds() // 60))
    title, body = c.title.replace(ROOM, room), c.body.replace(ROOM, room)
    return PlannedReminder(
        key=reminder_key(c.kind, c.anchor, due),
        kind=c.kind,
        due_at=due,
        expires_at=expires,
        anchor=c.anchor,
        title=title,
        body=body,
        activity=c.activity,
        duration_minutes=c.duration_minutes,
        ritual_steps=c.ritual_steps,
        ritual_name=c.ritual_name,
        ritual_minutes=c.ritual_minutes,
        notes_minutes=c.notes_minutes,
    )


def sort_key(r: PlannedReminder) -> tuple[datetime, str, str, str]:
    return (r.due_at, r.kind, r.anchor or "", r.key)


def drop_crowded_rule_breaks(
    reminders: Iterable[PlannedReminder], window: timedelta
) -> list[PlannedReminder]:
    """Fixed/interval breaks within ``window`` of a session-end reminder are redundant."""
    items = list(reminders)
    session_dues = sorted(r.due_at for r in items if r.kind in SESSION_KINDS)

    def crowded(due: datetime) -> bool:
        i = bisect.bisect_left(session_dues, due - window)
        return i < len(session_dues) and session_dues[i] <= due + window

    return [r for r in items if not (r.kind in RULE_BREAK_KINDS and crowded(r.due_at))]


def _cap_priority(r: PlannedReminder) -> tuple[int, float, datetime, str]:
    rank = _CAP_RANK.get(r.kind, _BREAK_RANK)
    room = (r.expires_at - r.due_at).total_seconds()
    return (rank, -room if rank == _BREAK_RANK else 0.0, r.due_at, r.key)


def apply_daily_cap(
    reminders: Iterable[PlannedReminder], cap: int, tz: ZoneInfo
) -> list[PlannedReminder]:
    """At most ``cap`` reminders per local day (of ``due_at``); see docs/planner.md.

    Commitment reminders are exempt: they neither count towards the cap nor are dropped by it.
    """
    by_day: dict[date, list[PlannedReminder]] = defaultdict(list)
    kept: list[PlannedReminder] = []
    for r in reminders:
        if r.kind in CAP_EXEMPT_KINDS:
            kept.append(r)
        else:
            by_day[local_date(r.due_at, tz)].append(r)
    for day_items in by_day.values():
        kept.extend(sorted(day_items, key=_cap_priority)[: max(cap, 0)])
    return kept
