"""Hostile calendars from issue 17, built in code (small, made-up, "ZZSENTINEL" names).

Each is a few hundred bytes to a few KB; what makes them hostile is what the libraries
would do with them: compute billions of time zone transitions, scan to the year 9999 for a
date that never comes, or fail the whole calendar on one event.
"""

from __future__ import annotations

HEAD = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ZZSENTINEL Practice//EN\r\n"
TAIL = "END:VCALENDAR\r\n"
# One ordinary session on Wednesday 25 November 2026, 15:00-15:50 UTC (inside every window
# the tests use: "now" is 23 November 2026, 14:00 UTC).
GOOD_START = "2026-11-25T15:00Z"


def event(uid: str, *lines: str) -> str:
    body = "".join(f"{line}\r\n" for line in lines)
    return f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n{body}END:VEVENT\r\n"


def good(uid: str = "good@zz") -> str:
    return event(
        uid,
        "DTSTART:20261125T150000Z",
        "DTEND:20261125T155000Z",
        "SUMMARY:ZZSENTINEL Client session",
    )


def calendar(*parts: str) -> bytes:
    return (HEAD + "".join(parts) + TAIL).encode()


def every_second_time_zone() -> bytes:
    """~700 bytes: STANDARD and DAYLIGHT both repeat every second from 1601."""
    zone = (
        "BEGIN:VTIMEZONE\r\nTZID:ZZSENTINEL Zone\r\n"
        "BEGIN:STANDARD\r\nDTSTART:16010101T000000\r\nRRULE:FREQ=SECONDLY\r\n"
        "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\n"
        "BEGIN:DAYLIGHT\r\nDTSTART:16010101T000001\r\nRRULE:FREQ=SECONDLY;INTERVAL=2\r\n"
        "TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
    )
    session = event(
        "zoned@zz",
        "DTSTART;TZID=ZZSENTINEL Zone:20261125T150000",
        "DTEND;TZID=ZZSENTINEL Zone:20261125T155000",
        "SUMMARY:ZZSENTINEL Client session",
    )
    return calendar(zone, session, good())


def thirtieth_of_february(count: int) -> bytes:
    """``count`` daily events from 1900 that only occur on 30 February (7-9 s each, bare)."""
    bombs = [
        event(
            f"feb30-{i}@zz",
            "DTSTART:19000101T090000Z",
            "DTEND:19000101T100000Z",
            "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        )
        for i in range(count)
    ]
    return calendar(*bombs, good())


def never_matching(count: int) -> bytes:
    """``count`` daily events from 1900 on a 31st that is also 1 January: no cheap check
    knows this never happens, so only the per-series time limit stops each one."""
    bombs = [
        event(
            f"never-{i}@zz",
            "DTSTART:19000101T090000Z",
            "DTEND:19000101T100000Z",
            "RRULE:FREQ=DAILY;BYMONTHDAY=31;BYYEARDAY=1",
        )
        for i in range(count)
    ]
    return calendar(*bombs, good())


def many_dates(events: int, per_event: int) -> bytes:
    """Events with thousands of RDATEs each: big in memory once parsed."""
    dates = ",".join(
        f"2027{1 + (n // 672) % 12:02d}{1 + (n // 24) % 28:02d}T{n % 24:02d}0000Z"
        for n in range(per_event)
    )
    parts = [
        event(f"rdate-{i}@zz", "DTSTART:20261125T090000Z", "DURATION:PT1H", f"RDATE:{dates}")
        for i in range(events)
    ]
    return calendar(*parts, good())


# Calendars with one unreadable event beside a good one: (file, expected warning).
ONE_BAD_EVENT = {
    "invalid-date": (
        calendar(event("bad@zz", "DTSTART:INVALID-DATE", "DTEND:20261125T100000Z"), good()),
        "Event 1 has an unreadable start time; it was skipped.",
    ),
    "not-a-date": (
        calendar(good("first@zz"), event("bad@zz", "DTSTART:notadate"), good()),
        "Event 2 has an unreadable start time; it was skipped.",
    ),
    "tzid-is-a-directory": (
        calendar(
            event(
                "dir@zz",
                "DTSTART;TZID=America:20261125T100000",
                "DTEND;TZID=America:20261125T105000",
            ),
            good(),
        ),
        "1 time zone name(s) were not recognised; your own time zone was used.",
    ),
    "every-second-without-start": (
        calendar(event("bad@zz", "RRULE:FREQ=SECONDLY"), good()),
        "Event 1 has no start time; it was skipped.",
    ),
    "every-second-date-until": (
        calendar(
            event(
                "sec@zz",
                "DTSTART:20261125T090000Z",
                "DTEND:20261125T090001Z",
                "RRULE:FREQ=SECONDLY;UNTIL=20261126",
            ),
            good(),
        ),
        "Event 1 repeats every minute or second; only its first 1000 occurrences in the "
        "sync window are kept.",
    ),
    "no-start-not-repeating": (
        calendar(event("bad@zz", "SUMMARY:ZZSENTINEL no start"), good()),
        "Event 1 has no start time; it was skipped.",
    ),
    "feed-own-property": (
        calendar(
            event(
                "x@zz",
                "DTSTART:20261126T150000Z",
                "DTEND:20261126T155000Z",
                "X-ZZSENTINEL-CLIENT-NAME;VALUE=DATE-TIME:garbage",
            ),
            good(),
        ),
        "Event 1 has an unreadable non-standard value, which was ignored.",
    ),
    "broken-exdate": (
        calendar(
            event(
                "ex@zz",
                "DTSTART:20261124T150000Z",
                "DTEND:20261124T155000Z",
                "RRULE:FREQ=DAILY;COUNT=2",
                "EXDATE:garbage",
            ),
            good(),
        ),
        "Event 1 has an unreadable EXDATE value, which was ignored.",
    ),
}

# Old Mozilla exports: a folded line whose continuation follows blank lines.
MOZILLA_FOLDS = (
    b"BEGIN:VCALENDAR\r\nVERSION\r\n\r\n :2.0\r\nPRODID\r\n\r\n :-//Mozilla.org/NONSGML Mozilla "
    b"Calendar V1.0//EN\r\nBEGIN:VEVENT\r\nUID\r\n\r\n :moz@zz\r\nSUMMARY\r\n\r\n :ZZSENTINEL "
    b"Client\r\nDTSTART\r\n\r\n :20261125T150000Z\r\nDTEND\r\n\r\n :20261125T155000Z\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def many_properties(count: int) -> bytes:
    """One event with ``count`` tiny properties: ~7 bytes of text, ~1 KB of objects each."""
    lines = ["DTSTART:20261126T150000Z", "DTEND:20261126T155000Z"] + ["X-ZZ:1"] * count
    return calendar(event("props@zz", *lines), good())
