"""Wellbeing test fixtures."""

from __future__ import annotations

import pytest

from interlude.core import hooks


@pytest.fixture(autouse=True)
def isolated_schedule_listeners(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Commitment changes announce ``schedule_changed``; these tests check the announcement
    itself, and leave re-planning to the reminders domain's own tests."""
    listeners: list[object] = []
    monkeypatch.setattr(hooks, "_schedule_listeners", listeners)
    return listeners
