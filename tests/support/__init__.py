"""Test doubles shared by several test packages (real servers, not mocks)."""
