"""The read-model writer (``db.read_model.write_changes``) writes with bulk statements,
not the ORM: the rows must be what the ORM rows of ``task_row`` and ``event_row`` would
be, sealed at rest, written idempotently, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from audit.retention import shred_case
from core.keys import CaseShredded
from db.models import AuditEvent, Case, CaseParticipant, Task
from db.read_model import CaseRowMissing, event_row, task_row, write_changes
from db.sealing import PREFIX
from domain.definitions import CURRENT_VERSION, coded_facts
from domain.messages import Actor, AuditEntry, ReadModelChanges, TaskState

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SECRET = "Vrije-tekst-QXJ-Okapi"
ZK = "Zorgkantoor Zilveren Kruis Utrecht"
PROVIDER = "Zorgaanbieder 3 Utrecht"
COORDINATOR = Actor("u-1", "Bea", "coordinator", ZK)


@pytest.fixture
def db(any_engine: Engine) -> Engine:
    return any_engine


def _case(engine: Engine, workflow_state: str = "running") -> str:
    case_id = f"c-{uuid.uuid4().hex[:8]}"  # key stores remember shredded ids per process
    with Session(engine) as session:
        session.add(
            Case(
                id=case_id,
                workflow_id=f"case-{case_id}",
                client_ref="CR-QXJ-1",
                sector="VV",
                region="Utrecht",
                entry="no_dossierhouder",
                provider_org=PROVIDER,
                zorgkantoor_org=ZK,
                phase="dossierhouder_search",
                definition_version=CURRENT_VERSION,
                workflow_state=workflow_state,
            )
        )
        session.commit()
    return case_id


def _task(case_id: str, n: int = 1, **changes: object) -> TaskState:
    task = TaskState(
        id=f"{case_id}:t{n}",
        key="decide_dossierhouder",
        phase="dossierhouder_search",
        title="Besluiten over dossierhouderschap",
        owner_role="aanbieder",
        owner_org=PROVIDER,
        supports=["oco"],
        allowed_outcomes=["accepted", "declined"],
        created_at=NOW - timedelta(days=3),
        due_at=NOW + timedelta(days=2),
    )
    return replace(task, **changes)  # type: ignore[arg-type]


def _event(case_id: str, n: int, motivation: str | None = None) -> AuditEntry:
    return AuditEntry(
        id=f"{case_id}:e{n}",
        case_id=case_id,
        seq=n,
        at=NOW,
        actor="Bea",
        action="task_completed",
        actor_id="u-1",
        role="coordinator",
        org=ZK,
        task_id=f"{case_id}:t1",
        detail={"phase": "dossierhouder_search", "outcome": "declined"},
        before={"status": "open"},
        after={"status": "done"},
        motivation=motivation,
    )


def _changes(case_id: str, **changes: object) -> ReadModelChanges:
    batch = ReadModelChanges(
        case_id=case_id,
        phase="dossierhouder_search",
        status="open",
        phase_since=NOW - timedelta(days=3),
        provider_org=PROVIDER,
        oco_org=None,
        participants={"provider": [PROVIDER], "zorgkantoor": [ZK]},
        meetings=0,
        tasks=[_task(case_id)],
        events=[_event(case_id, 1, SECRET)],
        bridging={"since": (NOW - timedelta(days=12)).isoformat(), "arrangement": SECRET},
        consents={PROVIDER: {"given_by": "client", "scope": SECRET}},
        notice={"by_org": PROVIDER, "reason": SECRET, "review": None},
        case_data={"care_need_type": "dementia", "wanted_care": SECRET},
        documents=[{"id": "d1", "title": SECRET}],
    )
    return replace(batch, **changes)  # type: ignore[arg-type]


def _write(engine: Engine, batch: ReadModelChanges) -> None:
    with Session(engine) as session:
        write_changes(session, batch)
        session.commit()


def _columns(row: object, names: list[str]) -> dict[str, object]:
    return {name: getattr(row, name) for name in names}


def test_rows_are_those_of_task_row_and_event_row_and_sealed_at_rest(db: Engine) -> None:
    case_id = _case(db)
    done = _task(
        case_id,
        status="done",
        outcome="declined",
        note=SECRET,
        data={"reason_code": "no_capacity", "finding": SECRET},
        completed_by=COORDINATOR,
        completed_at=NOW,
        claimed_by=COORDINATOR,
        claimed_at=NOW - timedelta(hours=1),
        contributions=[{"by": "Ola", "org": "MEE", "role": "oco", "note": SECRET}],
    )
    batch = _changes(case_id, tasks=[done, _task(case_id, 2)], stalled=True, meetings=2)
    _write(db, batch)

    with db.connect() as conn:
        raw = str(conn.execute(text("SELECT * FROM cases")).all())
        raw += str(conn.execute(text("SELECT * FROM tasks")).all())
        raw += str(conn.execute(text("SELECT * FROM audit_events")).all())
        note = conn.execute(text("SELECT note FROM tasks ORDER BY id")).scalars().first()
    assert SECRET not in raw and "no_capacity" in raw and "dementia" in raw
    assert isinstance(note, str) and note.startswith(f"{PREFIX}c:")

    task_names = [c for c in Task.model_fields if c != "updated_at"]
    event_names = [c for c in AuditEvent.model_fields if c != "recorded_at"]
    with Session(db) as session:
        rows = {t.id: t for t in session.exec(select(Task).where(Task.case_id == case_id))}
        assert set(rows) == {done.id, f"{case_id}:t2"}
        for task in batch.tasks:
            want = task_row(task, case_id)
            want.codes = coded_facts(CURRENT_VERSION, task.key, task.data) or None
            assert _columns(rows[task.id], task_names) == _columns(want, task_names)
        assert rows[done.id].codes == {"reason_code": "no_capacity"}
        event = session.exec(select(AuditEvent).where(AuditEvent.case_id == case_id)).one()
        assert _columns(event, event_names) == _columns(event_row(batch.events[0]), event_names)
        case = session.get(Case, case_id)
        assert case is not None
        assert (case.phase, case.stalled, case.meetings_held) == ("dossierhouder_search", True, 2)
        assert case.bridging == batch.bridging and case.notice == batch.notice
        assert case.consents == batch.consents and case.documents == batch.documents
        assert case.case_data == {"care_need_type": "dementia"}
        assert case.case_text == {"wanted_care": SECRET}
        assert case.bridging_since == NOW - timedelta(days=12)
        assert case.client_ref == "CR-QXJ-1"  # not the writer's
        parties = session.exec(select(CaseParticipant).where(CaseParticipant.case_id == case_id))
        assert sorted((p.capacity, p.org) for p in parties) == [
            ("provider", PROVIDER),
            ("zorgkantoor", ZK),
        ]


def test_a_batch_written_again_writes_nothing_twice_and_events_stay_as_first_written(
    db: Engine,
) -> None:
    case_id = _case(db)
    batch = _changes(case_id)
    _write(db, batch)
    _write(db, batch)  # a retried activity
    # a later batch: the task is done, a provider left, an event id that exists comes again
    later = _changes(
        case_id,
        tasks=[_task(case_id, status="done", outcome="accepted", completed_by=COORDINATOR)],
        events=[_event(case_id, 1, "anders"), _event(case_id, 2)],
        participants={"intended_provider": [PROVIDER], "zorgkantoor": [ZK]},
        bridging=None,
        notice=None,
        consents={},
        documents=[],
        case_data={"care_need_type": "dementia"},
        status="closed",
        outcome="placed",
    )
    _write(db, later)
    with Session(db) as session:
        task = session.exec(select(Task).where(Task.case_id == case_id)).one()
        assert (task.status, task.outcome, task.completed_by) == ("done", "accepted", "Bea")
        events = session.exec(
            select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(col(AuditEvent.seq))
        ).all()
        assert [(e.seq, e.motivation) for e in events] == [(1, SECRET), (2, None)]
        parties = session.exec(select(CaseParticipant).where(CaseParticipant.case_id == case_id))
        assert sorted((p.capacity, p.org) for p in parties) == [
            ("intended_provider", PROVIDER),
            ("zorgkantoor", ZK),
        ]
        case = session.get(Case, case_id)
        assert case is not None and (case.status, case.outcome) == ("closed", "placed")
        assert case.bridging is None and case.bridging_since is None and case.notice is None
        assert case.consents is None and case.documents is None and case.case_text is None


def test_rows_the_session_holds_read_what_was_written(db: Engine) -> None:
    """``audit verify --repair`` writes batch after batch in one session; a caller may
    hold the case row already."""
    case_id = _case(db)
    with Session(db) as session:
        case = session.get(Case, case_id)
        assert case is not None and case.phase == "dossierhouder_search"
        write_changes(session, _changes(case_id, phase="care_search"))
        task = session.get(Task, f"{case_id}:t1")
        assert task is not None and task.status == "open"
        write_changes(
            session,
            _changes(case_id, phase="care_search", tasks=[_task(case_id, status="skipped")]),
        )
        assert case.phase == "care_search" and task.status == "skipped"
        session.commit()


def test_a_case_without_its_row_or_shredded_is_not_written(db: Engine) -> None:
    with pytest.raises(CaseRowMissing), Session(db) as session:
        write_changes(session, _changes("c-nowhere"))
    case_id = _case(db)
    shred_case(db, case_id, NOW)
    with pytest.raises(CaseShredded), Session(db) as session:
        write_changes(session, _changes(case_id))
    with Session(db) as session:
        assert session.exec(select(Task).where(Task.case_id == case_id)).first() is None


def test_a_pending_case_stays_invisible_until_the_api_confirms_its_start(db: Engine) -> None:
    """The first batch is written inside the workflow's first workflow task, before
    Temporal has recorded it: when that task fails (its worker killed), the next attempt
    runs the workflow anew, and a change sent meanwhile would reach it before its state
    exists (``tests/test_scale_out.py`` saw "task ... does not exist in this case").
    Only the API marks a case running, once the start's update has answered."""
    case_id = _case(db, workflow_state="pending")
    _write(db, _changes(case_id, tasks=[_task(case_id)]))
    with Session(db) as session:
        case = session.get(Case, case_id)
        assert case is not None and case.workflow_state == "pending"
        assert case.phase == "dossierhouder_search" and session.get(Task, f"{case_id}:t1")
