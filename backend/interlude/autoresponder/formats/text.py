"""The human-facing formats: email, client portal, SMS and voicemail."""

from __future__ import annotations

from interlude.autoresponder.formats import gsm7
from interlude.autoresponder.formats.base import FormatOutput, FormatRequest, fitted, text

PORTAL_LIMIT = 300
SMS_LIMIT = 160
WORDS_PER_MINUTE = 150
VOICEMAIL_LIMIT_SECONDS = 45


def email(request: FormatRequest) -> FormatOutput:
    from interlude.autoresponder.render import (
        render_email_html,
    )  # Jinja2 loads with the first render

    warnings: list[str] = []
    context = request.context()
    subject = text(request, "email_subject", context, warnings)
    body = text(request, "email", context, warnings)
    html = render_email_html(body, context, language=request.persona.language)
    return FormatOutput(
        format="email",
        content={"subject": subject, "text": body, "html": html},
        filename="auto-reply-email.txt",
        media_type="text/plain; charset=utf-8",
        download=f"Subject: {subject}\n\n{body}\n",
        warnings=warnings,
        context=context,
    )


def portal(request: FormatRequest) -> FormatOutput:
    warnings: list[str] = []
    context = request.context()
    body = fitted(request, "portal", context, len, PORTAL_LIMIT, warnings)
    return FormatOutput(
        format="portal",
        content={"text": body, "length": len(body), "limit": PORTAL_LIMIT},
        filename="auto-reply-portal.txt",
        media_type="text/plain; charset=utf-8",
        download=body + "\n",
        warnings=warnings,
        context=context,
    )


def sms(request: FormatRequest) -> FormatOutput:
    warnings: list[str] = []
    context = request.context()

    def measure(value: str) -> int:
        return gsm7.septets(gsm7.to_gsm7(value))

    body = gsm7.to_gsm7(fitted(request, "sms", context, measure, SMS_LIMIT, warnings))
    return FormatOutput(
        format="sms",
        content={
            "text": body,
            "length": gsm7.septets(body),
            "limit": SMS_LIMIT,
            "encoding": "GSM-7",
        },
        filename="auto-reply-sms.txt",
        media_type="text/plain; charset=utf-8",
        download=body + "\n",
        warnings=warnings,
        context=context,
    )


def _seconds(script: str) -> float:
    return round(len(script.split()) * 60 / WORDS_PER_MINUTE, 1)


def voicemail(request: FormatRequest) -> FormatOutput:
    warnings: list[str] = []
    context = request.context()
    script = fitted(request, "voicemail", context, _seconds, VOICEMAIL_LIMIT_SECONDS, warnings)
    return FormatOutput(
        format="voicemail",
        content={
            "script": script,
            "words": len(script.split()),
            "words_per_minute": WORDS_PER_MINUTE,
            "read_seconds": _seconds(script),
            "limit_seconds": VOICEMAIL_LIMIT_SECONDS,
        },
        filename="voicemail-script.txt",
        media_type="text/plain; charset=utf-8",
        download=script + "\n",
        warnings=warnings,
        context=context,
    )
