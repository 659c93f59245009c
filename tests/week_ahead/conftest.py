"""The week-ahead tests share the calendars suite's real Radicale server fixture."""

from tests.calendars.test_caldav import radicale

__all__ = ["radicale"]
