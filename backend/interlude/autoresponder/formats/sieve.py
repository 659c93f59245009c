"""One Sieve script (RFC 5228) for the whole week: RFC 5230 vacation + RFC 5260 date tests.

Sieve's ``:zone`` takes a fixed UTC offset, not an IANA zone, so a single "-0500" would be an
hour off for half the year. The script therefore splits time into the zone's offset periods
(between DST changes) for the coming year; each period is selected by comparing the current
instant in UTC (``:zone "+0000"``, ISO 8601 strings compare in time order with ``i;octet``) and
tests the weekly windows with that period's offset. Time off is a UTC instant range (local
midnight to local midnight). The last period is open-ended: regenerate the script yearly.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from interlude.autoresponder.formats.base import FormatOutput, FormatRequest, text
from interlude.autoresponder.windows import (
    OffsetPeriod,
    ends_at_midnight,
    offset_periods,
    weekly_ranges,
)
from interlude.core.timezones import local_midnight
from interlude.planner.types import TimeOffIn

HORIZON = timedelta(days=400)
_UTC = '"+0000"'


def quote(value: str) -> str:
    """A Sieve quoted string: only backslash and double quote need escaping (RFC 5228 2.4.2)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc_test(relation: str, instant: datetime) -> str:
    return (
        f'currentdate :zone {_UTC} :comparator "i;octet" :value "{relation}" '
        f'"iso8601" "{_iso(instant)}"'
    )


def _offset(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _hms(value: time) -> str:
    return value.strftime("%H:%M:%S")


def _range_test(zone: str, start: time, end: time, indent: str) -> str:
    ge = f'currentdate :zone "{zone}" :value "ge" "time" "{_hms(start)}"'
    if ends_at_midnight(end):  # "until midnight": no upper bound within the day
        return f"{indent}        {ge}"
    lt = f'currentdate :zone "{zone}" :value "lt" "time" "{_hms(end)}"'
    return f"{indent}        allof ({ge},\n{indent}               {lt})"


def _week_test(request: FormatRequest, zone: str, indent: str) -> str:
    """anyof(each group of weekdays with the same ranges: weekday and any range)."""
    groups: dict[tuple[tuple[time, time], ...], list[int]] = {}
    for weekday, day_ranges in sorted(weekly_ranges(request.schedule.windows).items()):
        groups.setdefault(tuple(day_ranges), []).append(weekday)
    tests = []
    for ranges, days in groups.items():
        sieve_days = ", ".join(f'"{(d + 1) % 7}"' for d in days)  # Sieve: "0" = Sunday
        range_tests = ",\n".join(_range_test(zone, a, b, indent) for a, b in ranges)
        tests.append(
            f'{indent}  allof (currentdate :zone "{zone}" :is "weekday" [{sieve_days}],\n'
            f"{indent}    anyof (\n{range_tests}))"
        )
    joined = ",\n".join(tests)
    return f"anyof (\n{joined})"


def _period_test(request: FormatRequest, period: OffsetPeriod) -> str:
    bounds = []
    if period.start is not None:
        bounds.append(_utc_test("ge", period.start))
    if period.end is not None:
        bounds.append(_utc_test("lt", period.end))
    week = _week_test(request, _offset(period.offset), "      ")
    joined = ",\n      ".join([*bounds, week])
    label = period.start.date().isoformat() if period.start else "before"
    return f"    # UTC{_offset(period.offset)} from {label}\n    allof ({joined})"


def _vacation(request: FormatRequest, subject: str, body: str, handle: str) -> str:
    timing = (
        f":seconds {request.sieve_seconds}"
        if request.sieve_seconds is not None
        else f":days {request.sieve_days}"
    )
    addresses = ", ".join(quote(a) for a in request.addresses)
    parts = [f"vacation {timing}", f":subject {quote(subject)}"]
    if addresses:
        parts.append(f":addresses [{addresses}]")
    parts.append(f":handle {quote(handle)}")
    return "    " + "\n        ".join(parts) + f"\n        {quote(body)};"


def _upcoming_time_off(request: FormatRequest) -> list[TimeOffIn]:
    today = request.schedule.local_date(request.generated_at)
    return sorted(
        (t for t in request.schedule.time_off if t.end_date >= today),
        key=lambda t: t.start_date,
    )


def sieve(request: FormatRequest) -> FormatOutput:
    warnings: list[str] = []
    zone = request.schedule.zone
    now = request.generated_at
    periods = offset_periods(zone, now, now + HORIZON)
    branches: list[tuple[str, str, str]] = []  # (comment, test, action)
    for entry in _upcoming_time_off(request):
        start = local_midnight(entry.start_date, request.schedule.zone)
        end = local_midnight(entry.end_date + timedelta(days=1), request.schedule.zone)
        context = request.context(max(start, now), static=True)
        action = _vacation(
            request,
            text(request, "email_subject", context, warnings),
            text(request, "sieve", context, warnings),
            f"interlude-away-{entry.start_date.isoformat()}",
        )
        branches.append(
            (
                f"# Time off from {entry.start_date} to {entry.end_date} (local dates)",
                f"allof ({_utc_test('ge', start)},\n       {_utc_test('lt', end)})",
                action,
            )
        )
    closed_context = {
        **request.context(now, static=True),
        "status": "closed",
        "away": None,
        "covering": None,
    }
    hours_action = _vacation(
        request,
        text(request, "email_subject", closed_context, warnings),
        text(request, "sieve", closed_context, warnings),
        "interlude-message-hours",
    )
    requires = ["date", "relational", "vacation"]
    if request.sieve_seconds is not None:
        requires.append("vacation-seconds")
    blocks = []
    for index, (comment, test, action) in enumerate(branches):
        keyword = "if" if index == 0 else "elsif"
        blocks.append(f"{comment}\n{keyword} {test} {{\n{action}\n}}")
    if request.schedule.windows:
        open_test = ",\n".join(_period_test(request, p) for p in periods)
        keyword = "elsif" if blocks else "if"
        blocks.append(
            "# Outside the message hours (one branch per UTC offset period)\n"
            f"{keyword} not anyof (\n{open_test}) {{\n{hours_action}\n}}"
        )
    elif blocks:
        blocks.append(f"# No message hours are set: always reply\nelse {{\n{hours_action}\n}}")
    else:
        blocks.append(f"# No message hours are set: always reply\n{hours_action.strip()}")
    header = [
        f"# Interlude auto-reply, generated {_iso(now)} for the zone {zone.key}.",
        "# Replies only outside the response windows and during time off. Sieve's :zone takes",
        "# fixed offsets, so each DST period of the coming year has its own branch; the last",
        f"# one is open-ended. Regenerate before {_iso(now + HORIZON)[:10]} or after any change.",
        "require [" + ", ".join(f'"{r}"' for r in requires) + "];",
        "",
    ]
    script = "\n".join(header) + "\n".join(blocks) + "\n"
    return FormatOutput(
        format="sieve",
        content={
            "script": script,
            "requires": requires,
            "valid_until": _iso(now + HORIZON),
            "offset_periods": [
                {
                    "start": _iso(p.start) if p.start else None,
                    "end": _iso(p.end) if p.end else None,
                    "offset": _offset(p.offset),
                }
                for p in periods
            ],
        },
        filename="interlude-auto-reply.sieve",
        media_type="application/sieve; charset=utf-8",
        download=script,
        warnings=warnings,
        context=closed_context,
    )
