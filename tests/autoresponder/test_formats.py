"""Format rules checked on the pure functions: field sets, escaping, lengths, GSM-7."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, time
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from interlude.autoresponder.context import Persona
from interlude.autoresponder.crisis_lines import COUNTRIES
from interlude.autoresponder.formats import FORMATS, FormatRequest
from interlude.autoresponder.formats.gsm7 import is_gsm7, septets, to_gsm7
from interlude.autoresponder.formats.mailapis import GMAIL_FIELDS, GRAPH_FIELDS
from interlude.autoresponder.formats.sieve import quote
from interlude.autoresponder.windows import Schedule
from interlude.planner.types import ResponseWindowIn, TimeOffIn

NY = ZoneInfo("America/New_York")
WINDOWS = tuple(
    ResponseWindowIn(d, a, b)
    for d in range(5)
    for a, b in ((time(9), time(9, 30)), (time(16, 30), time(17)))
)
SCHEDULE = Schedule(WINDOWS, (TimeOffIn(date(2026, 12, 21), date(2027, 1, 1), "pto"),), NY)
INSTANTS = [
    datetime(2026, 11, 23, 9, 10, tzinfo=NY),
    datetime(2026, 11, 27, 17, 1, tzinfo=NY),
    datetime(2026, 12, 22, 10, tzinfo=NY),
    datetime(2027, 3, 12, 17, 30, tzinfo=NY),
]
TONES = ("warm", "professional", "brief")


def persona(**changes: Any) -> Persona:
    base = Persona(
        name="Dr. Ana Rivera", credentials="LCSW", practice="Harbor Counseling", tone="warm",
        language="en", country="US", emergency_enabled=True, emergency_text=None,
        emergency_text_short=None, covering_name="Dr. Sam Lee", covering_contact="(555) 010-0199",
        secure_channel_name="the client portal", secure_channel_url="https://portal.example.com",
        email_not_secure_note=True, reader_zone=NY, user_zone_key="America/New_York",
        typical_reply="within 1 business day",
    )  # fmt: skip
    return replace(base, **changes)


def request(at: datetime, **changes: Any) -> FormatRequest:
    return FormatRequest(
        persona=persona(**changes),
        schedule=SCHEDULE,
        at=at,
        generated_at=INSTANTS[0],
        addresses=("ana@example.org",),
    )


# --- Gmail and Graph ----------------------------------------------------------------------


@pytest.mark.parametrize("at", INSTANTS)
def test_gmail_vacation_settings_field_set(at: datetime) -> None:
    settings = FORMATS["gmail"](request(at)).content["vacation_settings"]
    assert set(settings) <= GMAIL_FIELDS
    assert settings["enableAutoReply"] is True
    for key in ("responseSubject", "responseBodyPlainText", "responseBodyHtml"):
        assert isinstance(settings[key], str) and settings[key]
    for key in ("restrictToContacts", "restrictToDomain"):
        assert settings[key] is False
    for key in ("startTime", "endTime"):  # int64 as a JSON string of epoch milliseconds
        assert isinstance(settings[key], str) and settings[key].isdigit()
    assert int(settings["startTime"]) < int(settings["endTime"])
    assert int(settings["endTime"]) > at.timestamp() * 1000


@pytest.mark.parametrize("at", INSTANTS)
def test_graph_automatic_replies_field_set(at: datetime) -> None:
    body = FORMATS["graph"](request(at)).content["mailbox_settings"]
    assert set(body) == {"automaticRepliesSetting"}
    setting = body["automaticRepliesSetting"]
    assert set(setting) == GRAPH_FIELDS
    assert setting["status"] == "scheduled"
    assert setting["externalAudience"] == "all"
    for key in ("scheduledStartDateTime", "scheduledEndDateTime"):
        assert set(setting[key]) == {"dateTime", "timeZone"}
        assert setting[key]["timeZone"] == "UTC"
        datetime.fromisoformat(setting[key]["dateTime"][:19])
    assert (
        setting["scheduledStartDateTime"]["dateTime"] < setting["scheduledEndDateTime"]["dateTime"]
    )
    assert "988" in setting["externalReplyMessage"]


def test_gmail_covers_the_whole_pto_as_one_period() -> None:
    out = FORMATS["gmail"](request(INSTANTS[2]))
    period = out.content["period"]
    assert period["start"] == "2026-12-18T22:00:00+00:00"  # Friday before PTO, 17:00 EST
    assert period["end"] == "2027-01-04T14:00:00+00:00"  # first window after PTO


def test_no_windows_gives_an_always_on_reply() -> None:
    req = replace(request(INSTANTS[0]), schedule=Schedule((), (), NY))
    graph = FORMATS["graph"](req).content["mailbox_settings"]["automaticRepliesSetting"]
    assert graph["status"] == "alwaysEnabled" and "scheduledEndDateTime" not in graph
    gmail = FORMATS["gmail"](req)
    assert "endTime" not in gmail.content["vacation_settings"]
    assert gmail.warnings


# --- escaping --------------------------------------------------------------------------


HOSTILE = {
    "name": 'Dr. <script>alert("x")</script> O\'Neil',
    "practice": 'Calm & "Co" \\ {{ 7*7 }}',
    "covering_name": "</p><img src=https://tracker.example/p.gif>",
}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def test_html_escapes_what_the_user_typed_and_loads_nothing_remote() -> None:
    out = FORMATS["email"](request(INSTANTS[2], **HOSTILE))
    html = out.content["html"]
    parser = _Tags()
    parser.feed(html)
    assert set(parser.tags) <= {"html", "head", "meta", "body", "p", "br"}
    assert "&lt;script&gt;" in html and "&lt;img src=" in html
    assert "src=" not in html.replace("&lt;img src=", "")
    assert HOSTILE["name"] in out.content["text"]  # plain text keeps it verbatim


def test_json_outputs_round_trip_hostile_text() -> None:
    for fmt in ("gmail", "graph"):
        out = FORMATS[fmt](request(INSTANTS[1], **HOSTILE))
        decoded = json.loads(out.download)
        assert json.dumps(decoded)  # valid JSON
    settings = json.loads(FORMATS["gmail"](request(INSTANTS[1], **HOSTILE)).download)
    assert HOSTILE["practice"] in settings["responseBodyPlainText"]


def test_sieve_quoting() -> None:
    assert quote('say "hi" \\ bye') == '"say \\"hi\\" \\\\ bye"'
    assert quote("a\r\nb") == '"a\nb"'
    script = FORMATS["sieve"](request(INSTANTS[0], **HOSTILE)).content["script"]
    assert 'Calm & \\"Co\\" \\\\ {{ 7*7 }}' in script


# --- lengths ---------------------------------------------------------------------------


@pytest.mark.parametrize("tone", TONES)
@pytest.mark.parametrize("at", INSTANTS)
def test_length_limits_at_defaults(tone: str, at: datetime) -> None:
    req = request(at, tone=tone)
    portal = FORMATS["portal"](req)
    assert portal.content["length"] <= 300 and not portal.warnings
    sms = FORMATS["sms"](req)
    assert sms.content["length"] <= 160 and is_gsm7(sms.content["text"]) and not sms.warnings
    voicemail = FORMATS["voicemail"](req)
    assert voicemail.content["read_seconds"] <= 45
    assert voicemail.content["read_seconds"] == round(voicemail.content["words"] * 60 / 150, 1)


def test_long_names_are_compacted_but_keep_the_emergency_line() -> None:
    req = request(
        INSTANTS[2],
        name="Dr. Maximiliana Featherstonehaugh-Cholmondeley",
        covering_name="Dr. Bartholomew Worthington-Smythe",
        covering_contact="+1 (555) 010-0199 ext. 4455",
    )
    sms = FORMATS["sms"](req)
    assert sms.content["length"] <= 160
    assert "Emergency: call 911. Crisis: call/text 988." in sms.content["text"]
    portal = FORMATS["portal"](req)
    assert portal.content["length"] <= 300


def test_impossible_lengths_are_reported_not_truncated() -> None:
    req = request(INSTANTS[1], emergency_text_short="Crisis line: " + "5" * 150)
    sms = FORMATS["sms"](req)
    assert sms.content["length"] > 160
    assert sms.warnings and "over the limit" in sms.warnings[0]
    assert "5" * 150 in sms.content["text"]


def test_gsm7() -> None:
    assert septets("abc") == 3 and septets("€[]") == 6
    typographic = "It\u2019s \u201cfine\u201d \u2013 really\u2026"
    assert to_gsm7(typographic) == 'It\'s "fine" - really...'
    assert to_gsm7("Zoë Ångström") == "Zoe Ångström"
    assert to_gsm7("🙂") == "?"
    sms = FORMATS["sms"](request(INSTANTS[1], name="Zoë O\u2019Brien"))
    assert "-Zoe O'Brien" in sms.content["text"] and is_gsm7(sms.content["text"])


# --- emergency lines -------------------------------------------------------------------


@pytest.mark.parametrize("country", COUNTRIES)
def test_every_text_format_carries_the_countrys_emergency_number(country: str) -> None:
    numbers = {"US": "911", "CA": "911", "GB": "999", "AU": "000", "EU": "112"}
    for fmt in ("email", "portal", "sms", "voicemail", "sieve", "gmail", "graph"):
        out = FORMATS[fmt](request(INSTANTS[1], country=country))
        assert numbers[country] in json.dumps(out.content, ensure_ascii=False), (fmt, country)


def test_reader_zone_changes_the_rendering_not_the_instant() -> None:
    london = FORMATS["email"](request(INSTANTS[1], reader_zone=ZoneInfo("Europe/London")))
    assert "Monday, 30 November, between 14:00 and 14:30 GMT" in london.content["text"]
    tokyo = FORMATS["sms"](request(INSTANTS[1], reader_zone=ZoneInfo("Asia/Tokyo")))
    assert "Mon 30 Nov 23:00-23:30 JST" in tokyo.content["text"]
    kolkata = FORMATS["email"](request(INSTANTS[1], reader_zone=ZoneInfo("Asia/Kolkata")))
    assert "Monday, 30 November, between 19:30 and 20:00 IST" in kolkata.content["text"]
    sao_paulo = FORMATS["email"](request(INSTANTS[1], reader_zone=ZoneInfo("America/Sao_Paulo")))
    assert "between 11:00 and 11:30 UTC-03" in sao_paulo.content["text"]
