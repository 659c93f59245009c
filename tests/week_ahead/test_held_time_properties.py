"""Property-based: held time, passed to the planner as reminders' re-planning passes it
(``reminders.planning.held_as_busy``), never has a reminder inside it, for any calendar and
care plan; the output stays stable whatever the order of the inputs."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from interlude.core.hooks import HeldInterval
from interlude.planner import AppointmentIn, CarePlanIn, plan
from interlude.reminders.planning import held_as_busy
from tests.planner.test_properties import PROFILE, scenarios

Scenario = tuple[list[AppointmentIn], CarePlanIn, ZoneInfo, datetime, datetime]


@st.composite
def with_held_time(draw: st.DrawFn) -> tuple[Scenario, list[HeldInterval]]:
    scenario = draw(scenarios())
    appts, _, _, now, _ = scenario
    ends = [a.end for a in appts if a.kind == "session" and not a.all_day]
    held = []
    for n in range(draw(st.integers(1, 4))):
        if ends and draw(st.booleans()):  # right after a session: where a suggestion holds
            start = draw(st.sampled_from(ends))
        else:
            start = now + timedelta(minutes=5 * draw(st.integers(-12 * 12, 60 * 12)))
        length = timedelta(minutes=draw(st.sampled_from([5, 10, 10, 15, 30, 60])))
        held.append(HeldInterval(f"held:{n}", start, start + length))
    return scenario, held


@PROFILE
@given(with_held_time(), st.randoms(use_true_random=False))
def test_no_reminder_inside_held_time(
    case: tuple[Scenario, list[HeldInterval]], shuffler: random.Random
) -> None:
    (appts, care_plan, tz, now, horizon), held = case
    busy = [*appts, *held_as_busy(held)]
    reminders = plan(busy, care_plan, tz, now, horizon)
    for r in reminders:
        assert not any(h.start <= r.due_at < h.end for h in held), (r, held)
        # A reminder before held time expires by its start, as before a session.
        later = [h.start for h in held if h.start > r.due_at]
        assert not later or r.expires_at <= min(later), (r, held)
        # Held time anchors nothing: it is not a session.
        assert r.anchor is None or not r.anchor.startswith("held:")
    # Stable: the same plan whatever order the appointments and held time come in.
    shuffled = list(busy)
    shuffler.shuffle(shuffled)
    assert plan(shuffled, care_plan, tz, now, horizon) == reminders
