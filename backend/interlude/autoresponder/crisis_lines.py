"""Crisis lines and emergency numbers: data, not code. Check each source before changing it.

Each entry says what to dial, how (call / text) and where the fact comes from. The user picks a
country in their profile and may override the wording; the numbers here are the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["emergency", "crisis"]


@dataclass(frozen=True, slots=True)
class CrisisLine:
    country: str  # ISO 3166-1 alpha-2, or "EU" for the EU-wide number
    kind: Kind
    name: str
    number: str  # as it is written locally
    call: bool
    text: bool
    source: str


CRISIS_LINES: tuple[CrisisLine, ...] = (
    # source: https://988lifeline.org/ (call or text 988, 24/7)
    CrisisLine("US", "crisis", "988 Suicide & Crisis Lifeline", "988", True, True,
               "https://988lifeline.org/"),
    # source: https://www.911.gov/
    CrisisLine("US", "emergency", "Emergency services", "911", True, False,
               "https://www.911.gov/"),
    # source: https://988.ca/ (Canada's Suicide Crisis Helpline, call or text 9-8-8)
    CrisisLine("CA", "crisis", "9-8-8 Suicide Crisis Helpline", "9-8-8", True, True,
               "https://988.ca/"),
    # source: https://crtc.gc.ca/eng/phone/911/
    CrisisLine("CA", "emergency", "Emergency services", "911", True, False,
               "https://crtc.gc.ca/eng/phone/911/"),
    # source: https://www.samaritans.org/how-we-can-help/contact-samaritan/ (free, 24/7)
    CrisisLine("GB", "crisis", "Samaritans", "116 123", True, False,
               "https://www.samaritans.org/how-we-can-help/contact-samaritan/"),
    # source: https://www.nhs.uk/nhs-services/urgent-and-emergency-care-services/when-to-call-999/
    CrisisLine("GB", "emergency", "Emergency services", "999", True, False,
               "https://www.nhs.uk/nhs-services/urgent-and-emergency-care-services/when-to-call-999/"),
    # source: https://www.lifeline.org.au/ (13 11 14, 24/7)
    CrisisLine("AU", "crisis", "Lifeline", "13 11 14", True, False,
               "https://www.lifeline.org.au/"),
    # source: https://www.triplezero.gov.au/
    CrisisLine("AU", "emergency", "Triple Zero", "000", True, False,
               "https://www.triplezero.gov.au/"),
    # source: https://digital-strategy.ec.europa.eu/en/policies/112
    CrisisLine("EU", "emergency", "European emergency number", "112", True, False,
               "https://digital-strategy.ec.europa.eu/en/policies/112"),
)  # fmt: skip

COUNTRIES: tuple[str, ...] = tuple(dict.fromkeys(line.country for line in CRISIS_LINES))

# Zones that default to a country other than the US (the default). Europe/* -> EU, etc.
_ZONE_COUNTRY = {
    "Europe/London": "GB",
    "Europe/Belfast": "GB",
    "America/Toronto": "CA",
    "America/Vancouver": "CA",
    "America/Edmonton": "CA",
    "America/Winnipeg": "CA",
    "America/Halifax": "CA",
    "America/St_Johns": "CA",
    "America/Regina": "CA",
    "America/Montreal": "CA",
    "America/Moncton": "CA",
    "America/Whitehorse": "CA",
}


def default_country(zone: str) -> str:
    if zone in _ZONE_COUNTRY:
        return _ZONE_COUNTRY[zone]
    if zone.startswith("Australia/"):
        return "AU"
    if zone.startswith("Europe/"):
        return "EU"
    return "US"


def lines_for(country: str) -> list[CrisisLine]:
    return [line for line in CRISIS_LINES if line.country == country]
