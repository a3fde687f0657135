"""What the monitor and the reflection count is written in plain beside the sealed
values by the read model (the bridging start, the codes of completion data and case
data, the phase of a stall), so the counts survive the crypto-shredding of a case
while its free text becomes unreadable (issues 12 and 13)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.scoping import Principal
from api.services.monitor import monitor
from api.services.reflection import Period, reflection
from audit.retention import shred_case
from db.models import AuditEvent, Case, Task
from db.read_model import write_changes
from db.sealing import SHREDDED
from domain.definitions import CURRENT_VERSION
from domain.messages import AuditEntry, ReadModelChanges, TaskState
from tests.api.conftest import ZK

NOW = datetime.now(UTC)
SECRET = "Vrije-tekst-ZQW-Pangolin"
AUDITOR = Principal(user_id="u-a", name="Ada", role="auditor", org="Auditdienst")


def _changes(case_id: str) -> ReadModelChanges:
    decided = TaskState(
        id=f"{case_id}:t1",
        key="decide_dossierhouder",
        phase="dossierhouder_search",
        title="Besluiten over dossierhouderschap",
        owner_role="aanbieder",
        owner_org="Zorggroep Noord",
        supports=[],
        allowed_outcomes=["accepted", "declined"],
        created_at=NOW - timedelta(days=3),
        status="done",
        outcome="declined",
        note=SECRET,
        data={"reason_code": "no_capacity", "finding": SECRET},
    )
    stalled = AuditEntry(
        id=f"{case_id}:e1",
        case_id=case_id,
        seq=1,
        at=NOW,
        actor="systeem",
        action="phase_stalled",
        detail={"phase": "dossierhouder_search"},
        motivation=SECRET,
    )
    return ReadModelChanges(
        case_id=case_id,
        phase="dossierhouder_search",
        status="open",
        phase_since=NOW - timedelta(days=3),
        provider_org="Zorggroep Noord",
        oco_org=None,
        participants={"provider": ["Zorggroep Noord"], "zorgkantoor": [ZK]},
        meetings=0,
        tasks=[decided],
        events=[stalled],
        bridging={"since": (NOW - timedelta(days=12)).isoformat(), "arrangement": SECRET},
        case_data={"care_need_type": "dementia", "wanted_care": SECRET},
    )


def test_counts_are_written_in_plain_and_survive_shredding(engine: Engine) -> None:
    case_id = f"c-{uuid.uuid4().hex[:8]}"  # key stores remember shredded ids per process
    with Session(engine) as session:
        session.add(
            Case(
                id=case_id,
                workflow_id=f"case-{case_id}",
                client_ref="CR-ZQW-1",
                sector="VV",
                region="Groningen",
                entry="no_dossierhouder",
                provider_org="Zorggroep Noord",
                zorgkantoor_org=ZK,
                phase="dossierhouder_search",
                definition_version=CURRENT_VERSION,
                workflow_state="running",
            )
        )
        session.commit()
        write_changes(session, _changes(case_id))
        session.commit()
    with engine.connect() as conn:
        raw = str(conn.execute(text("SELECT * FROM cases")).all())
        raw += str(conn.execute(text("SELECT * FROM tasks")).all())
        raw += str(conn.execute(text("SELECT * FROM audit_events")).all())
    assert SECRET not in raw and "no_capacity" in raw  # free text sealed, codes plain

    def counted() -> tuple[object, ...]:
        with Session(engine) as session:
            report = reflection(session, AUDITOR, Period(date(2000, 1, 1), date(2100, 1, 1)))
            numbers = monitor(session, AUDITOR)
        return (
            report.declines_by_care_need,
            report.stalled_by_phase,
            numbers.bridging.count,
            round(numbers.bridging.median_days or 0),
        )

    before = counted()
    assert before == (
        {"dementia": {"no_capacity": 1}},
        {"dossierhouder_search": 1},
        1,
        12,
    )
    shred_case(engine, case_id, NOW)
    with Session(engine) as session:
        case = session.get(Case, case_id)
        assert case is not None and case.client_ref == SHREDDED and case.case_text is None
        task = session.exec(select(Task)).one()
        assert task.note == SHREDDED and task.codes == {"reason_code": "no_capacity"}
        event = session.exec(select(AuditEvent)).one()
        assert event.motivation == SHREDDED and event.phase == "dossierhouder_search"
    assert counted() == before
