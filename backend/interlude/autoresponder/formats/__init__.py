"""Output formats: each is a function ``FormatRequest -> FormatOutput``."""

from __future__ import annotations

from collections.abc import Callable

from interlude.autoresponder.formats.base import FormatOutput, FormatRequest
from interlude.autoresponder.formats.ics import ics
from interlude.autoresponder.formats.mailapis import gmail, graph
from interlude.autoresponder.formats.sieve import sieve
from interlude.autoresponder.formats.text import email, portal, sms, voicemail

FORMATS: dict[str, Callable[[FormatRequest], FormatOutput]] = {
    "email": email,
    "portal": portal,
    "sms": sms,
    "voicemail": voicemail,
    "sieve": sieve,
    "gmail": gmail,
    "graph": graph,
    "ics": ics,
}

__all__ = ["FORMATS", "FormatOutput", "FormatRequest"]
