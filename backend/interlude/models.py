"""Imports every domain's ORM models so ``Base.metadata`` is complete (Alembic, tests)."""

from interlude.accounts import models as accounts_models
from interlude.autoresponder import models as autoresponder_models
from interlude.calendars import models as calendars_models
from interlude.care_plan import models as care_plan_models
from interlude.core.db import Base
from interlude.push import models as push_models
from interlude.reminders import models as reminders_models
from interlude.week_ahead import models as week_ahead_models
from interlude.wellbeing import models as wellbeing_models

__all__ = [
    "Base",
    "accounts_models",
    "autoresponder_models",
    "calendars_models",
    "care_plan_models",
    "push_models",
    "reminders_models",
    "week_ahead_models",
    "wellbeing_models",
]
