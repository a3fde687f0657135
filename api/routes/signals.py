"""``/api/signals``: early signals (issue 11). Aanbieder, OCO and zorgkantoor users send
one to the zorgkantoor of a region; it gets the task ``assess_signal`` (completed through
``/api/tasks/{id}/complete``); the sender follows its status here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from api.deps import CurrentUser, ScopedSignal, SessionDep, SettingsDep, TemporalDep
from api.openapi import API_ERRORS
from api.requestid import current_request_id
from api.schemas import Page, SignalCreate, SignalOut
from api.services import signals as service
from domain.signals import SignalStatus

router = APIRouter(prefix="/api/signals", tags=["signals"], responses=API_ERRORS)


@router.post(
    "",
    status_code=201,
    response_model=SignalOut,
    responses={200: {"model": SignalOut, "description": "sent earlier with this Idempotency-Key"}},
)
async def send_signal(
    body: SignalCreate,
    principal: CurrentUser,
    session: SessionDep,
    client: TemporalDep,
    settings: SettingsDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> SignalOut:
    sent = await service.send_signal(
        session, client, principal, body, idempotency_key, settings, current_request_id()
    )
    if not sent.created:
        response.status_code = 200
    return service.signal_detail(session, principal, sent.signal, settings)


@router.get("", response_model=Page[SignalOut])
def list_signals(
    principal: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    status: SignalStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[SignalOut]:
    f = service.SignalFilter(status=status.value if status else None, limit=limit, offset=offset)
    return service.list_signals(session, principal, f, settings)


@router.get("/{signal_id}", response_model=SignalOut)
def get_signal(
    signal: ScopedSignal, principal: CurrentUser, session: SessionDep, settings: SettingsDep
) -> SignalOut:
    return service.signal_detail(session, principal, signal, settings)
