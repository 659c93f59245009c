"""delivery: receipts on reminders, device health on push subscriptions.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from interlude.core.db import UTCDateTime
from interlude.push.families import push_service_family

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DEVICE_TIMES = (
    "last_accepted_at",
    "last_receipt_at",
    "unconfirmed_since",
    "gone_at",
)
_DEVICE_COUNTS = ("unconfirmed_count", "accepted_total", "receipts_total")


def upgrade() -> None:
    op.add_column("reminders", sa.Column("delivered_at", UTCDateTime(), nullable=True))
    op.add_column("reminders", sa.Column("receipt_lateness_ms", sa.Integer(), nullable=True))
    op.add_column(
        "push_subscriptions",
        sa.Column("push_service", sa.String(16), nullable=False, server_default="other"),
    )
    for name in _DEVICE_TIMES:
        op.add_column("push_subscriptions", sa.Column(name, UTCDateTime(), nullable=True))
    for name in _DEVICE_COUNTS:
        op.add_column(
            "push_subscriptions",
            sa.Column(name, sa.Integer(), nullable=False, server_default="0"),
        )
    # Existing devices get their push service's family from their endpoint.
    devices = sa.table(
        "push_subscriptions",
        sa.column("id", sa.Uuid()),
        sa.column("endpoint", sa.Text()),
        sa.column("push_service", sa.String(16)),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(devices.c.id, devices.c.endpoint)).all():
        connection.execute(
            sa.update(devices)
            .where(devices.c.id == row.id)
            .values(push_service=push_service_family(row.endpoint))
        )
    # The model has no server defaults; they only filled the existing rows.
    with op.batch_alter_table("push_subscriptions") as batch:
        batch.alter_column("push_service", server_default=None)
        for name in _DEVICE_COUNTS:
            batch.alter_column(name, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("push_subscriptions") as batch:
        for name in (*_DEVICE_COUNTS, *_DEVICE_TIMES, "push_service"):
            batch.drop_column(name)
    with op.batch_alter_table("reminders") as batch:
        batch.drop_column("receipt_lateness_ms")
        batch.drop_column("delivered_at")
