"""autoresponder: one profile per user (wording, emergency protocol, custom templates).

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "autoresponder_profiles",
        sa.Column(
            "user_id",
            sa.Uuid(),
            sa.ForeignKey(
                "users.id", name="fk_autoresponder_profiles_user_id_users", ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column("credentials", sa.String(120), nullable=False),
        sa.Column("practice_name", sa.String(160), nullable=False),
        sa.Column("tone", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("emergency_text", sa.String(500), nullable=True),
        sa.Column("emergency_text_short", sa.String(160), nullable=True),
        sa.Column("emergency_enabled", sa.Boolean(), nullable=False),
        sa.Column("covering_name", sa.String(120), nullable=False),
        sa.Column("covering_contact", sa.String(200), nullable=False),
        sa.Column("secure_channel_name", sa.String(120), nullable=False),
        sa.Column("secure_channel_url", sa.String(500), nullable=False),
        sa.Column("email_not_secure_note", sa.Boolean(), nullable=False),
        sa.Column("reader_timezone", sa.String(64), nullable=True),
        sa.Column("mail_addresses", sa.JSON(), nullable=False),
        sa.Column("sieve_days", sa.Integer(), nullable=False),
        sa.Column("sieve_seconds", sa.Integer(), nullable=True),
        sa.Column("custom_templates", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_autoresponder_profiles"),
    )


def downgrade() -> None:
    op.drop_table("autoresponder_profiles")
