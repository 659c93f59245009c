"""Autoresponder use cases: the profile, generating a format, custom templates, export."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from interlude.accounts.models import User
from interlude.autoresponder.context import Context, Persona, build_context, emergency_strings
from interlude.autoresponder.crisis_lines import default_country
from interlude.autoresponder.formats import FORMATS, FormatOutput, FormatRequest
from interlude.autoresponder.formats.gsm7 import septets, to_gsm7
from interlude.autoresponder.formats.text import (
    PORTAL_LIMIT,
    SMS_LIMIT,
    VOICEMAIL_LIMIT_SECONDS,
    WORDS_PER_MINUTE,
)
from interlude.autoresponder.models import AutoresponderProfile
from interlude.autoresponder.schemas import ProfileUpdate
from interlude.autoresponder.windows import Schedule
from interlude.care_plan import service as care_plan
from interlude.core.db import get_or_create
from interlude.core.errors import NotFound, Unprocessable
from interlude.core.timezones import user_zone
from interlude.planner.types import ResponseWindowIn, TimeOffIn

NO_EMERGENCY_WARNING = (
    "The emergency line is switched off: these replies do not tell clients what to do in a crisis."
)
MAX_PREVIEW_DISTANCE = timedelta(days=731)


def get_profile(*, session: Session, user: User, now: datetime) -> AutoresponderProfile:
    """The user's profile, created with defaults on first read."""
    return get_or_create(
        session,
        AutoresponderProfile,
        user.id,
        {
            "user_id": user.id,
            "credentials": "",
            "practice_name": "",
            "tone": "warm",
            "language": "en",
            "country": default_country(user.timezone),
            "emergency_enabled": True,
            "covering_name": "",
            "covering_contact": "",
            "secure_channel_name": "",
            "secure_channel_url": "",
            "email_not_secure_note": True,
            "mail_addresses": [],
            "sieve_days": 1,
            "custom_templates": {},
            "created_at": now,
            "updated_at": now,
        },
    )


def update_profile(
    *, session: Session, user: User, data: ProfileUpdate, now: datetime
) -> AutoresponderProfile:
    profile = get_profile(session=session, user=user, now=now)
    changes = data.model_dump(exclude_unset=True)
    changes.pop("acknowledge_no_emergency_line", None)
    for field, value in changes.items():
        if value is None and field not in (
            "emergency_text",
            "emergency_text_short",
            "reader_timezone",
            "sieve_seconds",
        ):
            raise Unprocessable(f"{field}: may not be null", details=[{"field": field}])
        setattr(profile, field, value)
    profile.updated_at = now
    session.flush()
    return profile


def persona(
    *, session: Session, user: User, profile: AutoresponderProfile, **overrides: Any
) -> Persona:
    settings = care_plan.get_settings_row(session=session, user_id=user.id)
    zone = overrides.pop("zone", None) or profile.reader_timezone or user.timezone
    return Persona(
        name=user.display_name,
        credentials=profile.credentials,
        practice=profile.practice_name,
        tone=profile.tone,
        language=profile.language,
        country=profile.country,
        emergency_enabled=profile.emergency_enabled,
        emergency_text=profile.emergency_text,
        emergency_text_short=profile.emergency_text_short,
        covering_name=profile.covering_name,
        covering_contact=profile.covering_contact,
        secure_channel_name=profile.secure_channel_name,
        secure_channel_url=profile.secure_channel_url,
        email_not_secure_note=profile.email_not_secure_note,
        reader_zone=ZoneInfo(zone),
        user_zone_key=user.timezone,
        typical_reply=settings.typical_reply_time,
    ).with_overrides(**overrides)


def schedule(*, session: Session, user: User) -> Schedule:
    plan = care_plan.load_plan_input(session=session, user_id=user.id)
    return Schedule(windows=plan.windows, time_off=plan.time_off, zone=user_zone(user))


def profile_warnings(profile: AutoresponderProfile) -> list[str]:
    return [] if profile.emergency_enabled else [NO_EMERGENCY_WARNING]


def emergency_preview(profile: AutoresponderProfile, user: User) -> tuple[str, str, str]:
    return emergency_strings(
        Persona(
            name=user.display_name, credentials="", practice="", tone=profile.tone,
            language=profile.language, country=profile.country,
            emergency_enabled=profile.emergency_enabled, emergency_text=profile.emergency_text,
            emergency_text_short=profile.emergency_text_short, covering_name="",
            covering_contact="", secure_channel_name="", secure_channel_url="",
            email_not_secure_note=False, reader_zone=user_zone(user),
            user_zone_key=user.timezone, typical_reply="",
        )
    )  # fmt: skip


@dataclass
class Generated:
    output: FormatOutput
    persona: Persona
    at: datetime
    schedule: Schedule


def generate(
    *,
    session: Session,
    user: User,
    fmt: str,
    now: datetime,
    at: datetime | None = None,
    days: int = 28,
    **overrides: Any,
) -> Generated:
    if at is not None:
        if at.tzinfo is None:
            raise Unprocessable(
                "at: give an instant with its UTC offset, e.g. 2026-11-27T17:30-05:00"
            )
        if abs(at - now) > MAX_PREVIEW_DISTANCE:
            raise Unprocessable("at: preview a moment within two years of now")
    instant = (at or now).astimezone(UTC)
    profile = get_profile(session=session, user=user, now=now)
    who = persona(session=session, user=user, profile=profile, **overrides)
    plan = schedule(session=session, user=user)
    request = FormatRequest(
        persona=who,
        schedule=plan,
        at=instant,
        generated_at=now,
        custom_templates=dict(profile.custom_templates or {}),
        addresses=tuple(profile.mail_addresses or [user.email]),
        sieve_days=profile.sieve_days,
        sieve_seconds=profile.sieve_seconds,
        uid_seed=str(user.id),
        horizon_days=days,
    )
    output = FORMATS[fmt](request)
    output.warnings = profile_warnings(profile) + output.warnings
    return Generated(output=output, persona=who, at=instant, schedule=plan)


# --- custom templates ------------------------------------------------------------------


def _sample_schedule(zone: ZoneInfo) -> Schedule:
    windows = tuple(
        ResponseWindowIn(day, start, end)
        for day in range(5)
        for start, end in ((time(9, 0), time(9, 30)), (time(16, 30), time(17, 0)))
    )
    return Schedule(windows, (TimeOffIn(date(2030, 7, 1), date(2030, 7, 12), "pto"),), zone)


def sample_contexts(who: Persona, plan: Schedule, now: datetime) -> list[Context]:
    """Contexts covering every branch a template may take: open, closed, away, no hours."""
    sample = _sample_schedule(ZoneInfo(who.user_zone_key))
    with_covering = who.with_overrides(
        covering_name=who.covering_name or "Dr. Sample Cover",
        covering_contact=who.covering_contact or "555-0100",
        secure_channel_name=who.secure_channel_name or "the client portal",
    )
    instants = [
        datetime.fromisoformat("2030-06-03T09:10:00").replace(tzinfo=sample.zone),  # open
        datetime.fromisoformat("2030-06-07T18:00:00").replace(tzinfo=sample.zone),  # Fri eve
        datetime.fromisoformat("2030-07-03T10:00:00").replace(tzinfo=sample.zone),  # PTO
    ]
    contexts = [build_context(with_covering, sample, at) for at in instants]
    contexts += [build_context(who, sample, at, static=True) for at in instants]
    contexts.append(build_context(who, Schedule((), (), sample.zone), instants[0]))
    contexts.append(build_context(who, plan, now))
    return contexts


def _length_problem(slot: str, text: str) -> str | None:
    if slot == "portal" and len(text) > PORTAL_LIMIT:
        return f"renders to {len(text)} characters; the portal limit is {PORTAL_LIMIT}"
    if slot == "sms" and septets(to_gsm7(text)) > SMS_LIMIT:
        return f"renders to {septets(to_gsm7(text))} GSM-7 characters; an SMS holds {SMS_LIMIT}"
    seconds = len(text.split()) * 60 / WORDS_PER_MINUTE
    if slot == "voicemail" and seconds > VOICEMAIL_LIMIT_SECONDS:
        return f"takes about {seconds:.0f} s to read; keep voicemail under 45 s"
    return None


def save_template(
    *, session: Session, user: User, slot: str, source: str, now: datetime
) -> AutoresponderProfile:
    profile = get_profile(session=session, user=user, now=now)
    who = persona(session=session, user=user, profile=profile)
    samples = sample_contexts(who, schedule(session=session, user=user), now)
    from interlude.autoresponder import render  # Jinja2 loads with the first render

    try:
        renders = render.validate_custom(slot, source, samples)
    except render.TemplateProblem as problem:
        raise Unprocessable(
            f"Template not saved. {problem.describe()}",
            code="template_invalid",
            details={"slot": slot, "line": problem.line, "message": problem.message},
        ) from None
    for best in renders:
        problem_text = _length_problem(slot, best)
        if problem_text:
            raise Unprocessable(
                f"Template not saved: it {problem_text}.",
                code="template_too_long",
                details={"slot": slot, "line": None, "message": problem_text},
            )
    profile.custom_templates = {**(profile.custom_templates or {}), slot: source}
    profile.updated_at = now
    session.flush()
    return profile


def delete_template(*, session: Session, user: User, slot: str, now: datetime) -> None:
    profile = get_profile(session=session, user=user, now=now)
    templates = dict(profile.custom_templates or {})
    if slot not in templates:
        raise NotFound(f"There is no custom {slot} template; the built-in one is in use.")
    del templates[slot]
    profile.custom_templates = templates
    profile.updated_at = now
    session.flush()


# --- export ----------------------------------------------------------------------------


def export_user_data(*, session: Session, user_id: uuid.UUID, **_: Any) -> dict[str, Any] | None:
    profile = session.get(AutoresponderProfile, user_id)
    if profile is None:
        return None
    return {
        "credentials": profile.credentials,
        "practice_name": profile.practice_name,
        "tone": profile.tone,
        "language": profile.language,
        "country": profile.country,
        "emergency_text": profile.emergency_text,
        "emergency_text_short": profile.emergency_text_short,
        "emergency_enabled": profile.emergency_enabled,
        "covering_name": profile.covering_name,
        "covering_contact": profile.covering_contact,
        "secure_channel_name": profile.secure_channel_name,
        "secure_channel_url": profile.secure_channel_url,
        "email_not_secure_note": profile.email_not_secure_note,
        "reader_timezone": profile.reader_timezone,
        "mail_addresses": list(profile.mail_addresses or []),
        "sieve_days": profile.sieve_days,
        "sieve_seconds": profile.sieve_seconds,
        "custom_templates": dict(profile.custom_templates or {}),
        "created_at": profile.created_at.isoformat(),
        "updated_at": profile.updated_at.isoformat(),
    }
