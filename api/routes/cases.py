"""``/api/cases``: start, list, detail, timeline and the coordinator's steering actions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Response

from api.deps import CurrentUser, ScopedCase, SessionDep, SettingsDep, TemporalDep, Writer
from api.requestid import current_request_id
from api.schemas import (
    CaseActionBody,
    CaseCreate,
    CaseOut,
    CaseSummaryOut,
    Page,
    ParticipantCreate,
    TimelineEvent,
    UpdateOut,
    Withdraw,
)
from api.scoping import sees_client_data
from api.services import cases as service
from api.services import commands
from domain.messages import CaseActionKind
from domain.vocabulary import REGIONS, CaseStatus, Phase, Role, Sector

router = APIRouter(prefix="/api/cases", tags=["cases"])


@router.post("", status_code=201, response_model=CaseOut)
async def create_case(
    body: CaseCreate,
    principal: CurrentUser,
    session: SessionDep,
    client: TemporalDep,
    settings: SettingsDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> CaseOut:
    if principal.role != Role.COORDINATOR:
        raise HTTPException(403, "only a coordinator starts cases")
    started = await service.start_case(
        session, client, principal, body, idempotency_key, settings, current_request_id()
    )
    if not started.created:
        response.status_code = 200
    return service.case_detail(session, principal, started.case, settings)


@router.get("", response_model=Page[CaseSummaryOut])
def list_cases(
    principal: CurrentUser,
    session: SessionDep,
    phase: Phase | None = None,
    status: CaseStatus | None = None,
    region: str | None = None,
    sector: Sector | None = None,
    overdue: bool | None = None,
    client_ref: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[CaseSummaryOut]:
    """``client_ref``: exact match, through its keyed hash (the column is encrypted)."""
    if region is not None and region not in REGIONS:
        raise HTTPException(
            422, f"region: unknown region {region!r}; allowed: {', '.join(REGIONS)}"
        )
    f = service.CaseFilter(
        phase=phase.value if phase else None,
        status=status.value if status else None,
        region=region,
        sector=sector.value if sector else None,
        overdue=overdue,
        client_ref=client_ref,
        limit=limit,
        offset=offset,
    )
    return service.list_cases(session, principal, f)


@router.get("/{case_id}", response_model=CaseOut)
def get_case(
    case: ScopedCase, principal: CurrentUser, session: SessionDep, settings: SettingsDep
) -> CaseOut:
    return service.case_detail(session, principal, case, settings)


@router.get("/{case_id}/timeline", response_model=list[TimelineEvent])
def get_timeline(
    case: ScopedCase, principal: CurrentUser, session: SessionDep
) -> list[TimelineEvent]:
    participants = service.participants_of(session, case.id)
    return service.timeline(session, case.id, not sees_client_data(principal, case, participants))


async def _act(
    session: SessionDep,
    client: TemporalDep,
    principal: Writer,
    case: ScopedCase,
    action: str,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> UpdateOut:
    result = await commands.case_action(client, session, principal, case, action, note, data)
    return commands.update_out(case.id, result)


@router.post("/{case_id}/participants", response_model=UpdateOut)
async def add_participant(
    body: ParticipantCreate,
    case: ScopedCase,
    principal: Writer,
    client: TemporalDep,
    session: SessionDep,
) -> UpdateOut:
    data: dict[str, Any] = {"org": body.org, "capacity": body.capacity, "consent": body.consent}
    if body.consent_record:
        data["consent_record"] = body.consent_record.model_dump(mode="json")
    return await _act(
        session, client, principal, case, CaseActionKind.ADD_PARTICIPANT, body.note, data
    )


@router.post("/{case_id}/withdraw", response_model=UpdateOut)
async def withdraw(
    body: Withdraw, case: ScopedCase, principal: Writer, client: TemporalDep, session: SessionDep
) -> UpdateOut:
    return await _act(session, client, principal, case, CaseActionKind.WITHDRAW, body.reason)


@router.post("/{case_id}/actions", response_model=UpdateOut)
async def case_action(
    body: CaseActionBody,
    case: ScopedCase,
    principal: Writer,
    client: TemporalDep,
    session: SessionDep,
) -> UpdateOut:
    return await _act(session, client, principal, case, body.action, body.note, body.data)
