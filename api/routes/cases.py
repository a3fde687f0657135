"""``/api/cases``: start, list, detail, timeline and the coordinator's steering actions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response
from pydantic import BaseModel
from sqlmodel import Session
from temporalio.client import Client

from api.deps import (
    CurrentUser,
    IdempotencyKey,
    ScopedCase,
    SessionDep,
    SettingsDep,
    TemporalDep,
    Writer,
)
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
from api.scoping import Principal, sees_client_data
from api.services import cases as service
from api.services import commands
from api.services.idempotency import Attempt, json_once
from api.services.monitor import COHORTS
from db.models import Case
from domain.messages import CaseActionKind
from domain.vocabulary import CaseStatus, Phase, Role, Sector

router = APIRouter(prefix="/api/cases", tags=["cases"], responses=API_ERRORS)


@router.post(
    "",
    status_code=201,
    response_model=CaseOut,
    responses={200: {"model": CaseOut, "description": "started earlier with this Idempotency-Key"}},
)
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
    cohort: Annotated[
        str | None, Query(description="the cases behind a number of GET /api/monitor")
    ] = None,
    client_ref: Annotated[
        str | None, Query(max_length=64, description="exact match (through its keyed hash)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Page[CaseSummaryOut]:
    if cohort is not None and cohort not in COHORTS:
        raise HTTPException(422, f"cohort: unknown {cohort!r}; allowed: {', '.join(COHORTS)}")
    f = service.CaseFilter(
        phase=phase.value if phase else None,
        status=status.value if status else None,
        region=region,
        sector=sector.value if sector else None,
        overdue=overdue,
        cohort=cohort,
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
    request: Request,
    session: Session,
    client: Client,
    principal: Principal,
    case: Case,
    key: str | None,
    body: BaseModel,
    action: str,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> Response:
    async def run(attempt: Attempt) -> UpdateOut:
        result = await commands.case_action(
            client, session, principal, case, action, note, data, attempt
        )
        return commands.update_out(case.id, result)

    return await json_once(request, session, principal.user_id, key, body, run)


@router.post("/{case_id}/participants", response_model=UpdateOut)
async def add_participant(
    request: Request,
    body: ParticipantCreate,
    case: ScopedCase,
    principal: Writer,
    client: TemporalDep,
    session: SessionDep,
    key: IdempotencyKey = None,
) -> Response:
    data: dict[str, Any] = {"org": body.org, "capacity": body.capacity, "consent": body.consent}
    if body.consent_record:
        data["consent_record"] = body.consent_record.model_dump(mode="json")
    action = CaseActionKind.ADD_PARTICIPANT
    return await _act(request, session, client, principal, case, key, body, action, body.note, data)


@router.post("/{case_id}/withdraw", response_model=UpdateOut)
async def withdraw(
    request: Request,
    body: Withdraw,
    case: ScopedCase,
    principal: Writer,
    client: TemporalDep,
    session: SessionDep,
    key: IdempotencyKey = None,
) -> Response:
    action = CaseActionKind.WITHDRAW
    return await _act(request, session, client, principal, case, key, body, action, body.reason)


@router.post("/{case_id}/actions", response_model=UpdateOut)
async def case_action(
    request: Request,
    body: CaseActionBody,
    case: ScopedCase,
    principal: Writer,
    client: TemporalDep,
    session: SessionDep,
    key: IdempotencyKey = None,
) -> Response:
    return await _act(
        request, session, client, principal, case, key, body, body.action, body.note, body.data
    )
