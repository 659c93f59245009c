from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, field_validator

from interlude.core.validation import validate_timezone

MIN_PASSWORD_LENGTH = 10

TimeZoneName = Annotated[str, Field(max_length=64), AfterValidator(validate_timezone)]
DisplayName = Annotated[str, Field(min_length=1, max_length=120)]


def _check_password(value: str) -> str:
    if len(value) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"use at least {MIN_PASSWORD_LENGTH} characters")
    if len(set(value)) < 4:
        raise ValueError("use a less repetitive password (at least 4 different characters)")
    return value


NewPassword = Annotated[str, Field(max_length=256), AfterValidator(_check_password)]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: NewPassword
    display_name: DisplayName
    timezone: TimeZoneName

    @field_validator("display_name")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be blank")
        return value


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: DisplayName | None = None
    timezone: TimeZoneName | None = None
    email: EmailStr | None = None
    new_password: NewPassword | None = None
    current_password: str | None = Field(
        default=None, max_length=256, description="Required to change email or password."
    )


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    display_name: str
    timezone: str
    created_at: datetime


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=320)
    password: str = Field(max_length=256)


class TokenRead(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the scheme name, not a secret
    csrf_token: str = Field(description="Send as X-CSRF-Token with cookie-authenticated writes.")
    expires_at: datetime


class AccountDelete(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(max_length=256, description="Your current password, to confirm.")


class PasswordResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=320)


class PasswordResetAccepted(BaseModel):
    message: str


class PasswordResetConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=512, description="From the emailed link.")
    new_password: NewPassword


class FeaturesRead(BaseModel):
    email_enabled: bool = Field(
        description="Whether this server sends email: password reset and device alerts. "
        "Without it, a forgotten password is reset by whoever runs the server."
    )
