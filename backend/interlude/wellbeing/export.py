"""The user's wellbeing data as JSON (everything) or CSV (one table at a time).

Free text is decrypted: it is the user's own writing, and this is their copy of it. CSV cells
that a spreadsheet would run as a formula are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from interlude.core.security import Keyring
from interlude.wellbeing.models import (
    CheckIn,
    Commitment,
    SelfCheck,
    WeeklyReview,
    WellbeingSettings,
)
from interlude.wellbeing.service import decrypt_optional

Dataset = Literal["checkins", "weekly_reviews", "self_checks", "commitments"]
DATASETS: tuple[Dataset, ...] = ("checkins", "weekly_reviews", "self_checks", "commitments")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _checkins(session: Session, user_id: uuid.UUID, keyring: Keyring) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(CheckIn).where(CheckIn.user_id == user_id).order_by(CheckIn.at)
    ).all()
    return [
        {
            "id": str(r.id),
            "at": r.at.isoformat(),
            "local_date": r.local_date.isoformat(),
            "timezone": r.timezone,
            "energy": r.energy,
            "emotions": list(r.emotions or []),
            "sleep_quality": r.sleep_quality,
            "moved": r.moved,
            "connected": r.connected,
            "insight": decrypt_optional(keyring, r.insight_encrypted),
            "gratitude": decrypt_optional(keyring, r.gratitude_encrypted),
        }
        for r in rows
    ]


def _reviews(session: Session, user_id: uuid.UUID, keyring: Keyring) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(WeeklyReview)
        .where(WeeklyReview.user_id == user_id)
        .order_by(WeeklyReview.week_start)
    ).all()
    return [
        {
            "id": str(r.id),
            "week_start": r.week_start.isoformat(),
            "warning_signs": list(r.warning_signs or []),
            "commitments_kept": dict(r.commitments_kept or {}),
            "fulfillment": decrypt_optional(keyring, r.fulfillment_encrypted),
        }
        for r in rows
    ]


def _self_checks(session: Session, user_id: uuid.UUID, keyring: Keyring) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(SelfCheck).where(SelfCheck.user_id == user_id).order_by(SelfCheck.month)
    ).all()
    return [
        {
            "id": str(r.id),
            "month": r.month.isoformat(),
            "instrument": r.instrument,
            "answers": dict(r.answers),
            "scores": dict(r.scores),
            "note": decrypt_optional(keyring, r.note_encrypted),
        }
        for r in rows
    ]


def _commitments(session: Session, user_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Commitment).where(Commitment.user_id == user_id).order_by(Commitment.created_at)
    ).all()
    return [
        {
            "id": str(r.id),
            "kind": r.kind,
            "label": r.label,
            "weekday": r.weekday,
            "start_time": r.start_time.isoformat(timespec="minutes"),
            "duration_minutes": r.duration_minutes,
            "frequency": r.frequency,
            "starts_on": r.starts_on.isoformat(),
            "active": r.active,
        }
        for r in rows
    ]


def export_json(*, session: Session, user_id: uuid.UUID, keyring: Keyring) -> dict[str, Any]:
    """Everything the wellbeing domain holds for the user; also the ``/me/export`` hook."""
    settings_row = session.get(WellbeingSettings, user_id)
    return {
        "settings": None
        if settings_row is None
        else {
            "weekly_caseload_limit": settings_row.weekly_caseload_limit,
            "muted_signals": dict(settings_row.muted_signals or {}),
            "emotion_words": list(settings_row.emotion_words or []),
        },
        "checkins": _checkins(session, user_id, keyring),
        "weekly_reviews": _reviews(session, user_id, keyring),
        "self_checks": _self_checks(session, user_id, keyring),
        "commitments": _commitments(session, user_id),
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        text = "; ".join(str(v) for v in value)
    elif isinstance(value, dict):
        text = "; ".join(f"{k}={v}" for k, v in value.items())
    else:
        text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_csv(*, session: Session, user_id: uuid.UUID, keyring: Keyring, dataset: Dataset) -> str:
    rows: list[dict[str, Any]]
    if dataset == "checkins":
        rows = _checkins(session, user_id, keyring)
    elif dataset == "weekly_reviews":
        rows = _reviews(session, user_id, keyring)
    elif dataset == "self_checks":
        rows = _self_checks(session, user_id, keyring)
    else:
        rows = _commitments(session, user_id)
    columns = list(rows[0]) if rows else _EMPTY_COLUMNS[dataset]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in columns])
    return out.getvalue()


_EMPTY_COLUMNS: dict[str, list[str]] = {
    "checkins": [
        "id",
        "at",
        "local_date",
        "timezone",
        "energy",
        "emotions",
        "sleep_quality",
        "moved",
        "connected",
        "insight",
        "gratitude",
    ],
    "weekly_reviews": ["id", "week_start", "warning_signs", "commitments_kept", "fulfillment"],
    "self_checks": ["id", "month", "instrument", "answers", "scores", "note"],
    "commitments": [
        "id",
        "kind",
        "label",
        "weekday",
        "start_time",
        "duration_minutes",
        "frequency",
        "starts_on",
        "active",
    ],
}
