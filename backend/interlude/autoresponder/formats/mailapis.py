"""Gmail ``VacationSettings`` and Microsoft Graph ``automaticRepliesSetting`` for one period.

Both APIs hold a single start/end at a time, so these cover the next closed period (the one
now, or the one after the current window). Re-apply after each window, or use the Sieve
script where the mail host supports it (it covers the whole week on its own).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from interlude.autoresponder.formats.base import FormatOutput, FormatRequest, text
from interlude.autoresponder.windows import Interval, current_or_next_closed

GMAIL_FIELDS = frozenset(
    {
        "enableAutoReply",
        "responseSubject",
        "responseBodyPlainText",
        "responseBodyHtml",
        "restrictToContacts",
        "restrictToDomain",
        "startTime",
        "endTime",
    }
)
GRAPH_FIELDS = frozenset(
    {
        "status",
        "externalAudience",
        "scheduledStartDateTime",
        "scheduledEndDateTime",
        "internalReplyMessage",
        "externalReplyMessage",
    }
)


def _period(request: FormatRequest) -> tuple[Interval | None, datetime]:
    """The closed period and the instant whose context describes it."""
    period = current_or_next_closed(request.schedule, request.at)
    if period is None:
        return None, request.at
    return period, max(period.start, request.at)


def _bodies(request: FormatRequest, at: datetime, warnings: list[str]) -> dict[str, Any]:
    from interlude.autoresponder.render import (
        render_email_html,
    )  # Jinja2 loads with the first render

    context = request.context(at)
    body = text(request, "email", context, warnings)
    return {
        "context": context,
        "subject": text(request, "email_subject", context, warnings),
        "text": body,
        "html": render_email_html(body, context, language=request.persona.language),
    }


def _period_json(period: Interval | None) -> dict[str, str | None] | None:
    if period is None:
        return None
    return {"start": period.start.isoformat(), "end": period.end.isoformat()}


def _epoch_ms(instant: datetime) -> str:
    # The Gmail API's int64 fields travel as JSON strings.
    return str(int(instant.timestamp() * 1000))


def gmail(request: FormatRequest) -> FormatOutput:
    warnings: list[str] = []
    period, at = _period(request)
    parts = _bodies(request, at, warnings)
    settings: dict[str, Any] = {
        "enableAutoReply": True,
        "responseSubject": parts["subject"],
        "responseBodyPlainText": parts["text"],
        "responseBodyHtml": parts["html"],
        "restrictToContacts": False,
        "restrictToDomain": False,
        "startTime": _epoch_ms(period.start if period else request.at),
    }
    if period is not None:
        settings["endTime"] = _epoch_ms(period.end)
    else:
        warnings.append("No response window is set: the auto-reply stays on until switched off.")
    return FormatOutput(
        format="gmail",
        content={"vacation_settings": settings, "period": _period_json(period)},
        filename="gmail-vacation-settings.json",
        media_type="application/json",
        download=json.dumps(settings, indent=2, ensure_ascii=False) + "\n",
        warnings=warnings,
        context=parts["context"],
    )


def _graph_time(instant: datetime) -> dict[str, str]:
    value = instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000")
    return {"dateTime": value, "timeZone": "UTC"}


def graph(request: FormatRequest) -> FormatOutput:
    warnings: list[str] = []
    period, at = _period(request)
    parts = _bodies(request, at, warnings)
    setting: dict[str, Any] = {
        "status": "scheduled" if period else "alwaysEnabled",
        "externalAudience": "all",
        "internalReplyMessage": parts["html"],
        "externalReplyMessage": parts["html"],
    }
    if period is not None:
        setting["scheduledStartDateTime"] = _graph_time(period.start)
        setting["scheduledEndDateTime"] = _graph_time(period.end)
    else:
        warnings.append("No response window is set: the auto-reply stays on until switched off.")
    body = {"automaticRepliesSetting": setting}
    return FormatOutput(
        format="graph",
        content={"mailbox_settings": body, "period": _period_json(period)},
        filename="graph-automatic-replies.json",
        media_type="application/json",
        download=json.dumps(body, indent=2, ensure_ascii=False) + "\n",
        warnings=warnings,
        context=parts["context"],
    )
