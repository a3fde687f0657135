"""The audit log is append-only in the database itself: the migration's triggers reject
UPDATE and DELETE (and TRUNCATE on PostgreSQL); inserting stays possible."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError

from db.engine import engine_for, session_scope
from db.migrate import upgrade_to_head
from db.models import AuditEvent


def _insert(engine: Engine, event_id: str) -> None:
    with session_scope(engine) as s:
        s.add(
            AuditEvent(
                id=event_id,
                case_id="c1",
                seq=1,
                at=datetime.now(UTC),
                actor="systeem",
                action="case_started",
            )
        )


def test_insert_allowed_update_and_delete_rejected(any_engine: Engine) -> None:
    _insert(any_engine, "c1:e1")
    _insert(any_engine, "c1:e2")
    with pytest.raises(DatabaseError, match="append-only"), any_engine.begin() as conn:
        conn.execute(update(AuditEvent).where(AuditEvent.id == "c1:e1").values(actor="x"))
    with pytest.raises(DatabaseError, match="append-only"), any_engine.begin() as conn:
        conn.execute(delete(AuditEvent))
    with pytest.raises(DatabaseError, match="append-only"), session_scope(any_engine) as s:
        row = s.get(AuditEvent, "c1:e2")
        row.motivation = "achteraf aangepast"
    with any_engine.connect() as conn:
        rows = conn.execute(text("SELECT id, actor, motivation FROM audit_events ORDER BY id"))
        assert [tuple(r) for r in rows] == [("c1:e1", "systeem", None), ("c1:e2", "systeem", None)]


def test_truncate_rejected_on_postgres(postgres_url: str) -> None:
    upgrade_to_head(postgres_url)
    engine = engine_for(postgres_url)
    _insert(engine, "c1:e1")
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(text("TRUNCATE audit_events"))


def test_downgrade_removes_the_triggers_and_upgrade_restores_them(engine: Engine) -> None:
    from alembic import command

    from db.migrate import alembic_config

    url = str(engine.url)
    _insert(engine, "c1:e1")
    with engine.begin() as conn:
        config = alembic_config(url)
        config.attributes["connection"] = conn
        command.downgrade(config, "0001")
    with engine.begin() as conn:
        conn.execute(update(AuditEvent).values(actor="x"))
    upgrade_to_head(url)
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(update(AuditEvent).values(actor="y"))
