"""Stored monthly self-checks: one per month and instrument, scored when saved."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from interlude.accounts.models import User
from interlude.core.errors import Conflict, NotFound, Unprocessable
from interlude.core.security import Keyring
from interlude.wellbeing.instruments import Instrument, InvalidAnswers, get_instrument, instruments
from interlude.wellbeing.models import SelfCheck
from interlude.wellbeing.schemas import (
    DimensionScoreRead,
    InstrumentItemRead,
    InstrumentRead,
    SelfCheckCreate,
    SelfCheckRead,
    SelfCheckUpdate,
)
from interlude.wellbeing.service import decrypt_optional, encrypt_optional, local_today


def month_of(day: date) -> date:
    return day.replace(day=1)


def _instrument(instrument_id: str) -> Instrument:
    found = get_instrument(instrument_id)
    if found is None:
        known = ", ".join(sorted(instruments()))
        raise Unprocessable(f"instrument: unknown {instrument_id!r}; available: {known}.")
    return found


def _score(instrument: Instrument, answers: dict[str, int]) -> dict[str, Any]:
    try:
        result = instrument.score(answers)
    except InvalidAnswers as exc:
        raise Unprocessable(f"answers: {exc}.") from exc
    return {d.dimension: {"score": d.score, "band": d.band} for d in result.dimensions}


def instrument_read(instrument: Instrument) -> InstrumentRead:
    return InstrumentRead(
        id=instrument.id,
        name=instrument.name,
        validated=instrument.validated,
        disclaimer=instrument.disclaimer,
        scale_min=instrument.scale_min,
        scale_max=instrument.scale_max,
        scale_labels=list(instrument.scale_labels),
        dimensions=[
            {"id": d.id, "label": d.label, "higher_means": d.higher_means}
            for d in instrument.dimensions
        ],
        items=[
            InstrumentItemRead(id=i.id, dimension=i.dimension, text=i.text)
            for i in instrument.items
        ],
    )


def create_self_check(
    *, session: Session, user: User, data: SelfCheckCreate, keyring: Keyring, now: datetime
) -> SelfCheck:
    instrument = _instrument(data.instrument)
    this_month = month_of(local_today(user, now))
    month = month_of(data.month) if data.month else this_month
    if month > this_month:
        raise Unprocessable("month: you can reflect on this month or an earlier one.")
    scores = _score(instrument, data.answers)
    existing = session.scalar(
        select(SelfCheck).where(
            SelfCheck.user_id == user.id,
            SelfCheck.month == month,
            SelfCheck.instrument == instrument.id,
        )
    )
    if existing is not None:
        raise Conflict(
            f"You already did this self-check for {month:%B %Y}: edit it instead.",
            code="self_check_exists",
            details={"id": str(existing.id)},
        )
    row = SelfCheck(
        user_id=user.id,
        month=month,
        instrument=instrument.id,
        answers=dict(data.answers),
        scores=scores,
        note_encrypted=encrypt_optional(keyring, data.note),
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def get_self_check(*, session: Session, user_id: uuid.UUID, check_id: uuid.UUID) -> SelfCheck:
    row = session.get(SelfCheck, check_id)
    if row is None or row.user_id != user_id:
        raise NotFound("No such self-check.")
    return row


def list_self_checks(*, session: Session, user_id: uuid.UUID) -> list[SelfCheck]:
    query = select(SelfCheck).where(SelfCheck.user_id == user_id)
    return list(session.scalars(query.order_by(SelfCheck.month.desc(), SelfCheck.instrument)))


def update_self_check(
    *,
    session: Session,
    user_id: uuid.UUID,
    check_id: uuid.UUID,
    data: SelfCheckUpdate,
    keyring: Keyring,
    now: datetime,
) -> SelfCheck:
    row = get_self_check(session=session, user_id=user_id, check_id=check_id)
    if "answers" in data.model_fields_set:
        if data.answers is None:
            raise Unprocessable("answers: give every item an answer, or leave answers out.")
        row.scores = _score(_instrument(row.instrument), data.answers)
        row.answers = dict(data.answers)
    if "note" in data.model_fields_set:
        row.note_encrypted = encrypt_optional(keyring, data.note)
    row.updated_at = now
    session.flush()
    return row


def _previous(session: Session, row: SelfCheck) -> SelfCheck | None:
    return session.scalar(
        select(SelfCheck)
        .where(
            SelfCheck.user_id == row.user_id,
            SelfCheck.instrument == row.instrument,
            SelfCheck.month < row.month,
        )
        .order_by(SelfCheck.month.desc())
        .limit(1)
    )


def self_check_read(*, session: Session, row: SelfCheck, keyring: Keyring) -> SelfCheckRead:
    instrument = get_instrument(row.instrument)
    labels = {d.id: d for d in instrument.dimensions} if instrument else {}
    scores = []
    for dimension, value in (row.scores or {}).items():
        known = labels.get(dimension)
        scores.append(
            DimensionScoreRead(
                dimension=dimension,
                label=known.label if known else dimension,
                score=float(value["score"]),
                band=str(value["band"]),
                higher_means=known.higher_means if known else "",
            )
        )
    previous = _previous(session, row)
    change = None
    if previous is not None:
        change = {
            name: round(float(value["score"]) - float(previous.scores[name]["score"]), 2)
            for name, value in (row.scores or {}).items()
            if name in (previous.scores or {})
        }
    return SelfCheckRead(
        id=row.id,
        month=row.month,
        instrument=row.instrument,
        validated=bool(instrument and instrument.validated),
        disclaimer=instrument.disclaimer if instrument else "",
        answers=dict(row.answers),
        scores=scores,
        change_since_previous=change,
        note=decrypt_optional(keyring, row.note_encrypted),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
