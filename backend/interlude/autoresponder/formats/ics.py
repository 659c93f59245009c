"""The upcoming closed periods as an iCalendar file (for Gmail/Outlook users who re-apply)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from interlude.autoresponder.formats.base import FormatOutput, FormatRequest
from interlude.autoresponder.windows import closed_periods, time_off_between


def ics(request: FormatRequest) -> FormatOutput:
    from icalendar import Calendar, Event  # loads when a calendar is written

    schedule = request.schedule
    start = request.at
    end = start + timedelta(days=request.horizon_days)
    calendar = Calendar()
    calendar.add("prodid", "-//Interlude//Auto-reply periods//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Auto-reply periods")
    context = request.context()
    description = "While this runs, clients get your auto-reply."
    if context["emergency"]:
        description += f" It tells them: {context['emergency']}"
    periods = []
    for period in closed_periods(schedule, start, end):
        away = bool(time_off_between(schedule, period.start, period.end - timedelta(seconds=1)))
        summary = "Auto-reply on (time off)" if away else "Auto-reply on (outside message hours)"
        uid = hashlib.sha256(f"{request.uid_seed}:{period.start.isoformat()}".encode()).hexdigest()
        event = Event()
        event.add("uid", f"{uid[:32]}@interlude")
        event.add("dtstamp", request.generated_at)
        event.add("dtstart", period.start)
        event.add("dtend", period.end)
        event.add("summary", summary)
        event.add("description", description)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
        periods.append(
            {"start": period.start.isoformat(), "end": period.end.isoformat(), "away": away}
        )
    body = calendar.to_ical().decode("utf-8")
    return FormatOutput(
        format="ics",
        content={
            "calendar": body,
            "periods": periods,
            "days": request.horizon_days,
            "description": description,
        },
        filename="auto-reply-periods.ics",
        media_type="text/calendar; charset=utf-8",
        download=body,
        warnings=[],
        context=context,
    )
