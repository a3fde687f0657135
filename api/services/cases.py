"""Cases on the read model: start (row + workflow), list, detail and timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any, Protocol

import structlog
from fastapi import HTTPException
from sqlalchemy import bindparam
from sqlalchemy import case as sql_case
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, func, select
from temporalio.client import (
    Client,
)

from api.errors import ApiError, invalid
from api.schemas import CaseCreate, CaseOut, CaseSummaryOut, Page, TimelineEvent
from api.scoping import Principal, may_see_summary, sees_client_data, visible_cases
from api.services.monitor import cohort_condition
from api.services.paging import page_total
from api.services.tasks import open_tasks_of
from api.services.workflow import StartFailed, start_synced
from audit.log import case_events
from core.config import Settings
from core.logging import bind_case
from db.models import Case, CaseParticipant, Organisation, Task, new_id
from db.sealing import search_hashes
from domain.casedata import COUNTED_FIELDS
from domain.codes import DOCUMENT_KINDS, label_of
from domain.definitions import CURRENT_VERSION, definition
from domain.labels import PHASE_TITLES
from domain.messages import WORKFLOW_NAME, CaseInput, workflow_id_for
from domain.permissions import PARTICIPANT_ROLES
from domain.text import has_control_characters
from domain.vocabulary import ENTRY_PHASE, Phase, Role, TaskStatus

log = structlog.get_logger()

MAX_IDEMPOTENCY_KEY = 200
ANONYMOUS = "(anoniem)"
# what an adviser without the client's consent sees of an event: facts, no free text
FACT_KEYS = frozenset(
    {
        "key",
        "title",
        "outcome",
        "owner_role",
        "owner_org",
        "due_at",
        "phase",
        "entry",
        "sector",
        "region",
        "definition_version",
        "meeting_number",
        "ended_by_task",
        "ended_by_outcome",
        "declines",
        "org",
        "capacity",
        "missing",
        "status",
        "overdue",
        "stalled",
        "review",
        "provider_org",
        "reason",
        "intended_end",
        "signal_id",
    }
)
ORG_KIND = {"provider_org": Role.AANBIEDER.value, "oco_org": Role.OCO.value}


class NamesOrganisations(Protocol):
    """A body naming the client's provider and (optionally) OCO: a case's or a signal's."""

    @property
    def provider_org(self) -> str: ...
    @property
    def oco_org(self) -> str | None: ...


MAX_NAMED = 25  # known organisations named in a 422


def registered_org(
    session: Session, loc: list[str | int], name: str, kinds: tuple[str, ...]
) -> Organisation:
    """The registered organisation of that name and kind; 422 naming the known ones
    otherwise (organisations come from the registry: ``casusregie org add``)."""
    org = session.exec(select(Organisation).where(Organisation.name == name)).first()
    if org is not None and org.kind in kinds:
        return org
    known = session.exec(
        select(Organisation.name)
        .where(col(Organisation.kind).in_(kinds))
        .order_by(Organisation.name)
        .limit(MAX_NAMED + 1)
    ).all()
    listed = ", ".join(known[:MAX_NAMED]) + (", ..." if len(known) > MAX_NAMED else "")
    what = "/".join(kinds)
    reason = (
        f"organisation {name!r} is a {org.kind}, not a {what}"
        if org is not None
        else f"unknown {what} organisation {name!r}"
    )
    raise invalid(
        loc,
        f"{reason}; known: {listed or 'none registered'}",
        "unknown_organisation",
        code="unknown_organisation",
    )


def check_org_kinds(session: Session, body: NamesOrganisations) -> None:
    """The provider and OCO a body names are registered organisations of that kind."""
    for field, kind in ORG_KIND.items():
        name = getattr(body, field)
        if name:
            registered_org(session, ["body", field], name, (kind,))


def _new_case(
    principal: Principal,
    body: CaseCreate,
    key: str | None,
    settings: Settings,
    signal_id: str | None = None,
) -> tuple[Case, list[CaseParticipant]]:
    case_id = new_id()
    case = Case(
        id=case_id,
        workflow_id=workflow_id_for(case_id),
        client_ref=body.client_ref,
        sector=body.sector.value,
        region=body.region,
        entry=body.entry.value,
        provider_org=body.provider_org,
        zorgkantoor_org=principal.org,
        oco_org=body.oco_org,
        decision_days=body.decision_days or settings.default_decision_days,
        definition_version=CURRENT_VERSION,
        registered_at=(
            datetime.combine(body.registered_at, time(), tzinfo=UTC) if body.registered_at else None
        ),
        phase=ENTRY_PHASE[body.entry].value,
        summary_encrypted=body.summary or None,  # sealed at rest (db/sealing.py)
        workflow_state="pending",
        idempotency_key=key,
        created_by=principal.user_id,
        signal_id=signal_id,
    )
    case.set_case_data(body.case_data)
    orgs = {"provider": body.provider_org, "zorgkantoor": principal.org, "oco": body.oco_org}
    participants = [
        CaseParticipant(case_id=case_id, org=org, capacity=capacity)
        for capacity, org in orgs.items()
        if org
    ]
    return case, participants


def case_input(
    case: Case, principal: Principal, settings: Settings, request_id: str | None
) -> CaseInput:
    """Ids, codes and organisation names only: no client_ref, no summary."""
    return CaseInput(
        case_id=case.id,
        entry=case.entry,
        sector=case.sector,
        region=case.region,
        provider_org=case.provider_org,
        zorgkantoor_org=case.zorgkantoor_org,
        oco_org=case.oco_org,
        decision_days=case.decision_days,
        progress_report_days=settings.progress_report_days,
        reminder_days_before=settings.reminder_days_before,
        max_declines=settings.max_declines_before_takeover,
        sync_wait_seconds=settings.read_model_sync_wait_seconds,
        definition_version=case.definition_version,
        registered_at=case.registered_at,
        case_data=case.all_case_data(),
        bridging_check_days=settings.bridging_check_days,
        evaluation_days=settings.evaluation_days,
        phase_max_days=dict(settings.phase_max_days),
        started_by=principal.actor,
        request_id=request_id,
        signal_id=case.signal_id,
    )


@dataclass
class Started:
    case: Case
    created: bool  # False: an earlier request with the same Idempotency-Key started it


async def start_case(
    session: Session,
    client: Client,
    principal: Principal,
    body: CaseCreate,
    idempotency_key: str | None,
    settings: Settings,
    request_id: str | None,
    signal_id: str | None = None,
) -> Started:
    """Insert the case as pending, start its workflow, mark it running.

    Without an Idempotency-Key a failed start deletes the row; with one the row stays
    pending (invisible) and a retry with the same key completes the same start. A case
    started from an early signal (``signal_id``) has the key ``signal:<id>``, whoever
    starts it: one signal never starts two cases.
    """
    if not principal.org_region:
        raise ApiError(
            403,
            "your organisation has no region; an administrator sets it "
            "(casusregie org set-region) before you can start cases",
            code="region_required",
        )
    if body.region != principal.org_region:
        raise ApiError(
            403, f"region: you start cases in {principal.org_region} only", code="wrong_region"
        )
    check_org_kinds(session, body)
    key = None
    if signal_id:
        key = f"signal:{signal_id}"
    elif idempotency_key:
        if len(idempotency_key) > MAX_IDEMPOTENCY_KEY or has_control_characters(idempotency_key):
            raise invalid(
                ["header", "Idempotency-Key"],
                f"at most {MAX_IDEMPOTENCY_KEY} characters, no control characters",
            )
        key = f"{principal.user_id}:{idempotency_key}"  # keys are per user
    if key:
        existing = session.exec(select(Case).where(Case.idempotency_key == key)).first()
        if existing is not None:
            if existing.workflow_state != "pending":
                return Started(existing, created=False)
            return await _finish_start(
                session, client, principal, existing, settings, request_id, keep_pending=True
            )
    case, participants = _new_case(principal, body, key, settings, signal_id)
    session.add(case)
    session.add_all(participants)
    try:
        session.commit()
    except IntegrityError:  # a concurrent request with the same key won the insert
        session.rollback()
        existing = session.exec(select(Case).where(Case.idempotency_key == key)).first()
        if existing is None:
            raise
        return Started(existing, created=False)
    return await _finish_start(
        session, client, principal, case, settings, request_id, keep_pending=key is not None
    )


async def _finish_start(
    session: Session,
    client: Client,
    principal: Principal,
    case: Case,
    settings: Settings,
    request_id: str | None,
    keep_pending: bool,
) -> Started:
    bind_case(case.id)
    try:
        inp = case_input(case, principal, settings, request_id)
        await start_synced(client, WORKFLOW_NAME, inp, case.workflow_id, settings)
    except StartFailed:
        if not keep_pending:
            session.exec(delete(CaseParticipant).where(col(CaseParticipant.case_id) == case.id))
            session.exec(delete(Case).where(col(Case.id) == case.id))
            session.commit()
        raise HTTPException(
            503,
            "Temporal is niet bereikbaar; de casus is niet gestart "
            "(Temporal is unreachable; the case was not started, retry later)",
        ) from None
    case.workflow_state = "running"
    case.updated_at = datetime.now(UTC)
    session.add(case)
    session.commit()
    session.refresh(case)
    log.info("case_started", sector=case.sector, region=case.region)
    return Started(case, created=True)


@dataclass
class CaseFilter:
    phase: str | None = None
    status: str | None = None
    region: str | None = None
    sector: str | None = None
    overdue: bool | None = None
    cohort: str | None = None  # a monitor number's cases (api/services/monitor.COHORTS)
    client_ref: str | None = None  # exact match on the keyed hash
    # "new" (default: newest first), "days_in_phase" (longest in its phase first),
    # "phase" (step-plan order); not by client reference: it is sealed (ciphertext)
    sort: str = "new"
    limit: int = 50
    offset: int = 0


def case_summary(case: Case, anonymous: bool = False) -> CaseSummaryOut:
    out = CaseSummaryOut.model_validate(case, from_attributes=True)
    if anonymous:
        out.client_ref = ANONYMOUS
    return out


def _case_order(sort: str) -> list[Any]:
    newest = [col(Case.created_at).desc(), col(Case.id)]
    if sort == "days_in_phase":
        return [col(Case.phase_since), *newest]
    if sort == "phase":
        rank = sql_case({p.value: i for i, p in enumerate(Phase)}, value=col(Case.phase))
        return [rank, *newest]
    return newest


def list_cases(session: Session, principal: Principal, f: CaseFilter) -> Page[CaseSummaryOut]:
    conditions = [visible_cases(principal)]
    for column, value in (
        (col(Case.phase), f.phase),
        (col(Case.status), f.status),
        (col(Case.region), f.region),
        (col(Case.sector), f.sector),
        (col(Case.overdue), f.overdue),
    ):
        if value is not None:
            conditions.append(column == value)
    if f.cohort:
        conditions.append(cohort_condition(f.cohort))
    if f.client_ref:
        conditions.append(col(Case.client_ref_hash).in_(search_hashes(f.client_ref)))
    rows = session.exec(
        select(Case)
        .where(*conditions)
        .order_by(*_case_order(f.sort))
        .limit(f.limit)
        .offset(f.offset)
    ).all()
    total = page_total(
        len(rows),
        f.limit,
        f.offset,
        lambda: session.exec(select(func.count()).select_from(Case).where(*conditions)).one(),
    )
    anonymous: set[str] = set()
    if principal.role in PARTICIPANT_ROLES:
        participants = participants_of_cases(session, [c.id for c in rows])
        anonymous = {
            c.id for c in rows if not sees_client_data(principal, c, participants.get(c.id, {}))
        }
    if f.client_ref and anonymous:  # a search by client must not confirm an anonymous case
        rows = [c for c in rows if c.id not in anonymous]
        total -= len(anonymous)
    return Page[CaseSummaryOut](
        items=[case_summary(c, c.id in anonymous) for c in rows],
        total=total,
        limit=f.limit,
        offset=f.offset,
    )


def participants_of(session: Session, case_id: str) -> dict[str, list[str]]:
    """The case's participating organisations by capacity, in the order they joined."""
    return participants_of_cases(session, [case_id]).get(case_id, {})


def participants_of_cases(
    session: Session, case_ids: Sequence[str]
) -> dict[str, dict[str, list[str]]]:
    """``participants_of`` for a page of cases in one query (not one per case)."""
    by_case: dict[str, dict[str, list[str]]] = {}
    if not case_ids:
        return by_case
    rows = session.exec(_PARTICIPANTS, params={"case_ids": sorted(set(case_ids))})
    for case_id, capacity, org in rows:
        by_case.setdefault(case_id, {}).setdefault(capacity, []).append(org)
    return by_case


# built once (every completion's pre-check and every case page read it)
_PARTICIPANTS = (
    select(col(CaseParticipant.case_id), col(CaseParticipant.capacity), col(CaseParticipant.org))
    .where(col(CaseParticipant.case_id).in_(bindparam("case_ids", expanding=True)))
    .order_by(col(CaseParticipant.since), col(CaseParticipant.id))
)


def case_detail(session: Session, principal: Principal, case: Case, settings: Settings) -> CaseOut:
    since = case.phase_since
    participants = participants_of(session, case.id)
    anonymous = not sees_client_data(principal, case, participants)
    summary = None
    if case.summary_encrypted and may_see_summary(principal, case) and not anonymous:
        summary = case.summary_encrypted  # the ORM unsealed it
    open_tasks = open_tasks_of(session, case.id)
    return CaseOut(
        **case_summary(case, anonymous).model_dump(),
        workflow_id=case.workflow_id,
        decision_days=case.decision_days,
        meetings_held=case.meetings_held,
        days_in_phase=round((datetime.now(UTC) - since).total_seconds() / 86400, 2),
        participants=participants,
        open_tasks=open_tasks,
        summary=summary,
        definition_version=case.definition_version,
        bridging=_without_free_text(case.bridging, "arrangement") if anonymous else case.bridging,
        notice=_without_free_text(case.notice, "reason") if anonymous else case.notice,
        consent_recorded_for=sorted(case.consents or {}),
        case_data=_codes_only(case.case_data) if anonymous else case.all_case_data(),
        documents=[
            _without_free_text(d, "url") or {} if anonymous else d for d in case.documents or []
        ],
        documents_missing=missing_documents(case, [t.key for t in open_tasks]),
    )


def _codes_only(values: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (values or {}).items() if k in COUNTED_FIELDS}


def missing_documents(case: Case, open_keys: list[str]) -> list[dict[str, str]]:
    """The documents the open tasks (their keys) ask for that nobody recorded yet (kind,
    label, task)."""
    recorded = {d.get("kind") for d in case.documents or []}
    defn = definition(case.definition_version)
    missing: dict[str, dict[str, str]] = {}
    for key in open_keys:
        for kind in defn.task(key).documents if key in defn.task_keys else ():
            if kind not in recorded:
                missing.setdefault(
                    kind, {"kind": kind, "label": label_of(DOCUMENT_KINDS, kind), "task": key}
                )
    return list(missing.values())


def _without_free_text(value: dict[str, Any] | None, *keys: str) -> dict[str, Any] | None:
    return None if value is None else {k: v for k, v in value.items() if k not in keys}


def timeline(session: Session, case_id: str, anonymous: bool = False) -> list[TimelineEvent]:
    """The case's events in order; ``anonymous`` (an adviser without the client's
    consent): no motivations, no free text, only the facts of what happened."""
    events = [
        TimelineEvent(
            at=e.at,
            seq=e.seq,
            actor=e.actor,
            role=e.role,
            org=e.org,
            action=e.action,
            task_id=e.task_id,
            detail=e.detail or {},
            before=e.before,
            after=e.after,
            motivation=e.motivation,
            request_id=e.request_id,
        )
        for e in case_events(session, case_id)
    ]
    return [anonymised(e) for e in events] if anonymous else events


def anonymised(event: TimelineEvent) -> TimelineEvent:
    return event.model_copy(
        update={
            "detail": {k: v for k, v in event.detail.items() if k in FACT_KEYS},
            "before": _facts(event.before),
            "after": _facts(event.after),
            "motivation": None,
        }
    )


def _facts(values: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if values is None else {k: v for k, v in values.items() if k in FACT_KEYS}


@dataclass
class RecordedTask:
    """A completed task as the case page shows it."""

    id: str
    key: str
    title: str
    outcome: str | None
    data: dict[str, Any]
    note: str | None
    completed_by: str | None
    completed_by_org: str | None
    completed_at: datetime | None
    contributions: list[dict[str, Any]]


@dataclass
class PhaseRecord:
    """What was entered in one phase: the completed tasks with their data."""

    phase: str
    title: str
    tasks: list[RecordedTask]


def case_records(session: Session, case_id: str, anonymous: bool = False) -> list[PhaseRecord]:
    """Completed tasks per phase, in step-plan order, with their data and motivation
    (without either for a viewer who may not see client data)."""
    rows = session.exec(
        select(Task)
        .where(Task.case_id == case_id, Task.status == TaskStatus.DONE)
        .order_by(col(Task.completed_at), col(Task.id))
    ).all()
    by_phase: dict[str, list[RecordedTask]] = {}
    for row in rows:
        by_phase.setdefault(row.phase, []).append(
            RecordedTask(
                id=row.id,
                key=row.key,
                title=row.title,
                outcome=row.outcome,
                data={} if anonymous else dict(row.data or {}),
                note=None if anonymous else row.note,
                completed_by=row.completed_by,
                completed_by_org=row.completed_by_org,
                completed_at=row.completed_at,
                contributions=[] if anonymous else list(row.contributions or []),
            )
        )
    order = [p.value for p in Phase]
    return [
        PhaseRecord(phase, PHASE_TITLES[Phase(phase)], tasks)
        for phase, tasks in sorted(by_phase.items(), key=lambda item: order.index(item[0]))
    ]
