"""early signals (issue 11): the signals table, tasks of a signal (tasks.case_id nullable,
tasks.signal_id), and the signal a case was started from (cases.signal_id)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 09:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString
WHEN = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "signals",
        sa.Column("id", TEXT(), nullable=False),
        sa.Column("workflow_id", TEXT(), nullable=False),
        sa.Column("kind", TEXT(), nullable=False),
        sa.Column("mode", TEXT(), nullable=True),
        sa.Column("sector", TEXT(), nullable=False),
        sa.Column("region", TEXT(), nullable=False),
        sa.Column("provider_org", TEXT(), nullable=False),
        sa.Column("oco_org", TEXT(), nullable=True),
        sa.Column("zorgkantoor_org", TEXT(), nullable=False),
        sa.Column("sender_org", TEXT(), nullable=False),
        sa.Column("sender_role", TEXT(), nullable=False),
        sa.Column("sent_by", TEXT(), nullable=False),
        sa.Column("sent_by_id", TEXT(), nullable=False),
        sa.Column("client_ref_encrypted", TEXT(), nullable=False),
        sa.Column("note_encrypted", TEXT(), nullable=False),
        sa.Column("advice_encrypted", TEXT(), nullable=True),
        sa.Column("motivation_encrypted", TEXT(), nullable=True),
        sa.Column("status", TEXT(), nullable=False),
        sa.Column("outcome", TEXT(), nullable=True),
        sa.Column("assessed_by", TEXT(), nullable=True),
        sa.Column("assessed_by_org", TEXT(), nullable=True),
        sa.Column("assessed_at", WHEN(), nullable=True),
        sa.Column("case_id", TEXT(), nullable=True),
        sa.Column("workflow_state", TEXT(), nullable=False),
        sa.Column("idempotency_key", TEXT(), nullable=True),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.Column("updated_at", WHEN(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
        sa.UniqueConstraint("workflow_id"),
    )
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.create_index("ix_signals_region", ["region"], unique=False)
        batch_op.create_index("ix_signals_status", ["status"], unique=False)
        batch_op.create_index("ix_signals_sender_created", ["sender_org", "created_at"])
        batch_op.create_index("ix_signals_zorgkantoor_created", ["zorgkantoor_org", "created_at"])

    # a unique index, no foreign key: SQLite would have to copy the cases table (which
    # the tasks and participants refer to) to add a constraint
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signal_id", TEXT(), nullable=True))
        batch_op.create_index("ix_cases_signal_id", ["signal_id"], unique=True)

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signal_id", TEXT(), nullable=True))
        batch_op.alter_column("case_id", existing_type=sa.VARCHAR(), nullable=True)
        batch_op.create_index("ix_tasks_signal_id", ["signal_id"], unique=False)
        batch_op.create_foreign_key("fk_tasks_signal_id_signals", "signals", ["signal_id"], ["id"])


def downgrade() -> None:
    op.execute("DELETE FROM tasks WHERE case_id IS NULL")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_constraint("fk_tasks_signal_id_signals", type_="foreignkey")
        batch_op.drop_index("ix_tasks_signal_id")
        batch_op.alter_column("case_id", existing_type=sa.VARCHAR(), nullable=False)
        batch_op.drop_column("signal_id")

    # natively (SQLite 3.35+): a batch copy of cases fails while tasks refer to it
    op.drop_index("ix_cases_signal_id", table_name="cases")
    op.execute("ALTER TABLE cases DROP COLUMN signal_id")

    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_index("ix_signals_zorgkantoor_created")
        batch_op.drop_index("ix_signals_sender_created")
        batch_op.drop_index("ix_signals_status")
        batch_op.drop_index("ix_signals_region")
    op.drop_table("signals")
