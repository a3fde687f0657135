"""reflection_agreements: working agreements from case-transcending reflection meetings

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 09:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reflection_agreements",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=False),
        sa.Column("text_encrypted", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_by_org", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_reflection_agreements_region", "reflection_agreements", ["region"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_reflection_agreements_region", table_name="reflection_agreements")
    op.drop_table("reflection_agreements")
