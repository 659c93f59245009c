"""wellbeing: check-ins, weekly reviews, self-checks, commitments and settings.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from interlude.core.db import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _owner(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"
    )


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "wellbeing_settings",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("weekly_caseload_limit", sa.Integer(), nullable=False),
        sa.Column("muted_signals", sa.JSON(), nullable=False),
        sa.Column("emotion_words", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_wellbeing_settings")),
        _owner("wellbeing_settings"),
    )
    op.create_table(
        "wellbeing_checkins",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("energy", sa.Integer(), nullable=False),
        sa.Column("emotions", sa.JSON(), nullable=False),
        sa.Column("sleep_quality", sa.Integer(), nullable=True),
        sa.Column("moved", sa.Boolean(), nullable=True),
        sa.Column("connected", sa.Boolean(), nullable=True),
        sa.Column("insight_encrypted", sa.Text(), nullable=True),
        sa.Column("gratitude_encrypted", sa.Text(), nullable=True),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wellbeing_checkins")),
        _owner("wellbeing_checkins"),
        sa.CheckConstraint(
            "energy BETWEEN 1 AND 10", name=op.f("ck_wellbeing_checkins_energy_range")
        ),
        sa.CheckConstraint(
            "sleep_quality BETWEEN 1 AND 5", name=op.f("ck_wellbeing_checkins_sleep_range")
        ),
    )
    op.create_index("ix_wellbeing_checkins_user_id_at", "wellbeing_checkins", ["user_id", "at"])
    op.create_index(
        "ix_wellbeing_checkins_user_id_local_date",
        "wellbeing_checkins",
        ["user_id", "local_date"],
    )
    op.create_table(
        "wellbeing_weekly_reviews",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("warning_signs", sa.JSON(), nullable=False),
        sa.Column("commitments_kept", sa.JSON(), nullable=False),
        sa.Column("fulfillment_encrypted", sa.Text(), nullable=True),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wellbeing_weekly_reviews")),
        _owner("wellbeing_weekly_reviews"),
        sa.UniqueConstraint(
            "user_id", "week_start", name=op.f("uq_wellbeing_weekly_reviews_user_id_week_start")
        ),
    )
    op.create_table(
        "wellbeing_self_checks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("instrument", sa.String(64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("note_encrypted", sa.Text(), nullable=True),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wellbeing_self_checks")),
        _owner("wellbeing_self_checks"),
        sa.UniqueConstraint(
            "user_id",
            "month",
            "instrument",
            name=op.f("uq_wellbeing_self_checks_user_id_month_instrument"),
        ),
    )
    op.create_table(
        "wellbeing_commitments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("label", sa.String(80), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.String(16), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wellbeing_commitments")),
        _owner("wellbeing_commitments"),
        sa.CheckConstraint(
            "weekday BETWEEN 0 AND 6", name=op.f("ck_wellbeing_commitments_weekday_range")
        ),
        sa.CheckConstraint(
            "duration_minutes BETWEEN 5 AND 480",
            name=op.f("ck_wellbeing_commitments_duration_range"),
        ),
    )
    op.create_index("ix_wellbeing_commitments_user_id", "wellbeing_commitments", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_wellbeing_commitments_user_id", table_name="wellbeing_commitments")
    op.drop_table("wellbeing_commitments")
    op.drop_table("wellbeing_self_checks")
    op.drop_table("wellbeing_weekly_reviews")
    op.drop_index("ix_wellbeing_checkins_user_id_local_date", table_name="wellbeing_checkins")
    op.drop_index("ix_wellbeing_checkins_user_id_at", table_name="wellbeing_checkins")
    op.drop_table("wellbeing_checkins")
    op.drop_table("wellbeing_settings")
