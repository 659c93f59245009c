"""calendars: calendar sources and their appointments (times and flags only).

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "calendar_sources",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "user_id",
            sa.Uuid(),
            sa.ForeignKey("users.id", name="fk_calendar_sources_user_id_users", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("url_encrypted", sa.Text(), nullable=True),
        sa.Column("username_encrypted", sa.Text(), nullable=True),
        sa.Column("password_encrypted", sa.Text(), nullable=True),
        sa.Column("caldav_calendar", sa.String(1000), nullable=True),
        sa.Column("rule", sa.JSON(), nullable=False),
        sa.Column("etag", sa.String(500), nullable=True),
        sa.Column("last_modified", sa.String(100), nullable=True),
        sa.Column("body_hash", sa.String(64), nullable=True),
        sa.Column("sync_token", sa.String(1000), nullable=True),
        sa.Column("ctag", sa.String(1000), nullable=True),
        sa.Column("expanded_until", UTC_DATETIME, nullable=True),
        sa.Column("expanded_zone", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("last_synced_at", UTC_DATETIME, nullable=True),
        sa.Column("last_attempt_at", UTC_DATETIME, nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("next_sync_at", UTC_DATETIME, nullable=True),
        sa.Column("lease_owner", sa.String(100), nullable=True),
        sa.Column("lease_until", UTC_DATETIME, nullable=True),
        sa.Column("appointment_count", sa.Integer(), nullable=False),
        sa.Column("session_count", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_calendar_sources"),
    )
    op.create_index("ix_calendar_sources_user_id", "calendar_sources", ["user_id"])
    op.create_index("ix_calendar_sources_next_sync_at", "calendar_sources", ["next_sync_at"])
    op.create_table(
        "appointments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "user_id",
            sa.Uuid(),
            sa.ForeignKey("users.id", name="fk_appointments_user_id_users", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "source_id",
            sa.Uuid(),
            sa.ForeignKey(
                "calendar_sources.id",
                name="fk_appointments_source_id_calendar_sources",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column("identity_hash", sa.String(64), nullable=False),
        sa.Column("start", UTC_DATETIME, nullable=False),
        sa.Column("end", UTC_DATETIME, nullable=False),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("telehealth", sa.Boolean(), nullable=False),
        sa.Column("intense", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_appointments"),
        sa.UniqueConstraint(
            "source_id", "identity_hash", name="uq_appointments_source_id_identity_hash"
        ),
    )
    op.create_index("ix_appointments_source_id", "appointments", ["source_id"])
    op.create_index("ix_appointments_user_id_start", "appointments", ["user_id", "start"])


def downgrade() -> None:
    op.drop_index("ix_appointments_user_id_start", table_name="appointments")
    op.drop_index("ix_appointments_source_id", table_name="appointments")
    op.drop_table("appointments")
    op.drop_index("ix_calendar_sources_next_sync_at", table_name="calendar_sources")
    op.drop_index("ix_calendar_sources_user_id", table_name="calendar_sources")
    op.drop_table("calendar_sources")
