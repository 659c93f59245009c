"""Reminders for recurring commitments: supervision, peer check-ins, personal therapy.

A commitment occurrence is treated like a client appointment: it is busy time (no break buzzes
inside one, expiries are cut at its start; see ``engine.plan``) and it is never skipped. Each
occurrence gets one ``commitment`` reminder ``COMMITMENT_LEAD`` before it starts, expiring at
its start. See docs/planner.md ("Commitments") for the rules and the reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from interlude.core.timezones import local_time
from interlude.planner import texts
from interlude.planner.candidates import ROOM, Candidate
from interlude.planner.clock_math import BusyTime
from interlude.planner.types import CommitmentIn

COMMITMENT_LEAD = timedelta(minutes=10)


def timed_commitments(commitments: Sequence[CommitmentIn]) -> list[CommitmentIn]:
    """Non-empty occurrences, de-duplicated and in a canonical order."""
    unique = {(c.start, c.end, c.identity, c.kind): c for c in commitments if c.end > c.start}
    return [unique[k] for k in sorted(unique)]


def _candidate(c: CommitmentIn, busy: BusyTime, tz: ZoneInfo) -> Candidate:
    name = texts.commitment_name(c.kind)
    starts_at = texts.hhmm(local_time(c.start, tz))
    duration = int((c.end - c.start).total_seconds() // 60)
    lead_due = c.start - COMMITMENT_LEAD
    fallback: Candidate | None = None
    block = busy.block_at(lead_due)
    if block is not None and block[1] >= c.start:
        # Busy (a session) right up to the start: tell them before that busy stretch begins.
        fallback = Candidate(
            kind="commitment",
            anchor=c.identity,
            due=block[0] - COMMITMENT_LEAD,
            title=texts.commitment_later_title(name, starts_at),
            body=texts.commitment_later_body(),
            expires_at=block[0],
            shift=False,
            ignore_quiet=True,
            duration_minutes=duration,
        )
    return Candidate(
        kind="commitment",
        anchor=c.identity,
        due=lead_due,
        title=texts.commitment_title_template(name, ROOM),
        body=texts.commitment_body(name, starts_at),
        expires_at=c.start,
        room_until=c.start,
        shift=True,  # inside a session: slide to its end, as long as that is before the start
        within=(lead_due, c.start),
        ignore_quiet=True,
        duration_minutes=duration,
        fallback=fallback,
    )


def commitment_candidates(
    commitments: Sequence[CommitmentIn], busy: BusyTime, tz: ZoneInfo
) -> list[Candidate]:
    """One reminder candidate per occurrence; ``busy`` includes the commitments themselves."""
    return [_candidate(c, busy, tz) for c in commitments]
