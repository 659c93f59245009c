"""occurrence marks: flags the therapist sets on one occurrence (intense, telehealth), and the
ritual a reminder carries (its name and minutes) for Today and the Break screen.

Revision ID: 0009
Revises: 0007
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from interlude.core.db import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    marks = op.create_table(
        "occurrence_marks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "user_id",
            sa.Uuid(),
            sa.ForeignKey("users.id", name="fk_occurrence_marks_user_id_users", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "source_id",
            sa.Uuid(),
            sa.ForeignKey(
                "calendar_sources.id",
                name="fk_occurrence_marks_source_id_calendar_sources",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column("identity_hash", sa.String(64), nullable=False),
        sa.Column("mark", sa.String(32), nullable=False),
        sa.Column("value", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_occurrence_marks"),
        sa.UniqueConstraint(
            "source_id",
            "identity_hash",
            "mark",
            name="uq_occurrence_marks_source_id_identity_hash_mark",
        ),
    )
    op.create_index("ix_occurrence_marks_user_id", "occurrence_marks", ["user_id"])
    # Sessions already marked intense (through the API) keep their mark.
    appointments = sa.table(
        "appointments",
        sa.column("user_id", sa.Uuid()),
        sa.column("source_id", sa.Uuid()),
        sa.column("identity_hash", sa.String(64)),
        sa.column("intense", sa.Boolean()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            appointments.c.user_id, appointments.c.source_id, appointments.c.identity_hash
        ).where(appointments.c.intense.is_(True))
    ).all()
    if rows:
        now = datetime.now(UTC)
        op.bulk_insert(
            marks,
            [
                {
                    "id": uuid.uuid4(),
                    "user_id": row.user_id,
                    "source_id": row.source_id,
                    "identity_hash": row.identity_hash,
                    "mark": "intense",
                    "value": True,
                    "updated_at": now,
                }
                for row in rows
            ],
        )
    op.add_column("reminders", sa.Column("ritual_name", sa.String(120), nullable=True))
    op.add_column(
        "reminders",
        sa.Column("ritual_minutes", sa.Integer(), nullable=False, server_default="0"),
    )
    with op.batch_alter_table("reminders") as batch:
        batch.alter_column("ritual_minutes", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("reminders") as batch:
        batch.drop_column("ritual_minutes")
        batch.drop_column("ritual_name")
    op.drop_index("ix_occurrence_marks_user_id", table_name="occurrence_marks")
    op.drop_table("occurrence_marks")
