"""GET /summary on a seeded month: series, indicators, correlations, signals, mutes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from interlude.calendars.models import Appointment
from interlude.care_plan.models import CarePlanSettings
from interlude.wellbeing.models import CheckIn, WeeklyReview
from tests.wellbeing.factories import add_reminder, add_session, make_source

NY = ZoneInfo("America/New_York")
URL = "/api/v1/wellbeing/summary"
# Monday and Tuesday: a run of three back-to-back sessions, then three spaced ones.
BUSY_DAY = [time(9, 0), time(9, 55), time(10, 50), time(13, 0), time(14, 0), time(15, 0)]
LIGHT_DAY = [time(9, 0), time(11, 0), time(13, 0), time(14, 0), time(16, 0)]
QUIET_DAY = [time(10, 0), time(12, 0), time(14, 0), time(15, 0)]


def at(day: date, clock_time: time) -> datetime:
    return datetime.combine(day, clock_time, tzinfo=NY).astimezone(UTC)


@pytest.fixture
def seeded(db, user, clock):
    """Weeks of 9, 16 and 23 November: 26 sessions each (limit 25), plus a Saturday session;
    energy 7 (4 on busy days) until a slide to 4 from 17 November; warning signs 3 and 4;
    last week 4 of 6 breaks skipped."""
    now = clock.now()
    source = make_source(db, user.id, now)
    for monday in (date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)):
        for offset, times in enumerate([BUSY_DAY, BUSY_DAY, LIGHT_DAY, LIGHT_DAY, QUIET_DAY]):
            for clock_time in times:
                add_session(db, source, at(monday + timedelta(days=offset), clock_time))
    add_session(db, source, at(date(2026, 11, 14), time(10, 0)))  # Saturday
    add_session(db, source, at(date(2026, 11, 12), time(12, 0)), kind="other")
    day = date(2026, 10, 12)
    while day <= date(2026, 11, 23):
        recent = day >= date(2026, 11, 17)
        energy = 4 if recent or day.weekday() in (0, 1) else 7
        instant = at(day, time(19, 0))
        db.add(
            CheckIn(
                user_id=user.id,
                at=instant,
                local_date=day,
                timezone="America/New_York",
                energy=energy,
                emotions=[],
                moved=day.weekday() == 5,
                created_at=instant,
                updated_at=instant,
            )
        )
        day += timedelta(days=1)
    for week, signs in (
        (date(2026, 11, 9), ["cynicism", "irritability", "clock_watching"]),
        (date(2026, 11, 16), ["cynicism", "irritability", "clock_watching", "sleep_disruption"]),
    ):
        db.add(
            WeeklyReview(
                user_id=user.id,
                week_start=week,
                warning_signs=signs,
                commitments_kept={"supervision": 1},
                created_at=now,
                updated_at=now,
            )
        )
    for n, ack in enumerate(["skip", "skip", "skip", "skip", "done", "snooze"]):
        add_reminder(
            db, user.id, at(date(2026, 11, 16) + timedelta(days=n % 5), time(11, 0)), ack=ack
        )
    add_reminder(db, user.id, at(date(2026, 11, 16), time(17, 0)), kind="end_of_day")
    add_reminder(db, user.id, at(date(2026, 11, 18), time(8, 0)), state="cancelled")  # re-planned
    db.commit()
    return user


def test_month_summary_on_seeded_data(client, auth, seeded):
    response = client.get(URL, params={"period": "month"}, headers=auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["start"], body["end"]) == ("2026-10-24", "2026-11-23")
    assert body["timezone"] == "America/New_York"
    assert len(body["days"]) == 31
    by_date = {d["date"]: d for d in body["days"]}
    assert by_date["2026-11-16"]["sessions"] == 6
    assert by_date["2026-11-16"]["longest_run"] == 3
    assert by_date["2026-11-16"]["break_minutes"] == 5 + 5 + 80 + 10 + 10
    assert by_date["2026-11-14"]["outside_hours"] == 1
    assert by_date["2026-11-20"]["energy"] == 4.0
    assert by_date["2026-11-16"]["energy_avg7"] == pytest.approx((4 + 7 * 5 + 4) / 7, abs=0.01)
    assert [w["week_start"] for w in body["weeks"]] == [
        "2026-10-19",
        "2026-10-26",
        "2026-11-02",
        "2026-11-09",
        "2026-11-16",
        "2026-11-23",
    ]
    weeks = {w["week_start"]: w for w in body["weeks"]}
    assert weeks["2026-11-09"]["sessions"] == 27 and weeks["2026-11-09"]["above_limit"]
    assert weeks["2026-11-23"]["sessions"] == 26  # the whole week's calendar
    assert weeks["2026-11-16"]["warning_signs"] == 4
    assert weeks["2026-11-02"]["warning_signs"] is None

    indicators = body["indicators"]
    assert indicators["sessions"] == 26 + 27 + 6
    assert indicators["longest_back_to_back"] == 3
    assert indicators["sessions_outside_working_hours"] == 1
    assert (
        indicators["breaks_planned"],
        indicators["breaks_taken"],
        indicators["breaks_skipped"],
        indicators["breaks_snoozed"],
    ) == (6, 1, 4, 1)
    assert indicators["reminders_delivered"] == 7
    assert indicators["caseload"]["weeks_above_limit"] == 3
    assert indicators["checkin_days"] == 31

    [b2b] = [c for c in body["correlations"] if c["factor"] == "back_to_back"]
    assert b2b["days_with"] == 5 and b2b["energy_with"] == 4.0
    assert b2b["sentence"].startswith(
        "On days with 3+ back-to-back sessions, your energy averaged 4.0"
    )
    assert b2b["sentence"].endswith("(31 days).")

    codes = {s["code"] for s in body["signals"]}
    assert codes == {"energy_drop", "warning_signs", "breaks_skipped", "caseload"}
    for signal in body["signals"]:
        assert signal["nudge"] and signal["mute_url"].endswith(f"/signals/{signal['code']}/mute")

    chart = body["chart"]
    assert len(chart["days"]["x"]) == len(chart["days"]["energy"]) == 31
    assert chart["days"]["dates"][0] == "2026-10-24"
    assert chart["weeks"]["sessions"] == [w["sessions"] for w in body["weeks"]]
    assert chart["days"]["x"][1] - chart["days"]["x"][0] == 86400


def test_a_muted_signal_is_left_out(client, auth, seeded):
    client.post("/api/v1/wellbeing/signals/caseload/mute", json={"days": 14}, headers=auth)
    body = client.get(URL, params={"period": "month"}, headers=auth).json()
    assert "caseload" not in {s["code"] for s in body["signals"]}
    assert body["muted_signals"] == {"caseload": "2026-12-07"}


def test_week_summary_for_last_week(client, auth, seeded):
    body = client.get(URL, params={"period": "week", "end": "2026-11-22"}, headers=auth).json()
    assert (body["start"], body["end"]) == ("2026-11-16", "2026-11-22")
    assert len(body["days"]) == 7
    assert body["indicators"]["sessions"] == 26
    assert body["indicators"]["breaks_skipped"] == 4
    # As of 22 November "last week" is the week of 9 November: no breaks were planned then.
    assert "breaks_skipped" not in {s["code"] for s in body["signals"]}


def test_a_past_month_shows_the_signals_of_that_time(client, auth, seeded):
    body = client.get(URL, params={"period": "month", "end": "2026-10-31"}, headers=auth).json()
    assert (body["start"], body["end"]) == ("2026-10-01", "2026-10-31")
    assert body["signals"] == []
    assert body["indicators"]["sessions"] == 0


def test_empty_account_gets_an_empty_but_complete_summary(client, auth):
    response = client.get(URL, headers=auth)
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == "week" and len(body["days"]) == 7
    assert all(d["energy"] is None and d["sessions"] == 0 for d in body["days"])
    assert body["correlations"] == [] and body["signals"] == []
    assert body["indicators"]["average_gap_minutes"] is None


def test_the_summary_follows_a_time_zone_change(client, auth, seeded):
    # Moving to Tokyo: 19:00 New York check-ins keep their date; sessions move by zone.
    client.patch("/api/v1/me", json={"timezone": "Asia/Tokyo"}, headers=auth)
    body = client.get(URL, params={"period": "week", "end": "2026-11-22"}, headers=auth).json()
    assert body["timezone"] == "Asia/Tokyo"
    by_date = {d["date"]: d for d in body["days"]}
    # Check-ins keep the date they were made on.
    assert by_date["2026-11-16"]["energy"] == 4.0
    # Sessions move: 09:00 and 09:55 New York on Monday are 23:00 and 23:55 in Tokyo; the
    # rest of that day is Tuesday there, and nothing falls inside Tokyo working hours.
    assert by_date["2026-11-16"]["sessions"] == 2
    assert by_date["2026-11-17"]["sessions"] == 4 + 2
    assert body["indicators"]["sessions"] == 26
    assert body["indicators"]["sessions_outside_working_hours"] == 26


def test_bad_input_and_auth(client, auth):
    assert client.get(URL, params={"period": "year"}, headers=auth).status_code == 422
    assert client.get(URL, params={"end": "yesterday"}, headers=auth).status_code == 422
    assert client.get(URL, params={"end": "1900-01-01"}, headers=auth).status_code == 422
    assert client.get(URL).status_code == 401


def test_active_signals_endpoint(client, auth, seeded):
    response = client.get("/api/v1/wellbeing/signals", headers=auth)
    assert response.status_code == 200
    assert {s["code"] for s in response.json()["signals"]} == {
        "energy_drop",
        "warning_signs",
        "breaks_skipped",
        "caseload",
    }
    client.post("/api/v1/wellbeing/signals/energy_drop/mute", headers=auth)
    after = client.get("/api/v1/wellbeing/signals", headers=auth).json()
    assert "energy_drop" not in {s["code"] for s in after["signals"]}
    assert after["muted_signals"] == {"energy_drop": None}
    assert client.get("/api/v1/wellbeing/signals").status_code == 401


def test_ran_over_and_the_notes_backlog_beside_the_load(client, auth, db, seeded):
    monday = [
        row
        for row in db.scalars(select(Appointment).order_by(Appointment.start))
        if row.start.astimezone(NY).date() == date(2026, 11, 16)
    ]
    monday[0].ran_over = monday[1].ran_over = True
    db.commit()
    body = client.get(URL, params={"period": "week", "end": "2026-11-22"}, headers=auth).json()
    by_date = {d["date"]: d for d in body["days"]}
    assert by_date["2026-11-16"]["ran_over"] == 2 and by_date["2026-11-17"]["ran_over"] == 0
    assert {w["week_start"]: w["ran_over"] for w in body["weeks"]} == {"2026-11-16": 2}
    indicators = body["indicators"]
    assert (indicators["sessions_ended"], indicators["sessions_ran_over"]) == (26, 2)
    assert indicators["ran_over_share"] == round(2 / 26, 2)
    assert indicators["notes_backlog"] is None  # notes time is off

    plan = db.get(CarePlanSettings, seeded.id)
    plan.notes_minutes = 10
    db.commit()
    # The 7 days to today (17-23 November): today's first session starts at the frozen 9:00
    # and has not ended, so it is not in the share; Monday the 16th is out of the window.
    body = client.get(URL, params={"period": "week"}, headers=auth).json()
    assert body["indicators"]["sessions_ended"] == 6 + 5 + 5 + 4
    assert body["indicators"]["sessions_ran_over"] == 0
    assert body["indicators"]["ran_over_share"] == 0.0
    # The backlog is today's: the 26 sessions of the last 7 days, none with notes.
    assert body["indicators"]["notes_backlog"] == 26
