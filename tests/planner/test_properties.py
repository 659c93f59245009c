"""Property-based tests: the planner's invariants hold for any calendar and care plan."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interlude.planner import (
    AppointmentIn,
    CarePlanIn,
    MicroBreakRuleIn,
    PlannedReminder,
    ResponseWindowIn,
    RitualIn,
    TimeOffIn,
    plan,
)
from tests.planner.factories import LONDON, NY, SYDNEY

PROFILE = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Days around every DST transition of the three zones, and an ordinary week.
BASE_DAYS = [
    date(2026, 11, 1),
    date(2027, 3, 14),
    date(2026, 10, 25),
    date(2027, 3, 28),
    date(2026, 10, 4),
    date(2027, 4, 4),
    date(2026, 11, 24),
]
ZONES = [NY, LONDON, SYDNEY]

times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))


@st.composite
def appointments(draw: st.DrawFn, tz: ZoneInfo, base: date) -> list[AppointmentIn]:
    out = []
    count = draw(st.integers(0, 14))
    starts: list[datetime] = []
    for _ in range(count):  # mostly daytime, any time of the night now and then
        day = base + timedelta(days=draw(st.integers(-1, 2)))
        hours = st.integers(0, 24 * 12 - 1) if draw(st.booleans()) else st.integers(84, 228)
        starts.append(datetime.combine(day, time(0)) + timedelta(minutes=draw(hours) * 5))
    if draw(st.booleans()):  # a run of sessions with short gaps (back to back)
        at = datetime.combine(base + timedelta(days=draw(st.integers(-1, 2))), time(9))
        for _ in range(draw(st.integers(2, 5))):
            starts.append(at)
            at += timedelta(minutes=50 + draw(st.integers(0, 12)))
    for n, local in enumerate(starts):
        start = local.replace(tzinfo=tz, fold=draw(st.integers(0, 1))).astimezone(UTC)
        length = timedelta(minutes=draw(st.sampled_from([10, 30, 45, 50, 50, 50, 60, 90, 180])))
        out.append(
            AppointmentIn(
                identity=f"a{n}",
                start=start,
                end=start + length,
                all_day=draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans()),
                kind=draw(st.sampled_from(["session", "session", "session", "other"])),
                telehealth=draw(st.booleans()),
                intense=draw(st.booleans()),
            )
        )
    return out


@st.composite
def care_plans(draw: st.DrawFn, base: date) -> CarePlanIn:
    rules = [
        MicroBreakRuleIn(
            id=f"r{n}",
            min_gap_minutes=draw(st.integers(0, 30)),
            enabled=draw(st.sampled_from([True, True, True, False])),
        )
        for n in range(draw(st.integers(0, 2)))
    ]
    if draw(st.booleans()):
        rules.append(MicroBreakRuleIn(id="fixed", trigger="fixed_time", at_time=draw(times)))
    if draw(st.booleans()):
        every = draw(st.sampled_from([15, 45, 60, 90, 120]))
        rules.append(MicroBreakRuleIn(id="interval", trigger="interval", every_minutes=every))
    triggers = draw(
        st.lists(
            st.sampled_from(
                ["after_every_session", "after_intense", "after_telehealth", "end_of_day"]
            ),
            max_size=3,
            unique=True,
        )
    )
    rituals = [
        RitualIn(id=f"ritual-{t}", name=t, steps=("one", "two"), trigger=t)  # type: ignore[arg-type]
        for t in triggers
    ]
    windows = [
        ResponseWindowIn(weekday=draw(st.integers(0, 6)), start=draw(times), end=draw(times))
        for _ in range(draw(st.integers(0, 3)))
    ]
    time_off = []
    if draw(st.integers(0, 2)) == 0:
        first = base + timedelta(days=draw(st.integers(-1, 2)))
        time_off.append(TimeOffIn(first, first + timedelta(days=draw(st.integers(0, 1)))))
    quiet = draw(st.one_of(st.none(), st.none(), st.tuples(times, times)))
    working_start = draw(times)
    return CarePlanIn(
        rules=tuple(rules),
        rituals=tuple(rituals),
        windows=tuple(windows),
        time_off=tuple(time_off),
        quiet_start=quiet[0] if quiet else None,
        quiet_end=quiet[1] if quiet else None,
        daily_cap=draw(st.one_of(st.just(12), st.integers(0, 15))),
        working_days=tuple(sorted(draw(st.sets(st.integers(0, 6))))),
        working_start=working_start,
        working_end=draw(times),
        notify_window_close=draw(st.booleans()),
    )


@st.composite
def scenarios(
    draw: st.DrawFn,
) -> tuple[list[AppointmentIn], CarePlanIn, ZoneInfo, datetime, datetime]:
    tz = draw(st.sampled_from(ZONES))
    base = draw(st.sampled_from(BASE_DAYS))
    appts = draw(appointments(tz, base))
    care_plan = draw(care_plans(base))
    midnight = datetime.combine(base, time(0)).replace(tzinfo=tz).astimezone(UTC)
    now = midnight + timedelta(minutes=draw(st.integers(-12 * 60, 36 * 60)))
    horizon = now + timedelta(hours=draw(st.integers(6, 72)))
    return appts, care_plan, tz, now, horizon


def _busy(appts: list[AppointmentIn]) -> list[AppointmentIn]:
    return [a for a in appts if not a.all_day and a.end > a.start]


def _in_quiet(r: PlannedReminder, care_plan: CarePlanIn, tz: ZoneInfo) -> bool:
    qs, qe = care_plan.quiet_start, care_plan.quiet_end
    if qs is None or qe is None or qs == qe:
        return False
    t = r.due_at.astimezone(tz).time()
    return (qs <= t < qe) if qs < qe else (t >= qs or t < qe)


@PROFILE
@given(scenarios())
def test_invariants(
    scenario: tuple[list[AppointmentIn], CarePlanIn, ZoneInfo, datetime, datetime],
) -> None:
    appts, care_plan, tz, now, horizon = scenario
    reminders = plan(appts, care_plan, tz, now, horizon)
    busy = _busy(appts)
    sessions = [a for a in busy if a.kind == "session"]
    off_days = {
        o.start_date + timedelta(days=n)
        for o in care_plan.time_off
        for n in range((o.end_date - o.start_date).days + 1)
    }
    for r in reminders:
        # Never inside a session or any other timed busy event.
        assert not any(a.start <= r.due_at < a.end for a in busy), r
        # Never at or after its expiry; never expired already; inside the horizon.
        assert r.due_at < r.expires_at
        assert r.expires_at > now
        assert r.due_at < horizon
        # Expiry never after the next session (or busy event) starts.
        later = [a.start for a in busy if a.start > r.due_at]
        assert not later or r.expires_at <= min(later), r
        # Never in quiet hours, never on a day off.
        assert not _in_quiet(r, care_plan, tz), r
        assert r.due_at.astimezone(tz).date() not in off_days
        # Rule breaks only inside working hours on working days.
        if r.kind in ("fixed_break", "interval_break"):
            local = r.due_at.astimezone(tz)
            assert local.weekday() in care_plan.working_days
            start = datetime.combine(local.date(), care_plan.working_start).replace(tzinfo=tz)
            end = datetime.combine(local.date(), care_plan.working_end).replace(tzinfo=tz)
            assert start <= local < end
        # Anchors are session identities.
        if r.anchor is not None:
            assert r.anchor in {s.identity for s in sessions}
    # Sorted, unique keys, one reminder per session end (micro-break and ritual merged).
    assert reminders == sorted(reminders, key=lambda r: (r.due_at, r.kind, r.anchor or "", r.key))
    assert len({r.key for r in reminders}) == len(reminders)
    ends = Counter(
        (r.anchor, r.due_at)
        for r in reminders
        if r.kind in ("micro_break", "transition_ritual", "end_of_day")
    )
    assert all(n == 1 for n in ends.values())
    # The daily cap, per local day of the due time.
    per_day = Counter(r.due_at.astimezone(tz).date() for r in reminders)
    assert all(n <= care_plan.daily_cap for n in per_day.values())


@PROFILE
@given(scenarios(), st.randoms(use_true_random=False))
def test_output_is_stable_and_independent_of_input_order(
    scenario: tuple[list[AppointmentIn], CarePlanIn, ZoneInfo, datetime, datetime],
    rnd: random.Random,
) -> None:
    appts, care_plan, tz, now, horizon = scenario
    first = plan(appts, care_plan, tz, now, horizon)
    assert plan(list(appts), care_plan, tz, now, horizon) == first
    shuffled = list(appts)
    rnd.shuffle(shuffled)
    assert plan(shuffled, care_plan, tz, now, horizon) == first
    assert plan(tuple(reversed(appts)), care_plan, tz, now, horizon) == first
    reordered = replace(
        care_plan,
        rules=care_plan.rules[::-1],
        rituals=care_plan.rituals[::-1],
        windows=care_plan.windows[::-1],
    )
    assert plan(appts, reordered, tz, now, horizon) == first


@PROFILE
@given(scenarios(), st.integers(1, 48 * 60))
def test_replanning_later_only_drops_expired_reminders(
    scenario: tuple[list[AppointmentIn], CarePlanIn, ZoneInfo, datetime, datetime],
    minutes: int,
) -> None:
    """What a day keeps does not depend on when you plan: the outbox sees no churn."""
    appts, care_plan, tz, now, horizon = scenario
    later = now + timedelta(minutes=minutes)
    end = max(horizon, later)
    early = plan(appts, care_plan, tz, now, end)
    late = plan(appts, care_plan, tz, later, end)
    assert late == [r for r in early if r.expires_at > later]


@PROFILE
@given(
    st.sampled_from(ZONES),
    st.sampled_from(BASE_DAYS),
    st.builds(time, st.integers(0, 23), st.integers(0, 59)),
)
def test_fixed_time_reminders_keep_their_local_wall_clock(
    tz: ZoneInfo, base: date, at_time: time
) -> None:
    rule = MicroBreakRuleIn(id="fixed", trigger="fixed_time", at_time=at_time)
    care_plan = CarePlanIn(
        rules=(rule,),
        working_days=(0, 1, 2, 3, 4, 5, 6),
        working_start=time(0),
        working_end=time(23, 59, 59),
    )
    start = datetime.combine(base - timedelta(days=2), time(0)).replace(tzinfo=tz)
    reminders = plan([], care_plan, tz, start, start + timedelta(days=5))
    assert reminders
    for r in reminders:
        local = r.due_at.astimezone(tz)
        wall = datetime.combine(local.date(), at_time).replace(tzinfo=tz)
        exists = wall.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall.replace(
            tzinfo=None
        )
        if exists:
            assert (local.hour, local.minute) == (at_time.hour, at_time.minute)
            assert r.due_at == wall.astimezone(UTC)  # fold=0: the first of a repeated time
        else:  # the spring-forward gap: moved forward by the gap
            assert local > wall.replace(fold=1)
            assert local.replace(tzinfo=None) - wall.replace(tzinfo=None) == timedelta(hours=1)
