"""Property-based tests for commitments (supervision, peer check-ins, own therapy).

A commitment is treated like a client appointment: no reminder buzzes inside one, expiries are
cut at its start, and its own reminder is never dropped by the daily cap or quiet hours.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from interlude.planner import AppointmentIn, CarePlanIn, CommitmentIn, PlannedReminder, plan
from interlude.planner.commitments import COMMITMENT_LEAD
from tests.planner.test_properties import PROFILE, scenarios

BREAK_KINDS = {"micro_break", "transition_ritual", "fixed_break", "interval_break", "end_of_day"}
Scenario = tuple[list[AppointmentIn], CarePlanIn, ZoneInfo, datetime, datetime]


@st.composite
def commitments(draw: st.DrawFn, tz: ZoneInfo, around: datetime) -> list[CommitmentIn]:
    base = around.astimezone(tz).date()
    out = []
    for n in range(draw(st.integers(0, 5))):
        day = base + timedelta(days=draw(st.integers(-1, 2)))
        local = datetime.combine(day, time(0)) + timedelta(minutes=5 * draw(st.integers(0, 287)))
        start = local.replace(tzinfo=tz, fold=draw(st.integers(0, 1))).astimezone(UTC)
        minutes = draw(st.sampled_from([30, 45, 60, 90, 120]))
        kind = draw(st.sampled_from(["supervision", "peer", "personal_therapy"]))
        out.append(
            CommitmentIn(f"c{n}", start, start + timedelta(minutes=minutes), kind)  # type: ignore[arg-type]
        )
    return out


@st.composite
def with_commitments(draw: st.DrawFn) -> tuple[Scenario, list[CommitmentIn]]:
    scenario = draw(scenarios())
    return scenario, draw(commitments(scenario[2], scenario[3]))


def _run(scenario: Scenario, held: list[CommitmentIn], **changes: object) -> list[PlannedReminder]:
    appts, care_plan, tz, now, horizon = scenario
    return plan(appts, replace(care_plan, **changes), tz, now, horizon, commitments=held)


def _off_days(care_plan: CarePlanIn) -> set[date]:
    return {
        o.start_date + timedelta(days=n)
        for o in care_plan.time_off
        for n in range((o.end_date - o.start_date).days + 1)
    }


@PROFILE
@given(with_commitments())
def test_commitments_never_contain_a_break_and_cut_every_expiry(
    case: tuple[Scenario, list[CommitmentIn]],
) -> None:
    scenario, held = case
    reminders = _run(scenario, held)
    for r in reminders:
        # No reminder at all (a break least of all) is due inside a commitment occurrence.
        assert not any(c.start <= r.due_at < c.end for c in held), r
        # Nothing that is due before a commitment outlives its start.
        later = [c.start for c in held if c.start > r.due_at]
        assert not later or r.expires_at <= min(later), r
    assert not [
        r
        for r in reminders
        if r.kind in BREAK_KINDS and any(c.start <= r.due_at < c.end for c in held)
    ]


@PROFILE
@given(with_commitments())
def test_each_commitment_is_announced_once_before_it_starts(
    case: tuple[Scenario, list[CommitmentIn]],
) -> None:
    scenario, held = case
    appts, care_plan, tz, now, horizon = scenario
    reminders = [r for r in _run(scenario, held) if r.kind == "commitment"]
    by_identity = {c.identity: c for c in held}
    anchors = [r.anchor for r in reminders]
    assert len(anchors) == len(set(anchors))
    for r in reminders:
        c = by_identity[r.anchor or ""]
        assert r.due_at < r.expires_at <= c.start
        assert c.start - r.due_at <= COMMITMENT_LEAD or r.expires_at < c.start
        assert r.due_at.astimezone(tz).date() not in _off_days(care_plan)
    busy = [(a.start, a.end) for a in appts if not a.all_day and a.end > a.start]
    busy += [(c.start, c.end) for c in held]
    for c in held:
        due = c.start - COMMITMENT_LEAD
        lead_free = not any(s < c.start and e > due for s, e in busy)
        wanted = (
            lead_free
            and c.start > now
            and due < horizon
            and due.astimezone(tz).date() not in _off_days(care_plan)
        )
        if wanted:  # quiet hours and the daily cap never take it away
            assert any(r.anchor == c.identity and r.due_at == due for r in reminders), c


@PROFILE
@given(with_commitments(), st.integers(0, 3))
def test_the_daily_cap_and_quiet_hours_never_drop_a_commitment_reminder(
    case: tuple[Scenario, list[CommitmentIn]], cap: int
) -> None:
    scenario, held = case

    def announced(**changes: object) -> list[PlannedReminder]:
        return [r for r in _run(scenario, held, **changes) if r.kind == "commitment"]

    free = announced(daily_cap=100, quiet_start=None, quiet_end=None)
    assert announced(daily_cap=cap) == free
    assert announced(daily_cap=cap, quiet_start=time(0), quiet_end=time(23, 59)) == free
    # The cap still holds for everything else.
    others = [r for r in _run(scenario, held, daily_cap=cap) if r.kind != "commitment"]
    per_day: dict[date, int] = {}
    for r in others:
        day = r.due_at.astimezone(scenario[2]).date()
        per_day[day] = per_day.get(day, 0) + 1
    assert all(n <= cap for n in per_day.values())


@PROFILE
@given(with_commitments(), st.integers(1, 48 * 60), st.randoms(use_true_random=False))
def test_commitment_plans_are_stable(
    case: tuple[Scenario, list[CommitmentIn]], minutes: int, rnd: random.Random
) -> None:
    """Input order does not matter, and re-planning later only drops expired reminders."""
    scenario, held = case
    appts, care_plan, tz, now, horizon = scenario
    first = _run(scenario, held)
    shuffled = list(held)
    rnd.shuffle(shuffled)
    assert _run(scenario, shuffled) == first
    later = now + timedelta(minutes=minutes)
    end = max(horizon, later)
    early = plan(appts, care_plan, tz, now, end, commitments=held)
    late = plan(appts, care_plan, tz, later, end, commitments=held)
    assert late == [r for r in early if r.expires_at > later]
