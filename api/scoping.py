"""Who sees which cases: the one place where organisation scoping is decided.

- ``zorgkantoor`` and ``coordinator``: the cases of their organisation's region, and
  every case their organisation is zorgkantoor of;
- ``aanbieder`` and ``oco``: only cases their organisation takes part in
  (``case_participants``: current/intended provider, round provider, OCO, ...);
- ``auditor``: every case, read-only;
- ``beheerder`` (functional administrator): no case and no signal at all.

A case outside the caller's scope is answered with 404, as if it did not exist.
Cases whose workflow start is not confirmed (``workflow_state == "pending"``) are
invisible to everybody.

Early signals are scoped the same way: the sender's organisation, the zorgkantoor that
assesses it (and the zorgkantoor users of its region), auditors read-only; their free
text only for the sender's organisation and that zorgkantoor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.sqltypes import NullType
from sqlalchemy.sql.visitors import InternalTraversal
from sqlmodel import col

from db.models import Case, CaseParticipant, Signal
from domain import permissions as rules
from domain.messages import Actor
from domain.permissions import PARTICIPANT_ROLES, ZORGKANTOOR_ROLES
from domain.vocabulary import Role


@dataclass(frozen=True)
class Principal:
    """The signed-in user with the organisation facts scoping needs."""

    user_id: str
    name: str
    role: str
    org: str  # organisation name
    org_region: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.user_id, name=self.name, role=self.role, org=self.org)

    @property
    def read_only(self) -> bool:
        return self.role in (Role.AUDITOR, Role.BEHEERDER)

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR


class InScope(ColumnElement[bool]):
    """``column IN (query)``, the ids of a principal's few cases; on PostgreSQL
    ``column = ANY(ARRAY(query))``: the query runs once, then the column's index is
    probed for each id. For ``IN`` PostgreSQL estimates a nested loop over the ids and
    a hash join over a scan of every case (or task) alike and took the scan: 4.5 ms for
    a provider's 83 of 10 000 cases, and 31 ms for a zorgkantoor's supported tasks,
    against 0.3 and 1.6 ms (bench/inbox.py). SQLite plans the ``IN`` well."""

    inherit_cache = True
    # no "= 1" after it where booleans are not native (SQLite)
    type = NullType()  # type: ignore[assignment]
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy's declaration)
        ("column", InternalTraversal.dp_clauseelement),
        ("query", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: Any, query: Select[Any]) -> None:
        self.column = column
        self.query = query


@compiles(InScope)
def _in_scope(element: InScope, compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.process(element.column.in_(element.query), **kw))


@compiles(InScope, "postgresql")
def _in_scope_postgresql(element: InScope, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    query = compiler.process(element.query.scalar_subquery(), **kw)  # "(SELECT ...)"
    return f"({column} = ANY(ARRAY{query}))"


def in_scope(column: Any, query: Select[Any]) -> ColumnElement[bool]:
    return InScope(col(column), query)


def participates(org: str) -> ColumnElement[bool]:
    """The case has ``org`` among its participants (any capacity)."""
    # from the participants of ``org`` (index org, case_id): it starts from the few
    # cases of the organisation instead of probing every case
    return in_scope(
        Case.id, select(col(CaseParticipant.case_id)).where(col(CaseParticipant.org) == org)
    )


def visible_cases(principal: Principal) -> ColumnElement[bool]:
    """SQL condition on ``Case``: the cases this principal may see."""
    started = col(Case.workflow_state) != "pending"
    if principal.role == Role.AUDITOR:
        return and_(started, true())
    if principal.role in ZORGKANTOOR_ROLES:
        own = col(Case.zorgkantoor_org) == principal.org
        if principal.org_region:
            own = or_(own, col(Case.region) == principal.org_region)
        return and_(started, own)
    if principal.role in PARTICIPANT_ROLES:
        return and_(started, participates(principal.org))
    return false()


def visible_signals(principal: Principal) -> ColumnElement[bool]:
    """SQL condition on ``Signal``: the signals this principal may see."""
    started = col(Signal.workflow_state) != "pending"
    if principal.role == Role.AUDITOR:
        return and_(started, true())
    if principal.role == Role.BEHEERDER:
        return false()
    own = col(Signal.sender_org) == principal.org
    if principal.role in ZORGKANTOOR_ROLES:
        own = or_(own, col(Signal.zorgkantoor_org) == principal.org)
        if principal.org_region:
            own = or_(own, col(Signal.region) == principal.org_region)
    return and_(started, own)


def may_see_signal_text(principal: Principal, signal: Signal) -> bool:
    """The signal's text, advice and motivation are client data, like a case's summary:
    only the sender's organisation and the zorgkantoor that assesses it see them."""
    return principal.org in {signal.sender_org, signal.zorgkantoor_org}


def steers(principal: Principal, case: Case) -> bool:
    """A coordinator steers (withdraws, adds participants to) the cases of its zorgkantoor."""
    return rules.steers(principal.actor, case.zorgkantoor_org)


def sees_client_data(principal: Principal, case: Case, participants: dict[str, list[str]]) -> bool:
    """An organisation that takes part only as an adviser, without the client's consent
    on file, sees the case as an anonymous question: no client reference, no summary, no
    free text (step plan: consent per party)."""
    capacities = {cap for cap, orgs in participants.items() if principal.org in orgs}
    adviser_only = bool(capacities) and capacities <= {"adviser"}
    return not (adviser_only and principal.org not in (case.consents or {}))


def may_audit(principal: Principal, case: Case) -> bool:
    """History, dossier export, replay and the notification outbox of a case: auditors,
    and the coordinators of the case's own zorgkantoor organisation (not another
    zorgkantoor organisation of the same region)."""
    if principal.role == Role.AUDITOR:
        return True
    return principal.role == Role.COORDINATOR and principal.org == case.zorgkantoor_org


def audited_cases(principal: Principal) -> ColumnElement[bool]:
    """SQL condition on ``Case``: the cases ``may_audit`` allows."""
    if principal.role == Role.AUDITOR:
        return visible_cases(principal)
    if principal.role == Role.COORDINATOR:
        return and_(visible_cases(principal), col(Case.zorgkantoor_org) == principal.org)
    return false()


def may_see_summary(principal: Principal, case: Case) -> bool:
    """The encrypted summary is client data: only the organisations named on the case
    (its zorgkantoor, the current provider, the OCO) see it; not auditors, not round
    providers, not other users of the region."""
    return principal.org in {case.zorgkantoor_org, case.provider_org, case.oco_org}


def inbox_roles(principal: Principal) -> tuple[str, ...]:
    """Owner roles whose tasks land in this principal's inbox."""
    if principal.is_coordinator:
        return (Role.COORDINATOR.value, Role.ZORGKANTOOR.value)
    if principal.role in (Role.AUDITOR, Role.BEHEERDER):
        return ()
    return (principal.role,)
