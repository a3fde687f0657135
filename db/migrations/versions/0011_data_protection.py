"""data protection: per-case data keys, keyed hash of client_ref, shredded cases, the
case data's free text in a sealed column of its own

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 11:00:00

Sealed columns need no schema change: they keep their types and hold ``enc1:...``
text (``db/sealing.py``); ``casusregie keys reencrypt`` seals rows written before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
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
        batch_op.add_column(sa.Column("case_text", sa.JSON(), nullable=True))
    _move_free_text("case_data", "case_text", FREE_TEXT)


# the LONG_TEXT fields of domain/casedata.py as this revision knows them
FREE_TEXT = ("wanted_expertise", "wanted_location", "wanted_care")


def _move_free_text(source: str, target: str, names: Sequence[str]) -> None:
    """Move the free-text fields between the case-data columns (still plain here:
    ``casusregie keys reencrypt`` seals what was written before sealing)."""
    cases = sa.table("cases", sa.column("id"), sa.column(source, sa.JSON), sa.column(target, sa.JSON))
    bind = op.get_bind()
    for case_id, values in bind.execute(sa.select(cases.c.id, cases.c[source])).all():
        if not isinstance(values, dict) or not set(values) & set(names):
            continue
        kept = {k: v for k, v in values.items() if k not in names}
        moved = {k: v for k, v in values.items() if k in names}
        bind.execute(
            cases.update()
            .where(cases.c.id == case_id)
            .values({source: kept or None, target: moved})
        )


def _move_back() -> None:
    """Plain free text goes back into ``case_data``; sealed free text cannot be read by
    a migration and is dropped with the column (downgrading loses it)."""
    cases = sa.table("cases", sa.column("id"), sa.column("case_data", sa.JSON), sa.column("case_text", sa.JSON))
    bind = op.get_bind()
    rows = bind.execute(sa.select(cases.c.id, cases.c.case_data, cases.c.case_text)).all()
    for case_id, codes, text in rows:
        if isinstance(text, dict) and text:
            merged = {**(codes if isinstance(codes, dict) else {}), **text}
            bind.execute(cases.update().where(cases.c.id == case_id).values(case_data=merged))


def downgrade() -> None:
    _move_back()
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("case_text")
        batch_op.drop_index("ix_cases_client_ref_hash")
        batch_op.drop_column("shredded_at")
        batch_op.drop_column("client_ref_hash")
    op.drop_table("case_keys")
