"""Folding reminder rows (with snooze chains) into break outcomes, and summary windows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from interlude.wellbeing.loaders import ReminderRow, fold_breaks
from interlude.wellbeing.summary import window

DUE = datetime(2026, 11, 23, 15, tzinfo=UTC)


def row(id_, *, state="sent", ack=None, parent=None, kind="micro_break"):
    return ReminderRow(
        id=id_,
        kind=kind,
        due_at=DUE,
        state=state,
        sent_at=DUE if state == "sent" else None,
        ack_action=ack,
        snoozed_from_id=parent,
    )


def test_outcomes_follow_the_snooze_chain():
    rows = [
        row("a", ack="done"),
        row("b", ack="skip"),
        row("c", ack="snooze"),
        row("c2", ack="done", parent="c"),
        row("d", ack="snooze"),
        row("d2", state="planned", parent="d"),
        row("e"),
        row("f", state="cancelled"),  # re-planned away
        row("g", state="cancelled", ack="skip"),  # skipped ahead of time
    ]
    outcomes = sorted(f.outcome for f in fold_breaks(rows))
    assert outcomes == sorted(["taken", "skipped", "taken", "snoozed", "unanswered", "skipped"])
    assert len(fold_breaks([])) == 0


def test_delivered_is_any_row_of_the_chain():
    facts = fold_breaks(
        [row("a", state="expired"), row("b", state="planned", ack="snooze"), row("b2", parent="b")]
    )
    assert [f.delivered for f in facts] == [False, True]


def test_summary_windows():
    assert window("week", date(2026, 11, 23)) == (date(2026, 11, 17), date(2026, 11, 23))
    assert window("month", date(2026, 11, 30)) == (date(2026, 11, 1), date(2026, 11, 30))
    assert window("month", date(2026, 11, 23)) == (date(2026, 10, 24), date(2026, 11, 23))
    assert window("month", date(2026, 3, 30)) == (date(2026, 3, 1), date(2026, 3, 30))
    assert window("month", date(2026, 1, 15)) == (date(2025, 12, 16), date(2026, 1, 15))
    start, end = window("month", date(2028, 2, 29))
    assert (start, end - start) == (date(2028, 2, 1), timedelta(days=28))
