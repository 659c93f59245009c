"""The monthly self-check: a reflection aid in Interlude's own words, and a registry for
instruments a practice holds a licence for.

The built-in items are NOT a validated instrument and do not reproduce the wording of any
published one (Maslach Burnout Inventory, Mini-Z, ...). They look at the three classic
dimensions of burnout so the user can notice change from month to month, nothing more.

A practice with a licence for a validated instrument registers it with
``register_instrument(...)`` from its own package (or the ``interlude.instruments`` entry
point group); its wording then lives in that package, never in this repository.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from statistics import fmean
from typing import Protocol

DEFAULT_INSTRUMENT = "interlude-reflection-v1"
REFLECTION_DISCLAIMER = (
    "A reflection aid written for Interlude, not a validated instrument: it cannot tell you "
    "whether you are burned out. Use it to notice how this month compares with the last, and "
    "talk to a supervisor, peer or your own therapist about anything that worries you."
)


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    dimension: str
    text: str
    reverse: bool = False  # True when agreeing is the better end of the dimension


@dataclass(frozen=True, slots=True)
class Dimension:
    id: str
    label: str
    higher_means: str  # how to read a higher score, in plain words


@dataclass(frozen=True, slots=True)
class DimensionScore:
    dimension: str
    score: float  # mean of the dimension's items on the instrument's scale
    answered: int
    band: str  # a descriptive word, never a diagnosis


@dataclass(frozen=True, slots=True)
class Score:
    instrument: str
    dimensions: list[DimensionScore]


class Instrument(Protocol):
    """What the API needs from any self-check instrument (attributes may be plain fields)."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def validated(self) -> bool: ...
    @property
    def disclaimer(self) -> str: ...
    @property
    def scale_min(self) -> int: ...
    @property
    def scale_max(self) -> int: ...
    @property
    def scale_labels(self) -> tuple[str, ...]: ...
    @property
    def dimensions(self) -> tuple[Dimension, ...]: ...
    @property
    def items(self) -> tuple[Item, ...]: ...

    def score(self, answers: Mapping[str, int]) -> Score: ...


class InvalidAnswers(ValueError):
    """Answers that do not fit the instrument; the message tells the user what to fix."""


def check_answers(instrument: Instrument, answers: Mapping[str, int]) -> None:
    known = {item.id for item in instrument.items}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise InvalidAnswers(f"unknown item(s) {', '.join(unknown)} for {instrument.id}")
    missing = sorted(known - set(answers))
    if missing:
        raise InvalidAnswers(f"answer every item; missing {', '.join(missing)}")
    for item_id, value in answers.items():
        if not instrument.scale_min <= value <= instrument.scale_max:
            raise InvalidAnswers(
                f"{item_id}: answer with a number from {instrument.scale_min} "
                f"to {instrument.scale_max}"
            )


@dataclass(frozen=True)
class ReflectionInstrument:
    """Interlude's own monthly reflection: 9 items, 3 per dimension, answered 0-4."""

    id: str = DEFAULT_INSTRUMENT
    name: str = "Monthly reflection"
    validated: bool = False
    disclaimer: str = REFLECTION_DISCLAIMER
    scale_min: int = 0
    scale_max: int = 4
    scale_labels: tuple[str, ...] = (
        "Not at all",
        "A little",
        "Somewhat",
        "Quite a lot",
        "Very much",
    )
    dimensions: tuple[Dimension, ...] = (
        Dimension("exhaustion", "Running on empty", "more tired and drained"),
        Dimension("detachment", "Distance from clients", "more distant from the people you see"),
        Dimension("accomplishment", "Sense of doing good work", "more sense of doing good work"),
    )
    items: tuple[Item, ...] = field(
        default_factory=lambda: (
            Item("ex1", "exhaustion", "This month, my days left me with little in the tank."),
            Item("ex2", "exhaustion", "I needed more recovery time than rest could give me."),
            Item("ex3", "exhaustion", "Getting ready for the next session took real effort."),
            Item("de1", "detachment", "I caught myself going through the motions in sessions."),
            Item("de2", "detachment", "Clients' stories reached me less than they used to."),
            Item("de3", "detachment", "I felt more guarded or cool towards the people I see."),
            Item("ac1", "accomplishment", "I could see my work making a difference.", reverse=True),
            Item("ac2", "accomplishment", "I felt capable in the hard moments.", reverse=True),
            Item("ac3", "accomplishment", "I ended some days glad of what I did.", reverse=True),
        )
    )

    def score(self, answers: Mapping[str, int]) -> Score:
        check_answers(self, answers)
        scores = []
        for dimension in self.dimensions:
            values = [answers[i.id] for i in self.items if i.dimension == dimension.id]
            mean = fmean(values)
            scores.append(
                DimensionScore(
                    dimension=dimension.id,
                    score=round(mean, 2),
                    answered=len(values),
                    band=band(mean, positive=dimension.id == "accomplishment"),
                )
            )
        return Score(instrument=self.id, dimensions=scores)


def band(mean: float, *, positive: bool) -> str:
    """Descriptive words for a 0-4 mean: "light" / "noticeable" / "strong" (or, for the
    positive dimension, "low" / "moderate" / "high"). Boundaries: < 1.5, < 2.5, else."""
    words = ("low", "moderate", "high") if positive else ("light", "noticeable", "strong")
    if mean < 1.5:
        return words[0]
    if mean < 2.5:
        return words[1]
    return words[2]


_REGISTRY: dict[str, Instrument] = {}
_entry_points_loaded = False


def register_instrument(instrument: Instrument) -> None:
    """Make an instrument available to ``POST /self-checks`` under ``instrument.id``."""
    _REGISTRY[instrument.id] = instrument


def unregister_instrument(instrument_id: str) -> None:
    if instrument_id != DEFAULT_INSTRUMENT:
        _REGISTRY.pop(instrument_id, None)


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for point in entry_points(group="interlude.instruments"):
        register_instrument(point.load()())


def instruments() -> dict[str, Instrument]:
    _load_entry_points()
    return dict(_REGISTRY)


def get_instrument(instrument_id: str) -> Instrument | None:
    return instruments().get(instrument_id)


register_instrument(ReflectionInstrument())
