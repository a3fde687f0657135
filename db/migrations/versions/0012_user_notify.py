"""users.notify: how a user gets notifications by e-mail, "direct" or "digest" (a daily
overview); set on the page /mijn-gegevens or by a functional administrator (issue 17);
notification_outbox.digest_id: the daily digest a held message went out in

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column(
                "notify",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default="direct",
            )
        )
    with op.batch_alter_table("notification_outbox") as batch:
        batch.add_column(
            sa.Column("digest_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch.create_index(batch.f("ix_notification_outbox_digest_id"), ["digest_id"])


def downgrade() -> None:
    with op.batch_alter_table("notification_outbox") as batch:
        batch.drop_index(batch.f("ix_notification_outbox_digest_id"))
        batch.drop_column("digest_id")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("notify")
