"""TEMPORARY (helper M's branch only): appointments.notes_done and ran_over.

Helper P's migration 0013 "notes_and_wrap_up" adds these columns; this file stands in for it
so the tests of this branch run, and is dropped at merge.

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


def upgrade() -> None:
    for name in ("notes_done", "ran_over"):
        op.add_column(
            "appointments",
            sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false()),
        )


def downgrade() -> None:
    with op.batch_alter_table("appointments") as batch:
        batch.drop_column("ran_over")
        batch.drop_column("notes_done")
