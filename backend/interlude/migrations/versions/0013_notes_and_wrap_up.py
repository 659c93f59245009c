"""notes and wrap-up (issue 21): notes time and the wrap-up cue in the care plan, the notes
time a reminder reserves, and the "notes done" / "ran over" flags on appointments.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _care_plan_columns() -> tuple[sa.Column[object], ...]:
    """Fresh each time: a Column belongs to one table (upgrade may run twice in a process).
    Server defaults stay: existing rows get them, and so does a writer that leaves them out."""
    return (
        sa.Column("notes_minutes", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("notes_applies_to", sa.String(16), nullable=False, server_default="every"),
        sa.Column("notes_order", sa.String(16), nullable=False, server_default="break_first"),
        sa.Column("notes_backlog_days", sa.Integer(), nullable=False, server_default="7"),
        sa.Column("notes_end_of_day", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("wrap_up_minutes", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("wrap_up_applies_to", sa.String(16), nullable=False, server_default="every"),
    )


def _appointment_columns() -> tuple[sa.Column[object], ...]:
    return (
        sa.Column("notes_done", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("ran_over", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def upgrade() -> None:
    for column in _care_plan_columns():
        op.add_column("care_plans", column)
    for column in _appointment_columns():
        op.add_column("appointments", column)
    op.add_column(
        "reminders", sa.Column("notes_minutes", sa.Integer(), nullable=False, server_default="0")
    )


def downgrade() -> None:
    with op.batch_alter_table("reminders") as batch:
        batch.drop_column("notes_minutes")
    with op.batch_alter_table("appointments") as batch:
        for column in reversed(_appointment_columns()):
            batch.drop_column(column.name)
    with op.batch_alter_table("care_plans") as batch:
        for column in reversed(_care_plan_columns()):
            batch.drop_column(column.name)
