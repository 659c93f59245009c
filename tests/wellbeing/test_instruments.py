"""The monthly reflection: scoring, bands, the registry for a licensed instrument."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from interlude.wellbeing.instruments import (
    DEFAULT_INSTRUMENT,
    Dimension,
    DimensionScore,
    InvalidAnswers,
    Item,
    ReflectionInstrument,
    Score,
    band,
    get_instrument,
    instruments,
    register_instrument,
    unregister_instrument,
)

ITEMS = ReflectionInstrument().items


def answers(ex: int, de: int, ac: int) -> dict[str, int]:
    values = {"exhaustion": ex, "detachment": de, "accomplishment": ac}
    return {item.id: values[item.dimension] for item in ITEMS}


def test_scores_each_dimension_as_a_mean():
    score = ReflectionInstrument().score(answers(4, 2, 0))
    by_dimension = {d.dimension: d for d in score.dimensions}
    assert by_dimension["exhaustion"].score == 4.0
    assert by_dimension["exhaustion"].band == "strong"
    assert by_dimension["detachment"].band == "noticeable"
    assert by_dimension["accomplishment"].band == "low"
    assert all(d.answered == 3 for d in score.dimensions)


def test_mixed_answers_and_band_boundaries():
    mixed = answers(0, 0, 4) | {"ex1": 1, "ex2": 2, "ex3": 2}
    score = ReflectionInstrument().score(mixed)
    assert score.dimensions[0].score == pytest.approx(1.67, abs=0.01)
    assert band(1.49, positive=False) == "light"
    assert band(1.5, positive=False) == "noticeable"
    assert band(2.5, positive=False) == "strong"
    assert band(2.5, positive=True) == "high"


def test_bad_answers_are_rejected_with_a_reason():
    instrument = ReflectionInstrument()
    with pytest.raises(InvalidAnswers, match="missing"):
        instrument.score({"ex1": 1})
    with pytest.raises(InvalidAnswers, match="unknown"):
        instrument.score(answers(1, 1, 1) | {"zz": 1})
    with pytest.raises(InvalidAnswers, match="from 0 to 4"):
        instrument.score(answers(1, 1, 5))


def test_labelled_as_a_reflection_aid_and_in_our_own_words():
    instrument = get_instrument(DEFAULT_INSTRUMENT)
    assert instrument is not None and instrument.validated is False
    assert "not a validated instrument" in instrument.disclaimer
    assert {d.id for d in instrument.dimensions} == {"exhaustion", "detachment", "accomplishment"}
    text = " ".join(item.text.lower() for item in instrument.items)
    for borrowed in (
        "emotionally drained from my work",
        "used up at the end of the workday",
        "treat some recipients as if they were impersonal",
        "burned out",
    ):
        assert borrowed not in text


@dataclass(frozen=True)
class LicensedStub:
    """Stands in for a practice's licensed instrument (no real wording here)."""

    id: str = "practice-licensed"
    name: str = "Licensed instrument"
    validated: bool = True
    disclaimer: str = "Used under the practice's licence."
    scale_min: int = 1
    scale_max: int = 5
    scale_labels: tuple[str, ...] = ("1", "2", "3", "4", "5")
    dimensions: tuple[Dimension, ...] = (Dimension("overall", "Overall", "more strain"),)
    items: tuple[Item, ...] = (Item("q1", "overall", "Item one"),)

    def score(self, answers):
        return Score(self.id, [DimensionScore("overall", float(answers["q1"]), 1, "as scored")])


def test_registry_accepts_a_licensed_instrument():
    register_instrument(LicensedStub())
    try:
        assert "practice-licensed" in instruments()
        assert get_instrument("practice-licensed").score({"q1": 3}).dimensions[0].score == 3.0
    finally:
        unregister_instrument("practice-licensed")
    assert get_instrument("practice-licensed") is None
    unregister_instrument(DEFAULT_INSTRUMENT)  # the built-in one cannot be removed
    assert get_instrument(DEFAULT_INSTRUMENT) is not None
