"""silent capable: whether a device can show a notification without sound or vibration.

Revision ID: 0015
Revises: 0014 (0012 until issue 21's branches are merged: see down_revision)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
# Issue 21's chain is 0013 (care plan) -> 0014 (marks) -> 0015. Helper S's branch has
# neither yet, so it runs against 0012: set this to "0014" when the branches are merged.
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing devices are not capable until their PWA says so (on the next app open).
    op.add_column(
        "push_subscriptions",
        sa.Column("silent_capable", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    # The model has no server default; it only filled the existing rows.
    with op.batch_alter_table("push_subscriptions") as batch:
        batch.alter_column("silent_capable", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("push_subscriptions") as batch:
        batch.drop_column("silent_capable")
