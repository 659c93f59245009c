"""week ahead: the review setting, held time and its CalDAV write-back.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from interlude.core.db import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _owner(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"
    )


def _source(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["source_id"],
        ["calendar_sources.id"],
        name=op.f(f"fk_{table}_source_id_calendar_sources"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "week_ahead_settings",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("at_time", sa.Time(), nullable=False),
        sa.Column("last_review_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "weekday BETWEEN 0 AND 6", name=op.f("ck_week_ahead_settings_weekday_range")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_week_ahead_settings")),
        _owner("week_ahead_settings"),
    )
    op.create_table(
        "held_time",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("start", UTCDateTime(), nullable=False),
        sa.Column("end", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("released_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint('"end" > start', name=op.f("ck_held_time_end_after_start")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_held_time")),
        _owner("held_time"),
    )
    op.create_index("ix_held_time_user_id_start", "held_time", ["user_id", "start"])
    op.create_table(
        "held_time_calendars",
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("calendar", sa.String(1000), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_held_time_calendars")),
        _source("held_time_calendars"),
        _owner("held_time_calendars"),
    )
    op.create_index(op.f("ix_held_time_calendars_user_id"), "held_time_calendars", ["user_id"])
    op.create_table(
        "held_time_writes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("held_id", sa.Uuid(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("calendar", sa.String(1000), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(300), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_held_time_writes")),
        sa.ForeignKeyConstraint(
            ["held_id"],
            ["held_time.id"],
            name=op.f("fk_held_time_writes_held_id_held_time"),
            ondelete="CASCADE",
        ),
        _source("held_time_writes"),
        _owner("held_time_writes"),
        sa.UniqueConstraint(
            "held_id", "source_id", name=op.f("uq_held_time_writes_held_id_source_id")
        ),
    )
    for column in ("held_id", "source_id", "user_id"):
        op.create_index(op.f(f"ix_held_time_writes_{column}"), "held_time_writes", [column])


def downgrade() -> None:
    op.drop_table("held_time_writes")
    op.drop_table("held_time_calendars")
    op.drop_index("ix_held_time_user_id_start", table_name="held_time")
    op.drop_table("held_time")
    op.drop_table("week_ahead_settings")
