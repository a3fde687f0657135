"""step plan v2 in the read model: stalled, bridging, notice and consent records per case

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 08:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stalled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("bridging", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("notice", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("consents", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("registered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.create_index("ix_cases_stalled", ["stalled"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_stalled")
        batch_op.drop_column("consents")
        batch_op.drop_column("registered_at")
        batch_op.drop_column("notice")
        batch_op.drop_column("bridging")
        batch_op.drop_column("stalled")
