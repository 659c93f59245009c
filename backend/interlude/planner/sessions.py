"""Reminders that hang on sessions: micro-breaks (with notes time when the gap holds both),
transition rituals, notes time alone, the end of the day, and the evening-before heads-up for
back-to-back runs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from interlude.core.timezones import local_date, local_time, local_to_utc
from interlude.planner import texts
from interlude.planner.candidates import ROOM, Candidate
from interlude.planner.clock_math import QuietHours
from interlude.planner.notes import in_scope
from interlude.planner.types import AppointmentIn, CarePlanIn, MicroBreakRuleIn, RitualIn

LAST_OF_DAY_ROOM = timedelta(minutes=30)  # a last-of-day micro-break lives this long
END_OF_DAY_ROOM = timedelta(minutes=60)
BACK_TO_BACK_GAP = timedelta(minutes=10)  # runs of sessions closer than this are "back to back"
BACK_TO_BACK_MIN_RUN = 3
HEADS_UP_AT = time(19, 0)  # local time of the evening-before heads-up


@dataclass(frozen=True, slots=True)
class Block:
    """Sessions that overlap (a double booking) end together: one block, one reminder."""

    start: datetime
    end: datetime
    anchor: str  # the identity of the session that ends the block
    intense: bool
    telehealth: bool
    anchor_start: datetime  # when that session started: notes name it ("your 13:00 session")


def session_blocks(day_sessions: Sequence[AppointmentIn]) -> list[Block]:
    """Blocks of one day's sessions, in order; sessions must be sorted by start."""
    blocks: list[Block] = []
    for s in day_sessions:
        if blocks and s.start < blocks[-1].end:
            prev = blocks[-1]
            later = s.end > prev.end or (s.end == prev.end and s.identity < prev.anchor)
            blocks[-1] = Block(
                start=prev.start,
                end=max(prev.end, s.end),
                anchor=s.identity if later else prev.anchor,
                intense=prev.intense or s.intense,
                telehealth=prev.telehealth or s.telehealth,
                anchor_start=s.start if later else prev.anchor_start,
            )
        else:
            blocks.append(Block(s.start, s.end, s.identity, s.intense, s.telehealth, s.start))
    return blocks


def choose_rule(
    rules: Sequence[MicroBreakRuleIn], gap: timedelta | None
) -> MicroBreakRuleIn | None:
    """The most generous enabled after-session rule whose ``min_gap`` fits the gap."""
    fitting = [
        r
        for r in rules
        if r.enabled
        and r.trigger == "after_session"
        and (gap is None or gap >= timedelta(minutes=max(r.min_gap_minutes, 0)))
    ]
    return min(fitting, key=lambda r: (-r.min_gap_minutes, r.id), default=None)


_RITUAL_PRIORITY = {"after_intense": 0, "after_telehealth": 1, "after_every_session": 2}


def choose_ritual(rituals: Sequence[RitualIn], block: Block) -> RitualIn | None:
    """The most specific enabled ritual matching the block: intense > telehealth > every."""
    matching = [
        r
        for r in rituals
        if r.enabled
        and (
            r.trigger == "after_every_session"
            or (r.trigger == "after_intense" and block.intense)
            or (r.trigger == "after_telehealth" and block.telehealth)
        )
    ]
    return min(matching, key=lambda r: (_RITUAL_PRIORITY[r.trigger], r.id), default=None)


def end_of_day_ritual(rituals: Sequence[RitualIn]) -> RitualIn | None:
    enabled = [r for r in rituals if r.enabled and r.trigger == "end_of_day"]
    return min(enabled, key=lambda r: r.id, default=None)


@dataclass(frozen=True, slots=True)
class Notes:
    """Notes time for one block's gap: ``minutes`` (0 = none) for the session started at
    ``session_at`` (local HH:MM), to end by ``by`` (the day's last block: working_end)."""

    minutes: int
    session_at: str
    by: datetime | None


NO_NOTES = Notes(minutes=0, session_at="", by=None)


def _notes_for(
    block: Block, next_start: datetime | None, day: date, care_plan: CarePlanIn, tz: ZoneInfo
) -> Notes:
    if care_plan.notes_minutes <= 0 or not in_scope(
        care_plan.notes_applies_to, block.intense, block.telehealth
    ):
        return NO_NOTES
    return Notes(
        minutes=care_plan.notes_minutes,
        session_at=texts.hhmm(local_time(block.anchor_start, tz)),
        # After the day's last session the notes must end inside working hours.
        by=local_to_utc(day, care_plan.working_end, tz) if next_start is None else None,
    )


def _with_notes(
    plain: Candidate, notes: Notes, *, body: str, title: str | None = None
) -> Candidate:
    """``plain`` carrying notes time; placing it falls back to ``plain`` when it does not fit."""
    return replace(
        plain,
        title=title or plain.title,
        body=body,
        notes_minutes=notes.minutes,
        notes_by=notes.by,
        fallback=plain,
    )


def _after_block(
    block: Block, next_start: datetime | None, care_plan: CarePlanIn, notes: Notes
) -> Candidate | None:
    eod = end_of_day_ritual(care_plan.rituals) if next_start is None else None
    if eod is not None:
        shutdown = Candidate(
            kind="end_of_day",
            anchor=block.anchor,
            due=block.end,
            title=texts.end_of_day_title(),
            body=texts.end_of_day_body(eod),
            expires_at=block.end + END_OF_DAY_ROOM,
            duration_minutes=eod.duration_minutes,
            ritual_steps=eod.steps,
            ritual_name=texts.ritual_name(eod),
            ritual_minutes=eod.duration_minutes,
        )
        if not notes.minutes:
            return shutdown
        body = texts.end_of_day_notes_body(eod, notes.minutes, notes.session_at)
        return _with_notes(shutdown, notes, body=body)
    expires = next_start if next_start is not None else block.end + LAST_OF_DAY_ROOM
    gap = next_start - block.end if next_start is not None else None
    rule = choose_rule(care_plan.rules, gap)
    ritual = choose_ritual(care_plan.rituals, block)
    next_in = f" Next session in {ROOM}." if next_start is not None else ""
    if rule is not None:
        micro_break = Candidate(
            kind="micro_break",
            anchor=block.anchor,
            due=block.end,
            title=texts.break_title(rule),
            body=texts.micro_break_body(rule, ritual) + next_in,
            expires_at=expires,
            room_until=next_start,
            activity=rule.activity,
            duration_minutes=rule.duration_minutes,
            ritual_steps=ritual.steps if ritual is not None else (),
            ritual_name=texts.ritual_name(ritual) if ritual is not None else None,
            ritual_minutes=ritual.duration_minutes if ritual is not None else 0,
        )
        if not notes.minutes:
            return micro_break
        if care_plan.notes_order == "notes_first":
            title = texts.notes_title(notes.minutes)
            said = texts.notes_then_break(notes.minutes, rule.duration_minutes, notes.session_at)
        else:
            title = texts.break_title(rule)
            said = texts.break_then_notes(rule.duration_minutes, notes.session_at)
        body = texts.split_break_body(said, rule, ritual) + next_in
        return _with_notes(micro_break, notes, title=title, body=body)
    transition = (
        Candidate(
            kind="transition_ritual",
            anchor=block.anchor,
            due=block.end,
            title=texts.ritual_title(ritual),
            body=texts.ritual_body(ritual),
            expires_at=expires,
            duration_minutes=ritual.duration_minutes,
            ritual_steps=ritual.steps,
            ritual_name=texts.ritual_name(ritual),
            ritual_minutes=ritual.duration_minutes,
        )
        if ritual is not None
        else None
    )
    if not notes.minutes:
        return transition
    # No break fits the gap, but notes time may: one notification, carrying the ritual if any.
    body = texts.notes_body(notes.minutes, notes.session_at)
    if ritual is not None:
        body += texts.then_ritual(ritual)
    return Candidate(
        kind="notes",
        anchor=block.anchor,
        due=block.end,
        title=texts.notes_title(notes.minutes),
        body=body + next_in,
        expires_at=expires,
        room_until=next_start,
        duration_minutes=ritual.duration_minutes if ritual is not None else 0,
        ritual_steps=ritual.steps if ritual is not None else (),
        ritual_name=texts.ritual_name(ritual) if ritual is not None else None,
        ritual_minutes=ritual.duration_minutes if ritual is not None else 0,
        notes_minutes=notes.minutes,
        notes_by=notes.by,
        fallback=transition,
    )


class Span(Protocol):
    @property
    def start(self) -> datetime: ...
    @property
    def end(self) -> datetime: ...


SpanT = TypeVar("SpanT", bound=Span)


def back_to_back_runs(sessions: Sequence[SpanT]) -> list[list[SpanT]]:
    """Maximal runs of sessions (in start order) each starting less than BACK_TO_BACK_GAP
    after the run so far ended. The week ahead counts runs with this same rule."""
    runs: list[list[SpanT]] = []
    run_end: datetime | None = None
    for s in sessions:
        if runs and run_end is not None and s.start - run_end < BACK_TO_BACK_GAP:
            runs[-1].append(s)
            run_end = max(run_end, s.end)
        else:
            runs.append([s])
            run_end = s.end
    return runs


def _heads_up(
    day: date, run: list[AppointmentIn], care_plan: CarePlanIn, tz: ZoneInfo
) -> Candidate:
    start, end = run[0].start, max(s.end for s in run)
    start_local, end_local = local_time(start, tz), local_time(end, tz)
    day_start = local_to_utc(day, time(0), tz)
    morning_at = care_plan.working_start
    quiet = QuietHours(care_plan.quiet_start, care_plan.quiet_end, tz)
    if quiet.contains(local_to_utc(day, morning_at, tz)) and care_plan.quiet_end is not None:
        morning_at = care_plan.quiet_end
    morning = Candidate(
        kind="back_to_back",
        anchor=run[0].identity,
        due=local_to_utc(day, morning_at, tz),
        title=texts.back_to_back_title(tomorrow=False),
        body=texts.back_to_back_body(False, start_local, end_local, len(run)),
        expires_at=start,
        within=(day_start, start),
    )
    return Candidate(
        kind="back_to_back",
        anchor=run[0].identity,
        due=local_to_utc(day - timedelta(days=1), HEADS_UP_AT, tz),
        title=texts.back_to_back_title(tomorrow=True),
        body=texts.back_to_back_body(True, start_local, end_local, len(run)),
        expires_at=start,
        within=(local_to_utc(day - timedelta(days=1), time(0), tz), day_start),
        fallback=morning,
    )


def session_candidates(
    sessions: Sequence[AppointmentIn], care_plan: CarePlanIn, tz: ZoneInfo
) -> list[Candidate]:
    """Candidates for every session; ``sessions`` sorted by (start, end, identity)."""
    by_day: dict[date, list[AppointmentIn]] = defaultdict(list)
    for s in sessions:
        by_day[local_date(s.start, tz)].append(s)
    out: list[Candidate] = []
    for day in sorted(by_day):
        day_sessions = by_day[day]
        blocks = session_blocks(day_sessions)
        for i, block in enumerate(blocks):
            next_start = blocks[i + 1].start if i + 1 < len(blocks) else None
            candidate = _after_block(
                block, next_start, care_plan, _notes_for(block, next_start, day, care_plan, tz)
            )
            if candidate is not None:
                out.append(candidate)
        for run in back_to_back_runs(day_sessions):
            if len(run) >= BACK_TO_BACK_MIN_RUN:
                out.append(_heads_up(day, run, care_plan, tz))
    return out
