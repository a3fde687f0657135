"""Early signals on the read model: sending one (row + workflow), listing and showing
them. Assessing one is ``api/services/signal_commands.py``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from fastapi import HTTPException
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, func, select
from temporalio.client import Client

from api.schemas import Page, SignalCreate, SignalOut
from api.scoping import Principal, may_see_signal_text, visible_signals
from api.services.cases import MAX_IDEMPOTENCY_KEY, check_org_kinds
from api.services.paging import page_total
from api.services.workflow import StartFailed, start_synced
from core.config import Settings
from core.crypto import decrypt_text, encrypt_text
from db.models import Organisation, Signal, Task, new_id
from domain.signal_messages import SIGNAL_WORKFLOW_NAME, SignalInput, signal_workflow_id_for
from domain.signals import SENDER_ROLES, SignalStatus

log = structlog.get_logger()
ZORGKANTOOR_KIND = "zorgkantoor"  # the organisation kind of zorgkantoor and coordinator users


def zorgkantoor_of(session: Session, region: str) -> Organisation:
    """The zorgkantoor of ``region`` (the organisation of kind zorgkantoor with that
    region; the first by name if a region had two); 422 naming the field when none."""
    org = session.exec(
        select(Organisation)
        .where(Organisation.kind == ZORGKANTOOR_KIND, Organisation.region == region)
        .order_by(col(Organisation.name))
    ).first()
    if org is None:
        raise HTTPException(
            422,
            f"region: no zorgkantoor is registered for region {region!r}, so nobody could "
            "assess the signal (er is geen zorgkantoor voor deze regio)",
        )
    return org


def signal_input(signal: Signal, principal: Principal, request_id: str | None) -> SignalInput:
    """Ids, codes and organisation names only: no client_ref, no note."""
    return SignalInput(
        signal_id=signal.id,
        kind=signal.kind,
        mode=signal.mode,
        sector=signal.sector,
        region=signal.region,
        provider_org=signal.provider_org,
        oco_org=signal.oco_org,
        zorgkantoor_org=signal.zorgkantoor_org,
        sender_org=signal.sender_org,
        sent_by=principal.actor,
        request_id=request_id,
    )


@dataclass
class Sent:
    signal: Signal
    created: bool  # False: an earlier request with the same Idempotency-Key sent it


async def send_signal(
    session: Session,
    client: Client,
    principal: Principal,
    body: SignalCreate,
    idempotency_key: str | None,
    settings: Settings,
    request_id: str | None,
) -> Sent:
    """Insert the signal as pending, start its workflow (which opens ``assess_signal``
    for the region's zorgkantoor), mark it running; idempotent like a case start."""
    if principal.role not in SENDER_ROLES:
        allowed = ", ".join(r.value for r in SENDER_ROLES)
        raise HTTPException(403, f"only {allowed} users send signals")
    check_org_kinds(session, body)
    zorgkantoor = zorgkantoor_of(session, body.region)
    key = None
    if idempotency_key:
        if len(idempotency_key) > MAX_IDEMPOTENCY_KEY:
            raise HTTPException(422, f"Idempotency-Key: at most {MAX_IDEMPOTENCY_KEY} characters")
        key = f"{principal.user_id}:{idempotency_key}"  # keys are per user
        existing = session.exec(select(Signal).where(Signal.idempotency_key == key)).first()
        if existing is not None:
            if existing.workflow_state != "pending":
                return Sent(existing, created=False)
            return await _finish_send(session, client, principal, existing, settings, request_id)
    signal = _new_signal(principal, body, zorgkantoor.name, key, settings)
    session.add(signal)
    try:
        session.commit()
    except IntegrityError:  # a concurrent request with the same key won the insert
        session.rollback()
        existing = session.exec(select(Signal).where(Signal.idempotency_key == key)).first()
        if existing is None:
            raise
        return Sent(existing, created=False)
    return await _finish_send(session, client, principal, signal, settings, request_id)


def _new_signal(
    principal: Principal, body: SignalCreate, zorgkantoor: str, key: str | None, settings: Settings
) -> Signal:
    signal_id = new_id()
    return Signal(
        id=signal_id,
        workflow_id=signal_workflow_id_for(signal_id),
        kind=body.kind.value,
        mode=body.mode.value if body.mode else None,
        sector=body.sector.value,
        region=body.region,
        provider_org=body.provider_org,
        oco_org=body.oco_org,
        zorgkantoor_org=zorgkantoor,
        sender_org=principal.org,
        sender_role=principal.role,
        sent_by=principal.name,
        sent_by_id=principal.user_id,
        client_ref_encrypted=encrypt_text(body.client_ref, settings),
        note_encrypted=encrypt_text(body.note, settings),
        status=SignalStatus.OPEN,
        workflow_state="pending",
        idempotency_key=key,
    )


async def _finish_send(
    session: Session,
    client: Client,
    principal: Principal,
    signal: Signal,
    settings: Settings,
    request_id: str | None,
) -> Sent:
    structlog.contextvars.bind_contextvars(signal_id=signal.id, workflow_id=signal.workflow_id)
    inp = signal_input(signal, principal, request_id)
    try:
        await start_synced(client, SIGNAL_WORKFLOW_NAME, inp, signal.workflow_id, settings)
    except StartFailed:
        if signal.idempotency_key is None:  # with a key it stays pending for the retry
            session.exec(delete(Signal).where(col(Signal.id) == signal.id))
            session.commit()
        raise HTTPException(
            503,
            "Temporal is niet bereikbaar; het signaal is niet verstuurd "
            "(Temporal is unreachable; the signal was not sent, retry later)",
        ) from None
    signal.workflow_state = "running"
    signal.updated_at = datetime.now(UTC)
    session.add(signal)
    session.commit()
    session.refresh(signal)
    log.info("signal_sent", kind=signal.kind, region=signal.region)
    return Sent(signal, created=True)


@dataclass
class SignalFilter:
    status: str | None = None
    limit: int = 50
    offset: int = 0


def list_signals(
    session: Session, principal: Principal, f: SignalFilter, settings: Settings
) -> Page[SignalOut]:
    """The signals the caller's organisation sent, and (zorgkantoor) those it assesses;
    newest first."""
    conditions = [visible_signals(principal)]
    if f.status:
        conditions.append(col(Signal.status) == f.status)
    rows = session.exec(
        select(Signal)
        .where(*conditions)
        .order_by(col(Signal.created_at).desc(), col(Signal.id))
        .limit(f.limit)
        .offset(f.offset)
    ).all()
    total = page_total(
        len(rows),
        f.limit,
        f.offset,
        lambda: session.exec(select(func.count()).select_from(Signal).where(*conditions)).one(),
    )
    tasks = _task_ids(session, [s.id for s in rows])
    items = [signal_out(principal, s, tasks.get(s.id), settings) for s in rows]
    return Page[SignalOut](items=items, total=total, limit=f.limit, offset=f.offset)


def _task_ids(session: Session, signal_ids: list[str]) -> dict[str, str]:
    if not signal_ids:
        return {}
    rows = session.exec(
        select(Task.signal_id, Task.id).where(col(Task.signal_id).in_(signal_ids))
    ).all()
    return {signal_id: task_id for signal_id, task_id in rows if signal_id}


def signal_detail(
    session: Session, principal: Principal, signal: Signal, settings: Settings
) -> SignalOut:
    task_id = _task_ids(session, [signal.id]).get(signal.id)
    return signal_out(principal, signal, task_id, settings)


def signal_out(
    principal: Principal, signal: Signal, task_id: str | None, settings: Settings
) -> SignalOut:
    text = may_see_signal_text(principal, signal)

    def plain(token: str | None) -> str | None:
        return decrypt_text(token, settings) if token and text else None

    return SignalOut(
        **signal.model_dump(
            exclude={
                "client_ref_encrypted",
                "note_encrypted",
                "advice_encrypted",
                "motivation_encrypted",
            }
        ),
        client_ref=decrypt_text(signal.client_ref_encrypted, settings),
        note=plain(signal.note_encrypted),
        advice=plain(signal.advice_encrypted),
        motivation=plain(signal.motivation_encrypted),
        task_id=task_id,
    )
