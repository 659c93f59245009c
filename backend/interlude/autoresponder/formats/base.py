"""What every format receives and returns, and the text rendering they share."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from interlude.autoresponder.context import Context, Persona, build_context
from interlude.autoresponder.windows import Schedule

log = logging.getLogger("interlude.autoresponder")
COMPACT_LEVELS = (0, 1, 2)


@dataclass(frozen=True)
class FormatRequest:
    persona: Persona
    schedule: Schedule
    at: datetime  # the instant the reply is read (preview) or generated for
    generated_at: datetime
    custom_templates: dict[str, str] = field(default_factory=dict)
    addresses: tuple[str, ...] = ()
    sieve_days: int = 1
    sieve_seconds: int | None = None
    uid_seed: str = "interlude"
    horizon_days: int = 28

    def context(self, at: datetime | None = None, *, static: bool = False) -> Context:
        return build_context(self.persona, self.schedule, at or self.at, static=static)


@dataclass
class FormatOutput:
    format: str
    content: dict[str, Any]
    filename: str
    media_type: str
    download: str
    warnings: list[str] = field(default_factory=list)
    context: Context | None = None


def text(request: FormatRequest, slot: str, context: Context, warnings: list[str]) -> str:
    """Render with the user's template for this slot, else the built-in one for the tone."""
    from interlude.autoresponder.render import render_slot  # Jinja2 loads with the first render

    persona = request.persona
    custom = request.custom_templates.get(slot)
    if custom is not None:
        try:
            return render_slot(
                slot, context, language=persona.language, tone=persona.tone, custom=custom
            )
        except Exception as exc:  # a saved template that fails here falls back, with a warning
            log.warning("custom %s template failed: %s", slot, type(exc).__name__)
            warnings.append(
                f"Your custom {slot} template failed for this moment ({type(exc).__name__}); "
                "the built-in template was used instead."
            )
    return render_slot(slot, context, language=persona.language, tone=persona.tone)


def fitted(
    request: FormatRequest,
    slot: str,
    context: Context,
    measure: Callable[[str], float],
    limit: float,
    warnings: list[str],
) -> str:
    """The fullest rendering within ``limit``; optional parts go first, never the emergency line."""
    result = ""
    for level in COMPACT_LEVELS:
        result = text(request, slot, {**context, "compact": level}, warnings)
        if measure(result) <= limit:
            return result
    warnings.append(
        f"The {slot} reply is {measure(result)} long, over the limit of {limit}: "
        "shorten the names, the covering contact or the custom template."
    )
    return result
