"""data protection: per-case data keys, keyed hash of client_ref, shredded cases

Revision ID: 0008
Revises: 0005 (the integrator re-chains it after 0006/0007)
Create Date: 2026-11-28 10:00:00

Sealed columns need no schema change: they keep their types and hold ``enc1:...``
text (``db/sealing.py``); ``casusregie keys reencrypt`` seals rows written before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_keys",
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kek_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("wrapped_key", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("rewrapped_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("shredded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("case_id"),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("client_ref_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("shredded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.create_index("ix_cases_client_ref_hash", ["client_ref_hash"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_client_ref_hash")
        batch_op.drop_column("shredded_at")
        batch_op.drop_column("client_ref_hash")
    op.drop_table("case_keys")
