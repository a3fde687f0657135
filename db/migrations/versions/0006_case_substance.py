"""the case's substance in the read model: structured case data and document references

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 09:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_data", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("documents", sa.JSON(), nullable=True))
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contributions", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("contributions")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("documents")
        batch_op.drop_column("case_data")
