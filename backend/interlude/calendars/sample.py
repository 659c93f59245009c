"""The demo calendar behind "try with a sample calendar": made-up, always current.

A daily recurring set anchored a few weeks before ``now`` in the user's zone, so today and
tomorrow always show sessions (weekends too), with telehealth sessions and a free lunch block.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

# (hour, minute, minutes, summary, location)
_SLOTS = (
    (9, 0, 50, "Sample session A", "Office 2"),
    (10, 0, 50, "Sample session B", "https://zoom.us/j/0000000000"),
    (11, 0, 50, "Sample session C", "Office 2"),
    (14, 0, 50, "Sample session D", "Office 2"),
    (15, 0, 50, "Sample session E", "https://doxy.me/sample"),
    (16, 0, 50, "Sample session F", "Office 2"),
)


def sample_ics(*, now: datetime, zone: ZoneInfo) -> str:
    local_today = now.astimezone(zone).date()
    anchor = local_today - timedelta(days=local_today.weekday() + 21)  # a Monday, 3 weeks ago
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Interlude//Sample calendar//EN",
        "X-WR-CALNAME:Interlude sample",
    ]
    for index, (hour, minute, minutes, summary, location) in enumerate(_SLOTS):
        start = datetime.combine(anchor, time(hour, minute))
        end = start + timedelta(minutes=minutes)
        lines += [
            "BEGIN:VEVENT",
            f"UID:interlude-sample-{index}@interlude.invalid",
            "DTSTAMP:20260101T000000Z",
            f"DTSTART;TZID={zone.key}:{start:%Y%m%dT%H%M%S}",
            f"DTEND;TZID={zone.key}:{end:%Y%m%dT%H%M%S}",
            "RRULE:FREQ=DAILY",
            f"SUMMARY:{summary}",
            f"LOCATION:{location}",
            "END:VEVENT",
        ]
    lunch = datetime.combine(anchor, time(12, 30))
    lines += [
        "BEGIN:VEVENT",
        "UID:interlude-sample-lunch@interlude.invalid",
        "DTSTAMP:20260101T000000Z",
        f"DTSTART;TZID={zone.key}:{lunch:%Y%m%dT%H%M%S}",
        "DURATION:PT30M",
        "RRULE:FREQ=DAILY",
        "SUMMARY:Lunch",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"
