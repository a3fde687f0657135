"""The db layer round-trips every table (JSON columns, aware timestamps) on SQLite and
on PostgreSQL, both built by the migrations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import select

from core.security import hash_token, new_token
from db.engine import session_scope
from db.models import AuditEvent, Case, CaseParticipant, Organisation, Task, User


def test_round_trip(any_engine: Engine) -> None:
    due = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    token = new_token()
    with session_scope(any_engine) as s:
        org = Organisation(name="Zorgkantoor Utrecht", kind="zorgkantoor", region="Utrecht")
        s.add(org)
        s.flush()
        s.add(User(name="Ada", role="coordinator", org_id=org.id, token_hash=hash_token(token)))
        case = Case(
            workflow_id="case-1",
            client_ref="ref-1",
            sector="GZ",
            region="Utrecht",
            entry="no_dossierhouder",
            provider_org="Aanbieder A",
            zorgkantoor_org="Zorgkantoor Utrecht",
            phase="dossierhouder_search",
            summary_encrypted="gevoelige samenvatting",
        )
        s.add(case)
        s.flush()
        s.add(CaseParticipant(case_id=case.id, org="Aanbieder A", capacity="provider"))
        s.add(
            Task(
                id=f"{case.id}:t1",
                case_id=case.id,
                phase="dossierhouder_search",
                key="decide_dossierhouder",
                title="Besluit over dossierhouderschap",
                owner_role="aanbieder",
                owner_org="Aanbieder A",
                supports=["oco"],
                allowed_outcomes=["accepted", "declined"],
                due_at=due,
                data={"reason": {"code": "capacity", "n": 2}},
            )
        )
        s.add(
            AuditEvent(
                id=f"{case.id}:e1",
                case_id=case.id,
                seq=1,
                at=due - timedelta(days=5),
                actor="systeem",
                action="case_started",
                detail={"entry": "no_dossierhouder"},
                after={"phase": "dossierhouder_search"},
            )
        )
        case_id = case.id

    with session_scope(any_engine) as s:
        user = s.exec(select(User).where(User.token_hash == hash_token(token))).one()
        assert s.get(Organisation, user.org_id).channels == ["email"]
        case = s.get(Case, case_id)
        assert case.summary_encrypted == "gevoelige samenvatting"
        task = s.exec(select(Task).where(Task.case_id == case_id)).one()
        assert task.supports == ["oco"] and task.allowed_outcomes == ["accepted", "declined"]
        assert task.data == {"reason": {"code": "capacity", "n": 2}}
        assert task.due_at == due and task.due_at.tzinfo is not None
        event = s.exec(select(AuditEvent).where(AuditEvent.case_id == case_id)).one()
        assert event.detail == {"entry": "no_dossierhouder"} and event.before is None
        assert s.exec(select(CaseParticipant)).one().capacity == "provider"

    # at rest, every sealed column is ciphertext (JSON columns hold a JSON string)
    with any_engine.connect() as conn:
        ref, summary = conn.execute(text("SELECT client_ref, summary_encrypted FROM cases")).one()
        data = conn.execute(text("SELECT data FROM tasks")).scalar_one()
        detail = conn.execute(text("SELECT detail FROM audit_events")).scalar_one()
    assert ref.startswith("enc1:c:") and summary.startswith("enc1:c:")
    for raw in (data, detail):
        assert "enc1:c:" in str(raw) and "capacity" not in str(raw) and "entry" not in str(raw)
