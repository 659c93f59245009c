"""silent capable: whether a device can show a notification without sound or vibration.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
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
