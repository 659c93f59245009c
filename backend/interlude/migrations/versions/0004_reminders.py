"""reminders: the outbox rows and the breaks.ics feed token.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from interlude.core.db import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("anchor", sa.String(128), nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(300), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("lateness_ms", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.String(500), nullable=False),
        sa.Column("activity", sa.String(32), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("ritual_steps", sa.JSON(), nullable=False),
        sa.Column("snoozed_from_id", sa.Uuid(), nullable=True),
        sa.Column("ack_action", sa.String(16), nullable=True),
        sa.Column("acked_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_reminders_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["snoozed_from_id"],
            ["reminders.id"],
            name=op.f("fk_reminders_snoozed_from_id_reminders"),
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_reminders_user_id_key")),
    )
    op.create_index("ix_reminders_state_next_attempt_at", "reminders", ["state", "next_attempt_at"])
    op.create_index("ix_reminders_user_id_due_at", "reminders", ["user_id", "due_at"])
    op.create_table(
        "reminder_feed_tokens",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_reminder_feed_tokens")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_reminder_feed_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_reminder_feed_tokens_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("reminder_feed_tokens")
    op.drop_index("ix_reminders_user_id_due_at", table_name="reminders")
    op.drop_index("ix_reminders_state_next_attempt_at", table_name="reminders")
    op.drop_table("reminders")
