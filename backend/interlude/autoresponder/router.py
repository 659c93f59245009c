"""HTTP: the auto-reply profile, crisis lines, generated replies and custom templates."""

from __future__ import annotations

import html
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status

from interlude.accounts.auth import CurrentUser
from interlude.accounts.models import User
from interlude.autoresponder import service
from interlude.autoresponder.context import CONTEXT_VARIABLES
from interlude.autoresponder.crisis_lines import COUNTRIES, CRISIS_LINES
from interlude.autoresponder.models import AutoresponderProfile
from interlude.autoresponder.schemas import (
    AutoReplyRead,
    CrisisLineRead,
    CrisisLinesRead,
    EmergencyPreview,
    FormatName,
    NextWindowRead,
    ProfileRead,
    ProfileUpdate,
    Slot,
    TemplateRead,
    TemplatesRead,
    TemplateUpdate,
    Tone,
    check_country,
    check_language,
)
from interlude.autoresponder.windows import next_window
from interlude.core.deps import ClockDep, SessionDep
from interlude.core.errors import Unprocessable, error_response
from interlude.core.validation import Instant, validate_timezone

router = APIRouter(prefix="/api/v1/autoresponder", tags=["autoresponder"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    **error_response(401, "Not signed in"),
    **error_response(422, "Invalid input"),
}


def _profile_read(profile: AutoresponderProfile, user: User) -> ProfileRead:
    text, short, spoken = service.emergency_preview(profile, user)
    return ProfileRead(
        credentials=profile.credentials,
        practice_name=profile.practice_name,
        tone=profile.tone,
        language=profile.language,
        country=profile.country,
        emergency_text=profile.emergency_text,
        emergency_text_short=profile.emergency_text_short,
        emergency_enabled=profile.emergency_enabled,
        covering_name=profile.covering_name,
        covering_contact=profile.covering_contact,
        secure_channel_name=profile.secure_channel_name,
        secure_channel_url=profile.secure_channel_url,
        email_not_secure_note=profile.email_not_secure_note,
        reader_timezone=profile.reader_timezone or user.timezone,
        reader_timezone_is_default=profile.reader_timezone is None,
        mail_addresses=list(profile.mail_addresses or [user.email]),
        sieve_days=profile.sieve_days,
        sieve_seconds=profile.sieve_seconds,
        custom_templates=sorted(profile.custom_templates or {}),
        emergency=EmergencyPreview(text=text, short=short, spoken=spoken),
        warnings=service.profile_warnings(profile),
        updated_at=profile.updated_at,
    )


@router.get("/profile", response_model=ProfileRead, responses=_ERRORS)
def read_autoresponder_profile(
    user: CurrentUser, session: SessionDep, clock: ClockDep
) -> ProfileRead:
    """The auto-reply profile (created with defaults on first read)."""
    profile = service.get_profile(session=session, user=user, now=clock.now())
    return _profile_read(profile, user)


@router.patch("/profile", response_model=ProfileRead, responses=_ERRORS)
def update_autoresponder_profile(
    data: ProfileUpdate, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> ProfileRead:
    """Change wording, tone, emergency protocol, covering clinician, secure channel..."""
    profile = service.update_profile(session=session, user=user, data=data, now=clock.now())
    return _profile_read(profile, user)


@router.get("/crisis-lines", response_model=CrisisLinesRead, responses=_ERRORS)
def list_crisis_lines(
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    country: Annotated[str | None, Query(max_length=2, description="Filter by country")] = None,
) -> CrisisLinesRead:
    """The built-in crisis lines and emergency numbers, each with its source."""
    selected = service.get_profile(session=session, user=user, now=clock.now()).country
    wanted = _checked(check_country, country, "country") if country else None
    lines = [
        CrisisLineRead(
            country=line.country,
            kind=line.kind,
            name=line.name,
            number=line.number,
            call=line.call,
            text=line.text,
            source=line.source,
        )
        for line in CRISIS_LINES
        if wanted is None or line.country == wanted
    ]
    return CrisisLinesRead(countries=list(COUNTRIES), selected=selected, lines=lines)


def _checked(check: Any, value: str, field: str) -> str:
    try:
        result: str = check(value)
    except ValueError as exc:
        raise Unprocessable(
            f"{field}: {exc}", details=[{"field": field, "message": str(exc)}]
        ) from None
    return result


@router.get("/templates", response_model=TemplatesRead, responses=_ERRORS)
def list_autoresponder_templates(
    user: CurrentUser, session: SessionDep, clock: ClockDep
) -> TemplatesRead:
    """Every template slot: the custom source if saved, else the built-in one for the tone."""
    from interlude.autoresponder import render  # Jinja2 loads with the first render

    profile = service.get_profile(session=session, user=user, now=clock.now())
    custom = profile.custom_templates or {}
    return TemplatesRead(
        tone=profile.tone,
        language=profile.language,
        templates=[
            TemplateRead(
                slot=slot,
                custom=slot in custom,
                source=custom.get(slot)
                or render.builtin_source(profile.language, profile.tone, slot),
                variables=list(CONTEXT_VARIABLES),
            )
            for slot in render.SLOTS
        ],
    )


@router.put(
    "/templates/{slot}",
    response_model=TemplateRead,
    responses={**_ERRORS, **error_response(422, "Syntax error, unsafe or too long")},
)
def save_autoresponder_template(
    slot: Slot, data: TemplateUpdate, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> TemplateRead:
    """Save a custom template (Jinja2, sandboxed). Errors come back with their line number."""
    now = clock.now()
    service.save_template(session=session, user=user, slot=slot, source=data.source, now=now)
    return TemplateRead(
        slot=slot, custom=True, source=data.source, variables=list(CONTEXT_VARIABLES)
    )


@router.delete(
    "/templates/{slot}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**_ERRORS, **error_response(404, "No custom template for this slot")},
)
def delete_autoresponder_template(
    slot: Slot, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> Response:
    """Go back to the built-in template for this slot."""
    service.delete_template(session=session, user=user, slot=slot, now=clock.now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{format}",
    response_model=AutoReplyRead,
    responses={
        **_ERRORS,
        200: {
            "description": "The reply as JSON, or the file itself with download=true",
            "content": {"application/sieve": {}, "text/calendar": {}, "text/plain": {}},
        },
    },
)
def generate_auto_reply(
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    format: Annotated[FormatName, Path(description="Output format")],
    at: Annotated[
        Instant | None, Query(description="Preview instant, ISO 8601 with offset")
    ] = None,
    tone: Tone | None = None,
    language: Annotated[str | None, Query(max_length=8)] = None,
    country: Annotated[str | None, Query(max_length=2)] = None,
    zone: Annotated[str | None, Query(max_length=64, description="Reader's zone")] = None,
    days: Annotated[int, Query(ge=1, le=366, description="ICS horizon in days")] = 28,
    download: bool = False,
) -> Any:
    """Generate one auto-reply format, as the client would read it at ``at`` (default: now)."""
    overrides = {
        "tone": tone,
        "language": _checked(check_language, language, "language") if language else None,
        "country": _checked(check_country, country, "country") if country else None,
        "zone": _checked(validate_timezone, zone, "zone") if zone else None,
    }
    generated = service.generate(
        session=session, user=user, fmt=format, now=clock.now(), at=at, days=days, **overrides
    )
    output = generated.output
    if download:
        return Response(
            content=output.download.encode("utf-8"),
            media_type=output.media_type,
            headers={"Content-Disposition": f'attachment; filename="{output.filename}"'},
        )
    context = output.context or {}
    window = next_window(generated.schedule, generated.at)
    next_read = None
    if window is not None and context.get("next_window"):
        next_read = NextWindowRead(
            start=window.start, end=window.end, text=context["next_window"]["text"]
        )
    emergency = context.get("emergency") or ""
    rendered = "\n".join(str(v) for v in output.content.values())
    return AutoReplyRead(
        format=format,
        at=generated.at,
        tone=generated.persona.tone,
        language=generated.persona.language,
        reader_timezone=generated.persona.reader_zone.key,
        status=context.get("status"),
        next_window=next_read,
        emergency_included=bool(emergency)
        and any(
            v and v in html.unescape(rendered)
            for v in (emergency, context.get("emergency_short"), context.get("emergency_spoken"))
        ),
        warnings=output.warnings,
        filename=output.filename,
        media_type=output.media_type,
        download=output.download,
        content=output.content,
    )
