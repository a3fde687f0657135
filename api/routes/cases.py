"""``/api/cases``: start, list, detail, timeline and the coordinator's steering actions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response

from api.deps import CurrentUser, ScopedCase, SessionDep, SettingsDep, TemporalDep, Writer
from api.errors import ApiError
from api.openapi import API_ERRORS
from api.requestid import current_request_id
from api.schemas import (
    MAX_LIMIT,
    MAX_OFFSET,
    CaseActionBody,
    CaseCreate,
    CaseOut,
    CaseSummaryOut,
    Page,
    ParticipantCreate,
    RegionName,
    TimelineEvent,
    UpdateOut,
    Withdraw,
)
from api.services import cases as service
from api.services import commands
from domain.messages import CaseActionKind
from domain.vocabulary import CaseStatus, Phase, Role, Sector

router = APIRouter(prefix="/api/cases", tags=["cases"], responses=API_ERRORS)


@router.post("", status_code=201, response_model=CaseOut)
async def create_case(
    body: CaseCreate,
    principal: CurrentUser,
    session: SessionDep,
    client: TemporalDep,
    settings: SettingsDep,
    response: Response,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", max_length=200, pattern=r"^[\x21-\x7e]+$")
    ] = None,
) -> CaseOut:
    if principal.role != Role.COORDINATOR:
        raise ApiError(403, "only a coordinator starts cases")
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
    region: RegionName | None = None,
    sector: Sector | None = None,
    overdue: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Page[CaseSummaryOut]:
    f = service.CaseFilter(
        phase=phase.value if phase else None,
        status=status.value if status else None,
        region=region,
        sector=sector.value if sector else None,
        overdue=overdue,
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
def get_timeline(case: ScopedCase, session: SessionDep) -> list[TimelineEvent]:
    return service.timeline(session, case.id)


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
    data = {"org": body.org, "capacity": body.capacity, "consent": body.consent}
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
