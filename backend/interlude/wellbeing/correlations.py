"""Plain-words correlations between energy and a day's circumstances.

A correlation is only said out loud when it rests on at least 3 days with the factor and 3
days without it (days with an energy check-in); the sentence says how many days it rests on.
These are observations about the user's own days, never claims about cause.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from statistics import fmean

from interlude.wellbeing.indicators import CheckInFact, DayLoad

MIN_DAYS_EACH_SIDE = 3


@dataclass(frozen=True, slots=True)
class DayFacts:
    """What one day looked like; None means "unknown that day" (the day is left out)."""

    date: date
    energy: float
    load: DayLoad | None = None
    moved: bool | None = None
    connected: bool | None = None
    sleep_quality: float | None = None


@dataclass(frozen=True, slots=True)
class Factor:
    code: str
    with_words: str  # "On days with 3+ back-to-back sessions"
    test: Callable[[DayFacts], bool | None]


@dataclass(frozen=True, slots=True)
class Correlation:
    factor: str
    sentence: str
    energy_with: float
    energy_without: float
    days_with: int
    days_without: int

    @property
    def days(self) -> int:
        return self.days_with + self.days_without

    @property
    def difference(self) -> float:
        return self.energy_with - self.energy_without


def _load(test: Callable[[DayLoad], bool]) -> Callable[[DayFacts], bool | None]:
    def check(day: DayFacts) -> bool | None:
        return None if day.load is None else test(day.load)

    return check


def _most_breaks_taken(load: DayLoad) -> bool | None:
    if load.breaks_planned == 0:
        return None
    return load.breaks_taken * 2 >= load.breaks_planned


def _breaks(day: DayFacts) -> bool | None:
    return None if day.load is None else _most_breaks_taken(day.load)


FACTORS: tuple[Factor, ...] = (
    Factor(
        "back_to_back", "On days with 3+ back-to-back sessions", _load(lambda d: d.longest_run >= 3)
    ),
    Factor("heavy_day", "On days with 6 or more sessions", _load(lambda d: d.sessions >= 6)),
    Factor(
        "outside_hours",
        "On days with a session outside your working hours",
        _load(lambda d: d.outside_hours > 0),
    ),
    Factor("breaks_taken", "On days you took most of your planned breaks", _breaks),
    Factor("moved", "On days you moved or exercised", lambda d: d.moved),
    Factor("connected", "On days you connected with someone outside work", lambda d: d.connected),
    Factor(
        "slept_well",
        "After nights you rated your sleep 4 or 5",
        lambda d: None if d.sleep_quality is None else d.sleep_quality >= 4,
    ),
)


def build_days(checkins: Iterable[CheckInFact], loads: Mapping[date, DayLoad]) -> list[DayFacts]:
    """One ``DayFacts`` per date with at least one check-in; several check-ins a day are
    averaged (energy, sleep) or OR-ed (moved, connected: yes if any check-in said yes)."""
    grouped: dict[date, list[CheckInFact]] = defaultdict(list)
    for item in checkins:
        grouped[item.local_date].append(item)
    days = []
    for day, items in sorted(grouped.items()):
        sleep = [i.sleep_quality for i in items if i.sleep_quality is not None]
        days.append(
            DayFacts(
                date=day,
                energy=fmean(i.energy for i in items),
                load=loads.get(day),
                moved=_any_known(i.moved for i in items),
                connected=_any_known(i.connected for i in items),
                sleep_quality=fmean(sleep) if sleep else None,
            )
        )
    return days


def _any_known(values: Iterable[bool | None]) -> bool | None:
    known = [v for v in values if v is not None]
    return any(known) if known else None


def find(days: Iterable[DayFacts], factors: Iterable[Factor] = FACTORS) -> list[Correlation]:
    """Every factor with enough days on both sides, the largest energy difference first."""
    days = list(days)
    found = []
    for factor in factors:
        with_factor, without = [], []
        for day in days:
            result = factor.test(day)
            if result is True:
                with_factor.append(day.energy)
            elif result is False:
                without.append(day.energy)
        if len(with_factor) < MIN_DAYS_EACH_SIDE or len(without) < MIN_DAYS_EACH_SIDE:
            continue
        mean_with, mean_without = fmean(with_factor), fmean(without)
        total = len(with_factor) + len(without)
        found.append(
            Correlation(
                factor=factor.code,
                sentence=(
                    f"{factor.with_words}, your energy averaged {mean_with:.1f}, against "
                    f"{mean_without:.1f} on other days ({total} days)."
                ),
                energy_with=round(mean_with, 2),
                energy_without=round(mean_without, 2),
                days_with=len(with_factor),
                days_without=len(without),
            )
        )
    return sorted(found, key=lambda c: abs(c.difference), reverse=True)
