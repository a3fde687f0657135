"""data protection: per-case data keys, keyed hash of client_ref, shredded cases, the
case data's free text in a sealed column of its own

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 11:00:00

Sealed columns need no schema change: they keep their types and hold ``enc1:...``
text (``db/sealing.py``); ``casusregie keys reencrypt`` seals rows written before.
"""

from collections.abc import Sequence
from datetime import datetime
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path

import sqlalchemy as sa
import sqlmodel
from alembic import op

from domain.definitions import coded_facts

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
        batch_op.add_column(
            sa.Column("bridging_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    op.add_column("tasks", sa.Column("codes", sa.JSON(), nullable=True))
    op.add_column(
        "signals", sa.Column("erased_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
    )
    # not in batch mode: on SQLite that would recreate the table without its triggers
    op.add_column(
        "audit_events", sa.Column("phase", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
    )
    _move_free_text("case_data", "case_text", FREE_TEXT)
    _plain_facts()


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


APPEND_ONLY = "0002_audit_events_append_only.py"


def _plain_facts() -> None:
    """Fill the plain columns beside the (still plain) sealed ones: the bridging start,
    the codes of completion data, the phase of a stall (the audit log is append-only:
    its triggers step aside for this one update)."""
    bind = op.get_bind()
    cases = sa.table(
        "cases",
        sa.column("id"),
        sa.column("definition_version"),
        sa.column("bridging", sa.JSON),
        sa.column("bridging_since", sqlmodel.sql.sqltypes.UTCDateTime()),
    )
    versions = {}
    for case_id, version, bridging in bind.execute(
        sa.select(cases.c.id, cases.c.definition_version, cases.c.bridging)
    ).all():
        versions[case_id] = version
        since = bridging.get("since") if isinstance(bridging, dict) else None
        if isinstance(since, str):
            bind.execute(
                cases.update()
                .where(cases.c.id == case_id)
                .values(bridging_since=datetime.fromisoformat(since))
            )
    tasks = sa.table(
        "tasks",
        sa.column("id"),
        sa.column("case_id"),
        sa.column("key"),
        sa.column("data", sa.JSON),
        sa.column("codes", sa.JSON),
    )
    for task_id, case_id, key, data in bind.execute(
        sa.select(tasks.c.id, tasks.c.case_id, tasks.c.key, tasks.c.data)
    ).all():
        if case_id in versions and isinstance(data, dict):
            codes = coded_facts(versions[case_id], key, data)
            if codes:
                bind.execute(tasks.update().where(tasks.c.id == task_id).values(codes=codes))
    events = sa.table(
        "audit_events",
        sa.column("id"),
        sa.column("action"),
        sa.column("detail", sa.JSON),
        sa.column("phase"),
    )
    stalls = bind.execute(
        sa.select(events.c.id, events.c.detail).where(events.c.action == "phase_stalled")
    ).all()
    phases = [(i, d["phase"]) for i, d in stalls if isinstance(d, dict) and d.get("phase")]
    if phases:
        spec = spec_from_file_location("append_only", Path(__file__).with_name(APPEND_ONLY))
        assert spec and spec.loader
        append_only = module_from_spec(spec)
        spec.loader.exec_module(append_only)
        for statement in append_only._statements(up=False):
            op.execute(statement)
        for event_id, phase in phases:
            bind.execute(events.update().where(events.c.id == event_id).values(phase=phase))
        append_only.create_triggers()


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
    op.drop_column("audit_events", "phase")
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("codes")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("bridging_since")
        batch_op.drop_column("case_text")
        batch_op.drop_index("ix_cases_client_ref_hash")
        batch_op.drop_column("shredded_at")
        batch_op.drop_column("client_ref_hash")
    op.drop_table("case_keys")
