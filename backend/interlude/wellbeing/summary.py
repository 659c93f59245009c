"""``GET /summary``: the period's series, indicators, correlations and active signals.

The window: ``period=week`` is the 7 local days ending on ``end``; ``period=month`` is one
calendar month ending on ``end`` (the whole month when ``end`` is its last day, else from
the day after the same date of the previous month). Signals are evaluated as of
``min(end, today)``, so a past month's review shows what the rules said then; mutes are
today's.
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import fmean
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from interlude.accounts.models import User
from interlude.core.timezones import days_between, local_date, local_midnight, user_zone, week_start
from interlude.wellbeing import commitments as commitment_rules
from interlude.wellbeing import correlations, loaders, signals
from interlude.wellbeing.indicators import (
    AppointmentFact,
    CheckInFact,
    DayLoad,
    WeekLoad,
    daily_energy,
    daily_load,
    ran_over_share,
    trailing_average,
    weekly_load,
)
from interlude.wellbeing.notes import notes_load
from interlude.wellbeing.service import active_mutes, get_settings

Period = Literal["week", "month"]
CORRELATION_DAYS = 28  # correlations for period=week look at the last 28 days


def window(period: Period, end: date) -> tuple[date, date]:
    if period == "week":
        return end - timedelta(days=6), end
    if (end + timedelta(days=1)).month != end.month:  # the month's last day: whole month
        return end.replace(day=1), end
    year, month = (end.year, end.month - 1) if end.month > 1 else (end.year - 1, 12)
    previous = date(year, month, min(end.day, calendar.monthrange(year, month)[1]))
    return previous + timedelta(days=1), end


def _chart_x(day: date) -> int:
    """Unix seconds at 12:00 UTC of the date: one point per day, never shifted a day by the
    viewer's zone; label the axis with the ISO dates beside it."""
    return int(datetime.combine(day, time(12, 0), tzinfo=UTC).timestamp())


def _day_row(load: DayLoad, energy: dict[date, float], checkins: Counter[date]) -> dict[str, Any]:
    row = asdict(load)
    row["date"] = load.date.isoformat()
    row["energy"] = round(energy[load.date], 2) if load.date in energy else None
    average = trailing_average(energy, load.date, days=7)
    row["energy_avg7"] = round(average, 2) if average is not None else None
    row["checkins"] = checkins.get(load.date, 0)
    return row


def _week_row(
    week: WeekLoad,
    *,
    limit: int,
    signs: dict[date, int],
    kept: dict[date, int],
    planned_support: dict[date, int],
) -> dict[str, Any]:
    return {
        "week_start": week.week_start.isoformat(),
        "sessions": week.sessions,
        "session_hours": round(week.session_minutes / 60, 2),
        "caseload_limit": limit,
        "above_limit": week.sessions > limit,
        "longest_run": week.longest_run,
        "break_minutes": week.break_minutes,
        "outside_hours": week.outside_hours,
        "breaks_planned": week.breaks_planned,
        "breaks_taken": week.breaks_taken,
        "breaks_skipped": week.breaks_skipped,
        "breaks_snoozed": week.breaks_snoozed,
        "breaks_unanswered": week.breaks_unanswered,
        "reminders_delivered": week.reminders_delivered,
        "ran_over": week.ran_over,
        "warning_signs": signs.get(week.week_start),
        "commitments_planned": planned_support.get(week.week_start, 0),
        "commitments_kept": kept.get(week.week_start),
    }


def _indicators(days: list[DayLoad], weeks: list[dict[str, Any]], limit: int) -> dict[str, Any]:
    gaps = sum(max(0, d.sessions - 1) for d in days)
    break_minutes = sum(d.break_minutes for d in days)
    return {
        "sessions": sum(d.sessions for d in days),
        "session_hours": round(sum(d.session_minutes for d in days) / 60, 2),
        "longest_back_to_back": max((d.longest_run for d in days), default=0),
        "break_minutes_between_sessions": break_minutes,
        "average_gap_minutes": round(break_minutes / gaps, 1) if gaps else None,
        "sessions_outside_working_hours": sum(d.outside_hours for d in days),
        "reminders_delivered": sum(d.reminders_delivered for d in days),
        "breaks_planned": sum(d.breaks_planned for d in days),
        "breaks_taken": sum(d.breaks_taken for d in days),
        "breaks_skipped": sum(d.breaks_skipped for d in days),
        "breaks_snoozed": sum(d.breaks_snoozed for d in days),
        "breaks_unanswered": sum(d.breaks_unanswered for d in days),
        "caseload": {
            "limit": limit,
            "weeks_above_limit": sum(1 for w in weeks if w["above_limit"]),
            "busiest_week": max((w["sessions"] for w in weeks), default=0),
        },
    }


def _chart(day_rows: list[dict[str, Any]], week_rows: list[dict[str, Any]]) -> dict[str, Any]:
    def column(rows: list[dict[str, Any]], key: str) -> list[Any]:
        return [row[key] for row in rows]

    day_keys = (
        "energy",
        "energy_avg7",
        "sessions",
        "breaks_planned",
        "breaks_taken",
        "breaks_skipped",
        "breaks_snoozed",
    )
    week_keys = (
        "sessions",
        "caseload_limit",
        "breaks_planned",
        "breaks_taken",
        "breaks_skipped",
        "breaks_snoozed",
        "warning_signs",
    )
    return {
        "days": {
            "x": [_chart_x(date.fromisoformat(r["date"])) for r in day_rows],
            "dates": column(day_rows, "date"),
            **{key: column(day_rows, key) for key in day_keys},
        },
        "weeks": {
            "x": [_chart_x(date.fromisoformat(r["week_start"])) for r in week_rows],
            "week_starts": column(week_rows, "week_start"),
            **{key: column(week_rows, key) for key in week_keys},
        },
    }


@dataclass
class _Data:
    """Everything read from the database for one summary, already reduced to facts."""

    loads: dict[date, DayLoad]
    weeks: list[WeekLoad]
    appointments: list[AppointmentFact]
    checkins: list[CheckInFact]
    energy: dict[date, float]
    signs: dict[date, int]
    kept: dict[date, int]
    planned_support: dict[date, int]
    rules: list[commitment_rules.CommitmentRule]


def _read(session: Session, user: User, zone: ZoneInfo, lo: date, hi: date) -> _Data:
    """Load and reduce the user's data for the local dates ``lo`` to ``hi``."""
    lo_utc = local_midnight(lo, zone)
    hi_utc = local_midnight(hi + timedelta(days=1), zone)
    uid = user.id
    appointments = loaders.load_appointments(session=session, user_id=uid, start=lo_utc, end=hi_utc)
    breaks, delivered = loaders.load_reminders(
        session=session, user_id=uid, start=lo_utc, end=hi_utc
    )
    loads = daily_load(
        start=lo,
        end=hi,
        zone=zone,
        appointments=appointments,
        breaks=breaks,
        hours=loaders.load_working_hours(session=session, user_id=uid),
        delivered_reminders=delivered,
    )
    checkins = loaders.load_checkins(session=session, user_id=uid, start=lo, end=hi)
    reviews = loaders.load_reviews(session=session, user_id=uid, start=lo, end=hi)
    rules = commitment_rules.active_rules(session=session, user_id=uid)
    planned_support: Counter[date] = Counter(
        week_start(o.local_date)
        for o in commitment_rules.occurrences(rules, start=lo_utc, end=hi_utc, zone=zone)
    )
    return _Data(
        loads={d.date: d for d in loads},
        weeks=weekly_load(loads),
        appointments=appointments,
        checkins=checkins,
        energy=daily_energy(checkins),
        signs={week: len(r.warning_signs or []) for week, r in reviews.items()},
        kept={week: sum((r.commitments_kept or {}).values()) for week, r in reviews.items()},
        planned_support=dict(planned_support),
        rules=rules,
    )


def _signal_facts(data: _Data, *, as_of: date, limit: int, support: bool) -> signals.SignalFacts:
    return signals.SignalFacts(
        daily_energy={d: v for d, v in data.energy.items() if d <= as_of},
        warning_signs=data.signs,
        breaks={
            w.week_start: signals.BreakWeek(planned=w.breaks_planned, skipped=w.breaks_skipped)
            for w in data.weeks
        },
        sessions={w.week_start: w.sessions for w in data.weeks},
        caseload_limit=limit,
        has_upcoming_support=support,
    )


def build_summary(
    *, session: Session, user: User, now: datetime, period: Period, end: date | None
) -> dict[str, Any]:
    zone = user_zone(user)
    today = local_date(now, zone)
    start, end = window(period, end or today)
    as_of = min(end, today)
    settings_row = get_settings(session=session, user_id=user.id, now=now)
    limit = settings_row.weekly_caseload_limit
    corr_start = start if period == "month" else end - timedelta(days=CORRELATION_DAYS - 1)
    signal_start = as_of - timedelta(days=signals.ENERGY_RECENT_DAYS + signals.ENERGY_BASELINE_DAYS)
    lo = min(week_start(start), week_start(signal_start), corr_start, start - timedelta(days=6))
    hi = max(week_start(end), week_start(as_of)) + timedelta(days=6)
    data = _read(session, user, zone, lo, hi)

    checkin_counts = Counter(c.local_date for c in data.checkins)
    window_days = [data.loads[d] for d in days_between(start, end)]
    day_rows = [_day_row(d, data.energy, checkin_counts) for d in window_days]
    week_rows = [
        _week_row(
            w, limit=limit, signs=data.signs, kept=data.kept, planned_support=data.planned_support
        )
        for w in data.weeks
        if week_start(start) <= w.week_start <= week_start(end)
    ]
    corr_days = correlations.build_days(
        [c for c in data.checkins if corr_start <= c.local_date <= end], data.loads
    )
    upcoming = commitment_rules.occurrences(
        data.rules, start=now, end=now + timedelta(days=14), zone=zone
    )
    facts = _signal_facts(data, as_of=as_of, limit=limit, support=bool(upcoming))
    mutes = active_mutes(settings_row, today)
    active = [s for s in signals.evaluate_on(facts, as_of) if s.code not in mutes]
    energies = [data.energy[d] for d in days_between(start, end) if d in data.energy]
    indicators = _indicators(window_days, week_rows, limit)
    indicators["energy_average"] = round(fmean(energies), 2) if energies else None
    indicators["checkin_days"] = len(energies)
    in_window = [a for a in data.appointments if start <= local_date(a.start, zone) <= end]
    ended, ran_over, share = ran_over_share(in_window, until=now)
    indicators["sessions_ended"] = ended
    indicators["sessions_ran_over"] = ran_over
    indicators["ran_over_share"] = share
    notes = notes_load(session=session, user_id=user.id, now=now)
    indicators["notes_backlog"] = notes.backlog if notes.enabled else None
    return {
        "period": period,
        "start": start,
        "end": end,
        "timezone": user.timezone,
        "days": day_rows,
        "weeks": week_rows,
        "chart": _chart(day_rows, week_rows),
        "indicators": indicators,
        "correlations": [
            {**asdict(c), "days": c.days, "difference": round(c.difference, 2)}
            for c in correlations.find(corr_days)
        ],
        "signals": [
            {**asdict(s), "mute_url": f"/api/v1/wellbeing/signals/{s.code}/mute"} for s in active
        ],
        "muted_signals": mutes,
    }
