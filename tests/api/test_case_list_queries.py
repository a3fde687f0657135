"""A provider's case list costs a fixed number of queries, whatever the page's length:
the participants that decide which cases it sees anonymously are read for the whole
page at once (one query per case was most of the list's time on PostgreSQL,
bench/inbox.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.scoping import Principal
from api.services.cases import CaseFilter, list_cases, participants_of, participants_of_cases
from bench.caseload import fill
from db.models import CaseParticipant


def busiest_provider(session: Session) -> str:
    return session.exec(
        select(CaseParticipant.org)
        .where(col(CaseParticipant.capacity) == "provider")
        .group_by(col(CaseParticipant.org))
        .order_by(func.count().desc())
    ).first() or ""


def test_a_page_of_cases_reads_its_participants_in_one_query(engine: Engine) -> None:
    fill(engine, 300, seed=5, now=datetime.now(UTC), regions=("Groningen",))
    with Session(engine) as session:
        org = busiest_provider(session)
        provider = Principal("p", "Bench", "aanbieder", org)
        statements: list[str] = []

        @event.listens_for(engine, "before_cursor_execute")
        def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
            statements.append(statement)

        counts = {}
        for limit in (2, 20):
            statements.clear()
            page = list_cases(session, provider, CaseFilter(limit=limit))
            assert len(page.items) == min(limit, page.total) and page.total > 2
            counts[limit] = len(statements)
        event.remove(engine, "before_cursor_execute", record)
        assert counts[2] == counts[20]  # count, page, the page's participants

        ids = [c.id for c in page.items]
        together = participants_of_cases(session, ids)
        assert together == {i: participants_of(session, i) for i in ids if together.get(i)}
        assert all(together.get(i) for i in ids)  # every case has participants
