"""Care plan: the defaults a new account gets, generic CRUD for its lists, planner input."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlude.care_plan.models import (
    CarePlanSettings,
    MicroBreakRule,
    ResponseWindow,
    TimeOff,
    TransitionRitual,
)
from interlude.care_plan.schemas import (
    CarePlanRead,
    CarePlanSettingsRead,
    CarePlanSettingsUpdate,
    CarePlanSettingsValues,
    MicroBreakRuleCreate,
    MicroBreakRuleRead,
    ResponseWindowCreate,
    ResponseWindowRead,
    RitualCreate,
    RitualRead,
    TimeOffCreate,
    TimeOffRead,
)
from interlude.core import hooks
from interlude.core.errors import Conflict, NotFound, Unprocessable
from interlude.planner.types import (
    CarePlanIn,
    MicroBreakRuleIn,
    ResponseWindowIn,
    RitualIn,
    TimeOffIn,
)

DEFAULT_TYPICAL_REPLY = "within 1 business day"
DEFAULT_WINDOWS = ((time(9, 0), time(9, 30)), (time(16, 30), time(17, 0)))
SHUTDOWN_STEPS = [
    "Close the last note",
    "Glance at tomorrow",
    "Three slow breaths",
    "Say it: I'm done for the day",
]


def create_default_plan(*, session: Session, user_id: uuid.UUID, now: datetime) -> None:
    """Useful before any configuration: breaks after sessions, two message windows, shutdown."""
    session.add(
        CarePlanSettings(
            user_id=user_id,
            quiet_start=time(21, 0),
            quiet_end=time(7, 0),
            daily_cap=12,
            working_days=[0, 1, 2, 3, 4],
            working_start=time(8, 0),
            working_end=time(18, 0),
            typical_reply_time=DEFAULT_TYPICAL_REPLY,
            notify_window_close=False,
            # Notes time and the wrap-up cue are opt-in: the therapist chooses the minutes.
            notes_minutes=0,
            notes_applies_to="every",
            notes_order="break_first",
            notes_backlog_days=7,
            notes_end_of_day=True,
            wrap_up_minutes=0,
            wrap_up_applies_to="every",
            updated_at=now,
        )
    )
    session.add(
        MicroBreakRule(
            user_id=user_id,
            trigger="after_session",
            min_gap_minutes=5,
            duration_minutes=2,
            activity="box_breathing",
            enabled=True,
            created_at=now,
        )
    )
    for weekday in range(5):
        for start, end in DEFAULT_WINDOWS:
            session.add(
                ResponseWindow(user_id=user_id, weekday=weekday, start_time=start, end_time=end)
            )
    session.add(
        TransitionRitual(
            user_id=user_id,
            name="Shutdown ritual",
            steps=SHUTDOWN_STEPS,
            trigger="end_of_day",
            duration_minutes=5,
            enabled=True,
            created_at=now,
        )
    )


def _validation_failed(exc: ValidationError) -> Unprocessable:
    details = [
        {
            "field": ".".join(str(p) for p in err["loc"]) or "body",
            "message": err["msg"].removeprefix("Value error, "),
            "type": err["type"],
        }
        for err in exc.errors()
    ]
    return Unprocessable(f"{details[0]['field']}: {details[0]['message']}", details=details)


# --- settings --------------------------------------------------------------------------


def get_settings_row(*, session: Session, user_id: uuid.UUID) -> CarePlanSettings:
    row = session.get(CarePlanSettings, user_id)
    if row is None:
        raise NotFound("This account has no care plan.")
    return row


def update_settings(
    *, session: Session, user_id: uuid.UUID, data: CarePlanSettingsUpdate, now: datetime
) -> CarePlanSettings:
    row = get_settings_row(session=session, user_id=user_id)
    merged = CarePlanSettingsRead.model_validate(row).model_dump()
    merged.update(data.model_dump(exclude_unset=True))
    try:
        values = CarePlanSettingsValues.model_validate(merged)
    except ValidationError as exc:
        raise _validation_failed(exc) from exc
    for field, value in values.model_dump().items():
        setattr(row, field, value)
    row.updated_at = now
    session.flush()
    hooks.schedule_changed(session=session, user_id=user_id, now=now)
    return row


# --- the four lists, one generic CRUD ----------------------------------------------------

ModelT = TypeVar("ModelT", MicroBreakRule, ResponseWindow, TimeOff, TransitionRitual)


@dataclass(frozen=True)
class ListResource(Generic[ModelT]):
    """One care-plan list: its table, its full (create) schema and its read schema."""

    name: str
    model: type[ModelT]
    create_schema: type[BaseModel]
    read_schema: type[BaseModel]
    order_by: tuple[str, ...]
    has_created_at: bool = False

    def validate_merged(self, values: dict[str, Any]) -> BaseModel:
        try:
            return self.create_schema.model_validate(values)
        except ValidationError as exc:
            raise _validation_failed(exc) from exc


MICRO_BREAKS = ListResource(
    "micro-break rule",
    MicroBreakRule,
    MicroBreakRuleCreate,
    MicroBreakRuleRead,
    ("created_at", "id"),
    has_created_at=True,
)
RESPONSE_WINDOWS = ListResource(
    "response window",
    ResponseWindow,
    ResponseWindowCreate,
    ResponseWindowRead,
    ("weekday", "start_time"),
)
TIME_OFF = ListResource(
    "time-off entry", TimeOff, TimeOffCreate, TimeOffRead, ("start_date", "end_date")
)
RITUALS = ListResource(
    "ritual",
    TransitionRitual,
    RitualCreate,
    RitualRead,
    ("created_at", "id"),
    has_created_at=True,
)


def list_items(
    *, session: Session, user_id: uuid.UUID, resource: ListResource[ModelT]
) -> list[ModelT]:
    model = resource.model
    order = [getattr(model, column) for column in resource.order_by]
    return list(session.scalars(select(model).where(model.user_id == user_id).order_by(*order)))


def get_item(
    *, session: Session, user_id: uuid.UUID, resource: ListResource[ModelT], item_id: uuid.UUID
) -> ModelT:
    item = session.get(resource.model, item_id)
    if item is None or item.user_id != user_id:
        raise NotFound(f"No {resource.name} with this id.")
    return item


def _check_window_overlap(
    *, session: Session, user_id: uuid.UUID, values: BaseModel, exclude: uuid.UUID | None
) -> None:
    assert isinstance(values, ResponseWindowCreate)
    for other in list_items(session=session, user_id=user_id, resource=RESPONSE_WINDOWS):
        if other.id == exclude or other.weekday != values.weekday:
            continue
        if other.start_time < values.end_time and values.start_time < other.end_time:
            raise Conflict(
                f"This window overlaps another one on the same day "
                f"({other.start_time:%H:%M}-{other.end_time:%H:%M}); change or remove that one.",
                code="window_overlap",
            )


def create_item(
    *,
    session: Session,
    user_id: uuid.UUID,
    resource: ListResource[ModelT],
    data: BaseModel,
    now: datetime,
) -> ModelT:
    values = resource.validate_merged(data.model_dump())
    if resource is RESPONSE_WINDOWS:
        _check_window_overlap(session=session, user_id=user_id, values=values, exclude=None)
    extra = {"created_at": now} if resource.has_created_at else {}
    item = resource.model(user_id=user_id, **values.model_dump(), **extra)
    session.add(item)
    session.flush()
    hooks.schedule_changed(session=session, user_id=user_id, now=now)
    return item


def update_item(
    *,
    session: Session,
    user_id: uuid.UUID,
    resource: ListResource[ModelT],
    item_id: uuid.UUID,
    data: BaseModel,
    now: datetime,
) -> ModelT:
    item = get_item(session=session, user_id=user_id, resource=resource, item_id=item_id)
    merged = resource.read_schema.model_validate(item).model_dump(exclude={"id"})
    merged.update(data.model_dump(exclude_unset=True))
    values = resource.validate_merged(merged)
    if resource is RESPONSE_WINDOWS:
        _check_window_overlap(session=session, user_id=user_id, values=values, exclude=item.id)
    for field, value in values.model_dump().items():
        setattr(item, field, value)
    session.flush()
    hooks.schedule_changed(session=session, user_id=user_id, now=now)
    return item


def delete_item(
    *,
    session: Session,
    user_id: uuid.UUID,
    resource: ListResource[ModelT],
    item_id: uuid.UUID,
    now: datetime,
) -> None:
    item = get_item(session=session, user_id=user_id, resource=resource, item_id=item_id)
    session.delete(item)
    session.flush()
    hooks.schedule_changed(session=session, user_id=user_id, now=now)


def replace_response_windows(
    *,
    session: Session,
    user_id: uuid.UUID,
    windows: list[ResponseWindowCreate],
    now: datetime,
) -> list[ResponseWindow]:
    """The week editor saves the whole week at once."""
    ordered = sorted(windows, key=lambda w: (w.weekday, w.start_time))
    for before, after in itertools.pairwise(ordered):
        if before.weekday == after.weekday and after.start_time < before.end_time:
            raise Conflict(
                f"Two windows overlap on weekday {before.weekday} "
                f"({before.start_time:%H:%M}-{before.end_time:%H:%M} and "
                f"{after.start_time:%H:%M}-{after.end_time:%H:%M}).",
                code="window_overlap",
            )
    for existing in list_items(session=session, user_id=user_id, resource=RESPONSE_WINDOWS):
        session.delete(existing)
    session.flush()
    rows = [ResponseWindow(user_id=user_id, **w.model_dump()) for w in ordered]
    session.add_all(rows)
    session.flush()
    hooks.schedule_changed(session=session, user_id=user_id, now=now)
    return rows


# --- whole plan ------------------------------------------------------------------------


def read_plan(*, session: Session, user_id: uuid.UUID) -> CarePlanRead:
    def items(resource: ListResource[Any]) -> list[Any]:
        return [
            resource.read_schema.model_validate(row)
            for row in list_items(session=session, user_id=user_id, resource=resource)
        ]

    return CarePlanRead(
        settings=CarePlanSettingsRead.model_validate(
            get_settings_row(session=session, user_id=user_id)
        ),
        micro_breaks=items(MICRO_BREAKS),
        response_windows=items(RESPONSE_WINDOWS),
        time_off=items(TIME_OFF),
        rituals=items(RITUALS),
    )


def load_plan_input(*, session: Session, user_id: uuid.UUID) -> CarePlanIn:
    """The care plan as the planner's immutable input."""
    settings = get_settings_row(session=session, user_id=user_id)
    rules = list_items(session=session, user_id=user_id, resource=MICRO_BREAKS)
    rituals = list_items(session=session, user_id=user_id, resource=RITUALS)
    windows = list_items(session=session, user_id=user_id, resource=RESPONSE_WINDOWS)
    time_off = list_items(session=session, user_id=user_id, resource=TIME_OFF)
    return CarePlanIn(
        rules=tuple(
            MicroBreakRuleIn(
                id=str(r.id),
                trigger=r.trigger,  # type: ignore[arg-type]
                min_gap_minutes=r.min_gap_minutes,
                at_time=r.at_time,
                every_minutes=r.every_minutes,
                duration_minutes=r.duration_minutes,
                activity=r.activity,  # type: ignore[arg-type]
                custom_text=r.custom_text,
                enabled=r.enabled,
            )
            for r in rules
        ),
        rituals=tuple(
            RitualIn(
                id=str(r.id),
                name=r.name,
                steps=tuple(r.steps),
                trigger=r.trigger,  # type: ignore[arg-type]
                duration_minutes=r.duration_minutes,
                enabled=r.enabled,
            )
            for r in rituals
        ),
        windows=tuple(ResponseWindowIn(w.weekday, w.start_time, w.end_time) for w in windows),
        time_off=tuple(
            TimeOffIn(t.start_date, t.end_date, t.kind)  # type: ignore[arg-type]
            for t in time_off
        ),
        quiet_start=settings.quiet_start,
        quiet_end=settings.quiet_end,
        daily_cap=settings.daily_cap,
        working_days=tuple(settings.working_days),
        working_start=settings.working_start,
        working_end=settings.working_end,
        notify_window_close=settings.notify_window_close,
        notes_minutes=settings.notes_minutes,
        notes_applies_to=settings.notes_applies_to,  # type: ignore[arg-type]
        notes_order=settings.notes_order,  # type: ignore[arg-type]
        notes_backlog_days=settings.notes_backlog_days,
        notes_end_of_day=settings.notes_end_of_day,
        wrap_up_minutes=settings.wrap_up_minutes,
        wrap_up_applies_to=settings.wrap_up_applies_to,  # type: ignore[arg-type]
    )


def export_plan(*, session: Session, user_id: uuid.UUID, **_: Any) -> dict[str, Any]:
    return read_plan(session=session, user_id=user_id).model_dump(mode="json")
