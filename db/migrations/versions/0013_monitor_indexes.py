"""monitor and reflection indexes: a case's tasks with everything the monitor's cohorts
ask of them (replaces ix_tasks_case_status, its prefix), the tasks the reflection reads
(partial), a case's audit events by action (stalls)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 12:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# db.models.REPORTED_TASKS as it was at this revision
REPORTED_TASKS = (
    "\"key\" IN ('decide_dossierhouder', 'first_registration_round', "
    "'second_registration_round') OR outcome = 'placed' OR status = 'skipped'"
)


def upgrade() -> None:
    # plain CREATE/DROP INDEX: no batch mode, which would rebuild the tables (and drop
    # the audit log's triggers on SQLite)
    op.create_index(
        "ix_tasks_case_cohorts", "tasks", ["case_id", "status", "key", "overdue", "due_at"]
    )
    op.drop_index("ix_tasks_case_status", table_name="tasks")
    op.create_index(
        "ix_tasks_reported",
        "tasks",
        ["case_id"],
        sqlite_where=sa.text(REPORTED_TASKS),
        postgresql_where=sa.text(REPORTED_TASKS),
    )
    op.create_index("ix_audit_case_action", "audit_events", ["case_id", "action"])


def downgrade() -> None:
    op.drop_index("ix_audit_case_action", table_name="audit_events")
    op.drop_index("ix_tasks_reported", table_name="tasks")
    op.create_index("ix_tasks_case_status", "tasks", ["case_id", "status"])
    op.drop_index("ix_tasks_case_cohorts", table_name="tasks")
