"""A provider's case list costs a fixed number of queries, whatever the page's length:
the participants that decide which cases it sees anonymously are read for the whole
page at once (one query per case was most of the list's time on PostgreSQL,
bench/inbox.py). The last page of a list needs no count. Scoping by a principal's few
cases (api/scoping.InScope) is ``IN`` on SQLite and ``= ANY(ARRAY(...))`` on PostgreSQL,
with the same rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import event, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.scoping import Principal, inbox_roles, participates
from api.services.cases import CaseFilter, list_cases, participants_of, participants_of_cases
from api.services.tasks import InboxFilter, inbox
from bench.caseload import fill
from db.models import Case, CaseParticipant, Task


def busiest_provider(session: Session) -> str:
    return (
        session.exec(
            select(CaseParticipant.org)
            .where(col(CaseParticipant.capacity) == "provider")
            .group_by(col(CaseParticipant.org))
            .order_by(func.count().desc())
        ).first()
        or ""
    )


def test_a_page_of_cases_reads_its_participants_in_one_query(engine: Engine) -> None:
    fill(engine, 300, seed=5, now=datetime.now(UTC), regions=("Groningen",))
    with Session(engine) as session:
        org = busiest_provider(session)
        provider = Principal("p", "Bench", "aanbieder", org)
        statements: list[str] = []

        @event.listens_for(engine, "before_cursor_execute")
        def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
            statements.append(statement)

        total = list_cases(session, provider, CaseFilter(limit=500)).total
        assert total > 3
        counts = {}
        for limit in (2, total - 1):  # full pages, short and long
            statements.clear()
            page = list_cases(session, provider, CaseFilter(limit=limit))
            assert len(page.items) == limit
            counts[limit] = len(statements)
        event.remove(engine, "before_cursor_execute", record)
        assert counts[2] == counts[total - 1] == 3  # page, count, the page's participants

        ids = [c.id for c in page.items]
        together = participants_of_cases(session, ids)
        assert together == {i: participants_of(session, i) for i in ids if together.get(i)}
        assert all(together.get(i) for i in ids)  # every case has participants


@contextmanager
def count_queries(engine: Engine) -> Iterator[list[str]]:
    """The count queries run inside the block."""
    counts: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if "count(" in statement.lower():
            counts.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_the_last_page_of_a_list_is_totalled_without_a_count(engine: Engine) -> None:
    fill(engine, 60, seed=7, now=datetime.now(UTC), regions=("Groningen",))
    with Session(engine) as session:
        zk = session.exec(select(Case.zorgkantoor_org)).first()
        coordinator = Principal("c", "Bench", "coordinator", zk or "", "Groningen")
        total = list_cases(session, coordinator, CaseFilter(limit=500)).total
        assert total > 3
        for limit, offset, counted in (
            (total, 0, 1),  # one full page: it cannot tell whether more follow
            (total + 1, 0, 0),  # one page, not full: it is everything
            (2, 0, 1),  # a full first page: more may follow
            (2, total - 1, 0),  # the last page, one row
            (2, total + 5, 1),  # past the end: nothing found, the total still asked
        ):
            with count_queries(engine) as counts:
                page = list_cases(session, coordinator, CaseFilter(limit=limit, offset=offset))
            assert (len(counts), page.total) == (counted, total), (limit, offset)

        open_tasks = inbox(session, coordinator, InboxFilter(limit=500)).total
        assert open_tasks > 2
        for limit, counted in ((open_tasks + 1, 0), (open_tasks - 1, 1)):
            with count_queries(engine) as counts:
                tasks = inbox(session, coordinator, InboxFilter(limit=limit))
            assert (len(counts), tasks.total) == (counted, open_tasks)


def test_scoping_renders_in_on_sqlite_and_any_array_on_postgresql() -> None:
    from sqlalchemy.dialects import postgresql, sqlite

    query = select(Case.id).where(participates("Zorg Noord"))
    assert " IN (SELECT" in str(query.compile(dialect=sqlite.dialect()))
    assert "= 1" not in str(query.compile(dialect=sqlite.dialect()))
    rendered = str(query.compile(dialect=postgresql.dialect()))
    assert "(cases.id = ANY(ARRAY(SELECT case_participants.case_id" in rendered


def test_scoped_lists_equal_a_naive_scoping(engine: Engine) -> None:
    """On both databases: a provider's cases and a zorgkantoor's supported tasks are the
    ones a plain Python filter over every row finds."""
    fill(engine, 200, seed=3, now=datetime.now(UTC), regions=("Groningen", "Twente"))
    with Session(engine) as session:
        org = busiest_provider(session)
        provider = Principal("p", "Bench", "aanbieder", org)
        mine = {p.case_id for p in session.exec(select(CaseParticipant)) if p.org == org}
        page = list_cases(session, provider, CaseFilter(limit=500))
        assert {c.id for c in page.items} == mine and page.total == len(mine)

        zk = session.exec(select(Case.zorgkantoor_org).where(Case.region == "Groningen")).first()
        assert zk is not None
        principal = Principal("z", "Bench", "zorgkantoor", zk, "Groningen")
        seen = {
            c.id
            for c in session.exec(select(Case))
            if c.zorgkantoor_org == zk or c.region == "Groningen"
        }
        expected = {
            t.id
            for t in session.exec(select(Task))
            if t.case_id in seen
            and t.status == "open"
            and any(role in t.supports for role in inbox_roles(principal))
            and not (t.owner_org == zk and t.owner_role in inbox_roles(principal))
        }
        got = inbox(session, principal, InboxFilter(section="supports", limit=500))
        assert expected and {t.id for t in got.items} == expected and got.total == len(expected)
