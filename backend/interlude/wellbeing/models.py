"""ORM models of the wellbeing domain."""
