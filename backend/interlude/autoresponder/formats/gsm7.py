"""GSM 03.38 (GSM-7): what fits in one SMS segment of 160 septets."""

from __future__ import annotations

import unicodedata

BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = "^{}\\[~]|€\f"  # each costs two septets (escape + character)
_BASIC = frozenset(BASIC)
_EXTENSION = frozenset(EXTENSION)
_REPLACEMENTS = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2026": "...", "\u00a0": " ", "\u2009": " ",
    "\u202f": " ", "\t": " ", "\u00b7": ".", "\u2022": "-",
}  # fmt: skip


def is_gsm7(text: str) -> bool:
    return all(ch in _BASIC or ch in _EXTENSION for ch in text)


def septets(text: str) -> int:
    return sum(2 if ch in _EXTENSION else 1 for ch in text)


def to_gsm7(text: str) -> str:
    """Replace what GSM-7 cannot carry: typographic punctuation, then accents, then '?'."""
    out = []
    for ch in text:
        ch = _REPLACEMENTS.get(ch, ch)
        if all(c in _BASIC or c in _EXTENSION for c in ch):
            out.append(ch)
            continue
        stripped = "".join(
            c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
        )
        out.append(stripped if stripped and is_gsm7(stripped) else "?")
    return "".join(out)
