# No `from __future__ import annotations`: the route factory below passes schema classes
# through closures, and FastAPI must see them as real objects.
import uuid
from typing import Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel

from interlude.accounts.auth import CurrentUser
from interlude.care_plan import service
from interlude.care_plan.schemas import (
    CarePlanRead,
    CarePlanSettingsRead,
    CarePlanSettingsUpdate,
    MicroBreakRuleCreate,
    MicroBreakRuleUpdate,
    ResponseWindowCreate,
    ResponseWindowRead,
    ResponseWindowUpdate,
    RitualCreate,
    RitualUpdate,
    TimeOffCreate,
    TimeOffUpdate,
)
from interlude.core.deps import ClockDep, SessionDep
from interlude.core.errors import error_responses

router = APIRouter(prefix="/api/v1/care-plan", tags=["care plan"])

_ERRORS = error_responses(401, 404, 422)


@router.get("", response_model=CarePlanRead, responses=_ERRORS)
def read_care_plan(user: CurrentUser, session: SessionDep) -> Any:
    """The whole care plan: settings, micro-breaks, response windows, time off, rituals."""
    return service.read_plan(session=session, user_id=user.id)


@router.get("/settings", response_model=CarePlanSettingsRead, responses=_ERRORS)
def read_care_plan_settings(user: CurrentUser, session: SessionDep) -> Any:
    return service.get_settings_row(session=session, user_id=user.id)


@router.patch("/settings", response_model=CarePlanSettingsRead, responses=_ERRORS)
def update_care_plan_settings(
    data: CarePlanSettingsUpdate, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> Any:
    """Quiet hours, daily cap, working hours, typical reply time, notes time, wrap-up cue."""
    return service.update_settings(session=session, user_id=user.id, data=data, now=clock.now())


@router.put(
    "/response-windows",
    response_model=list[ResponseWindowRead],
    responses=error_responses(401, 409, 422),
)
def replace_response_windows(
    windows: list[ResponseWindowCreate], user: CurrentUser, session: SessionDep, clock: ClockDep
) -> Any:
    """Save the whole week of response windows at once (the week editor)."""
    return service.replace_response_windows(
        session=session, user_id=user.id, windows=windows, now=clock.now()
    )


def _add_list_routes(
    path: str,
    plural: str,
    singular: str,
    resource: service.ListResource[Any],
    create_schema: type[BaseModel],
    update_schema: type[BaseModel],
) -> None:
    """GET list, POST, GET one, PATCH, DELETE for one care-plan list."""
    read_schema = resource.read_schema
    errors = error_responses(401, 404, 409, 422)

    def list_endpoint(user: CurrentUser, session: SessionDep) -> Any:
        return service.list_items(session=session, user_id=user.id, resource=resource)

    def create_endpoint(
        data: create_schema,  # type: ignore[valid-type]
        user: CurrentUser,
        session: SessionDep,
        clock: ClockDep,
    ) -> Any:
        return service.create_item(
            session=session, user_id=user.id, resource=resource, data=data, now=clock.now()
        )

    def read_endpoint(item_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Any:
        return service.get_item(
            session=session, user_id=user.id, resource=resource, item_id=item_id
        )

    def update_endpoint(
        item_id: uuid.UUID,
        data: update_schema,  # type: ignore[valid-type]
        user: CurrentUser,
        session: SessionDep,
        clock: ClockDep,
    ) -> Any:
        return service.update_item(
            session=session,
            user_id=user.id,
            resource=resource,
            item_id=item_id,
            data=data,
            now=clock.now(),
        )

    def delete_endpoint(
        item_id: uuid.UUID, user: CurrentUser, session: SessionDep, clock: ClockDep
    ) -> Response:
        service.delete_item(
            session=session, user_id=user.id, resource=resource, item_id=item_id, now=clock.now()
        )
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    router.add_api_route(
        path,
        list_endpoint,
        methods=["GET"],
        response_model=list[read_schema],  # type: ignore[valid-type]
        name=f"list_{plural}",
        responses=errors,
    )
    router.add_api_route(
        path,
        create_endpoint,
        methods=["POST"],
        response_model=read_schema,
        status_code=status.HTTP_201_CREATED,
        name=f"create_{singular}",
        responses=errors,
    )
    router.add_api_route(
        f"{path}/{{item_id}}",
        read_endpoint,
        methods=["GET"],
        response_model=read_schema,
        name=f"read_{singular}",
        responses=errors,
    )
    router.add_api_route(
        f"{path}/{{item_id}}",
        update_endpoint,
        methods=["PATCH"],
        response_model=read_schema,
        name=f"update_{singular}",
        responses=errors,
    )
    router.add_api_route(
        f"{path}/{{item_id}}",
        delete_endpoint,
        methods=["DELETE"],
        status_code=status.HTTP_204_NO_CONTENT,
        name=f"delete_{singular}",
        responses=errors,
    )


_add_list_routes(
    "/micro-breaks",
    "micro_breaks",
    "micro_break",
    service.MICRO_BREAKS,
    MicroBreakRuleCreate,
    MicroBreakRuleUpdate,
)
_add_list_routes(
    "/response-windows",
    "response_windows",
    "response_window",
    service.RESPONSE_WINDOWS,
    ResponseWindowCreate,
    ResponseWindowUpdate,
)
_add_list_routes(
    "/time-off", "time_off", "time_off_entry", service.TIME_OFF, TimeOffCreate, TimeOffUpdate
)
_add_list_routes("/rituals", "rituals", "ritual", service.RITUALS, RitualCreate, RitualUpdate)
