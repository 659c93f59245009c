"""Foundation: users, login sessions, login failures and the care plan.

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def _user_fk(table: str) -> sa.Column:
    return sa.Column(
        "user_id",
        sa.Uuid(),
        sa.ForeignKey("users.id", name=f"fk_{table}_user_id_users", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("display_name", sa.String(120), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.Column("password_changed_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_table(
        "auth_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        _user_fk("auth_sessions"),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("csrf_hash", sa.String(64), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.Column("last_used_at", UTC_DATETIME, nullable=False),
        sa.Column("revoked_at", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_auth_sessions"),
        sa.UniqueConstraint("token_hash", name="uq_auth_sessions_token_hash"),
    )
    op.create_index("ix_auth_sessions_user_id", "auth_sessions", ["user_id"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_failures"),
    )
    op.create_index("ix_login_failures_key_at", "login_failures", ["key_hash", "at"])

    op.create_table(
        "care_plans",
        sa.Column(
            "user_id",
            sa.Uuid(),
            sa.ForeignKey("users.id", name="fk_care_plans_user_id_users", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("quiet_start", sa.Time(), nullable=True),
        sa.Column("quiet_end", sa.Time(), nullable=True),
        sa.Column("daily_cap", sa.Integer(), nullable=False),
        sa.Column("working_days", sa.JSON(), nullable=False),
        sa.Column("working_start", sa.Time(), nullable=False),
        sa.Column("working_end", sa.Time(), nullable=False),
        sa.Column("typical_reply_time", sa.String(200), nullable=False),
        sa.Column("notify_window_close", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_care_plans"),
    )
    op.create_table(
        "micro_break_rules",
        sa.Column("id", sa.Uuid(), nullable=False),
        _user_fk("micro_break_rules"),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("min_gap_minutes", sa.Integer(), nullable=False),
        sa.Column("at_time", sa.Time(), nullable=True),
        sa.Column("every_minutes", sa.Integer(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("activity", sa.String(20), nullable=False),
        sa.Column("custom_text", sa.String(200), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_micro_break_rules"),
        sa.CheckConstraint(
            "duration_minutes BETWEEN 1 AND 60", name="ck_micro_break_rules_duration_range"
        ),
    )
    op.create_index("ix_micro_break_rules_user_id", "micro_break_rules", ["user_id"])
    op.create_table(
        "response_windows",
        sa.Column("id", sa.Uuid(), nullable=False),
        _user_fk("response_windows"),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_response_windows"),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_response_windows_weekday_range"),
        sa.CheckConstraint("start_time < end_time", name="ck_response_windows_start_before_end"),
    )
    op.create_index("ix_response_windows_user_id", "response_windows", ["user_id"])
    op.create_table(
        "time_off",
        sa.Column("id", sa.Uuid(), nullable=False),
        _user_fk("time_off"),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("label", sa.String(120), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_time_off"),
        sa.CheckConstraint("start_date <= end_date", name="ck_time_off_start_before_end"),
    )
    op.create_index("ix_time_off_user_id", "time_off", ["user_id"])
    op.create_table(
        "transition_rituals",
        sa.Column("id", sa.Uuid(), nullable=False),
        _user_fk("transition_rituals"),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("trigger", sa.String(24), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_transition_rituals"),
    )
    op.create_index("ix_transition_rituals_user_id", "transition_rituals", ["user_id"])


def downgrade() -> None:
    for table in ("transition_rituals", "time_off", "response_windows", "micro_break_rules"):
        op.drop_index(f"ix_{table}_user_id", table_name=table)
        op.drop_table(table)
    op.drop_table("care_plans")
    op.drop_index("ix_login_failures_key_at", table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_index("ix_auth_sessions_user_id", table_name="auth_sessions")
    op.drop_table("auth_sessions")
    op.drop_table("users")
