"""Pydantic shapes of the autoresponder API."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from interlude.autoresponder.crisis_lines import COUNTRIES
from interlude.autoresponder.i18n import LANGUAGES
from interlude.core.validation import validate_timezone

Tone = Literal["warm", "professional", "brief"]
FormatName = Literal["email", "portal", "sms", "voicemail", "sieve", "gmail", "graph", "ics"]
Slot = Literal["email_subject", "email", "portal", "sms", "voicemail", "sieve"]

_ONE_LINE_FIELDS = (
    "credentials",
    "practice_name",
    "covering_name",
    "covering_contact",
    "secure_channel_name",
    "secure_channel_url",
    "emergency_text",
    "emergency_text_short",
)


def check_language(value: str) -> str:
    if value not in LANGUAGES:
        raise ValueError(f"unsupported language; use one of {', '.join(LANGUAGES)}")
    return value


def check_country(value: str) -> str:
    value = value.upper()
    if value not in COUNTRIES:
        raise ValueError(f"no crisis lines for this country; use one of {', '.join(COUNTRIES)}")
    return value


class ProfileUpdate(BaseModel):
    """Any subset of the profile. ``null`` resets the emergency wording and reader zone."""

    model_config = ConfigDict(extra="forbid")

    credentials: str | None = Field(default=None, max_length=120)
    practice_name: str | None = Field(default=None, max_length=160)
    tone: Tone | None = None
    language: str | None = None
    country: str | None = Field(default=None, description="Crisis lines: US, CA, GB, AU, EU")
    emergency_text: str | None = Field(default=None, max_length=500)
    emergency_text_short: str | None = Field(default=None, max_length=160)
    emergency_enabled: bool | None = None
    acknowledge_no_emergency_line: bool = Field(
        default=False, description="Required (true) to switch the emergency line off."
    )
    covering_name: str | None = Field(default=None, max_length=120)
    covering_contact: str | None = Field(default=None, max_length=200)
    secure_channel_name: str | None = Field(default=None, max_length=120)
    secure_channel_url: str | None = Field(default=None, max_length=500)
    email_not_secure_note: bool | None = None
    reader_timezone: str | None = Field(default=None, max_length=64)
    mail_addresses: list[EmailStr] | None = Field(default=None, max_length=10)
    sieve_days: int | None = Field(default=None, ge=1, le=30)
    sieve_seconds: int | None = Field(default=None, ge=60, le=2_592_000)

    @field_validator(*_ONE_LINE_FIELDS)
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if any(unicodedata.category(ch).startswith("C") for ch in value):
            raise ValueError("must be a single line without control characters")
        return value.strip()

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return None if value is None else check_language(value)

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return None if value is None else check_country(value)

    @field_validator("reader_timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else validate_timezone(value)

    @field_validator("secure_channel_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value and not re.match(r"^https://[^\s/$.?#][^\s]*$", value):
            raise ValueError("must be an https:// address")
        return value

    @field_validator("emergency_text", "emergency_text_short")
    @classmethod
    def _has_number(cls, value: str | None) -> str | None:
        if value is not None and value and not re.search(r"\d", value):
            raise ValueError("emergency wording must include a phone number to call or text")
        return value or None

    @model_validator(mode="after")
    def _acknowledge(self) -> ProfileUpdate:
        if self.emergency_enabled is False and not self.acknowledge_no_emergency_line:
            raise ValueError(
                "replies without an emergency line leave clients without a next step in a "
                "crisis; to switch it off anyway, also send acknowledge_no_emergency_line: true"
            )
        return self


class EmergencyPreview(BaseModel):
    text: str
    short: str
    spoken: str


class ProfileRead(BaseModel):
    credentials: str
    practice_name: str
    tone: Tone
    language: str
    country: str
    emergency_text: str | None
    emergency_text_short: str | None
    emergency_enabled: bool
    covering_name: str
    covering_contact: str
    secure_channel_name: str
    secure_channel_url: str
    email_not_secure_note: bool
    reader_timezone: str = Field(description="Effective zone; the account's zone by default.")
    reader_timezone_is_default: bool
    mail_addresses: list[str]
    sieve_days: int
    sieve_seconds: int | None
    custom_templates: list[str] = Field(description="Slots with a custom template.")
    emergency: EmergencyPreview
    warnings: list[str]
    updated_at: datetime


class CrisisLineRead(BaseModel):
    country: str
    kind: Literal["emergency", "crisis"]
    name: str
    number: str
    call: bool
    text: bool
    source: str


class CrisisLinesRead(BaseModel):
    countries: list[str]
    selected: str
    lines: list[CrisisLineRead]


class NextWindowRead(BaseModel):
    start: datetime
    end: datetime
    text: str


class AutoReplyRead(BaseModel):
    format: FormatName
    at: datetime
    tone: Tone
    language: str
    reader_timezone: str
    status: Literal["open", "closed", "away"] | None
    next_window: NextWindowRead | None
    emergency_included: bool
    warnings: list[str]
    filename: str
    media_type: str
    download: str = Field(description="The exact file/clipboard text (what download=true returns)")
    content: dict[str, Any]


class TemplateUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(max_length=20_000)


class TemplateRead(BaseModel):
    slot: Slot
    custom: bool
    source: str
    variables: list[str]


class TemplatesRead(BaseModel):
    tone: Tone
    language: str
    templates: list[TemplateRead]
