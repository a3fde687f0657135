"""``/api/notifications``: the notification outbox, for auditors (every case) and
coordinators (the cases their own zorgkantoor organisation runs; others 403). Rows
carry status, attempts and the last error; no bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel
from sqlmodel import col, select

from api.deps import ID_PATTERN, CurrentUser, SessionDep, scoped_case
from api.openapi import API_ERRORS
from api.scoping import audited_cases, may_audit
from db.models import Case, NotificationOutbox
from domain.vocabulary import Role

router = APIRouter(prefix="/api/notifications", tags=["notifications"], responses=API_ERRORS)

OUTBOX_READERS = (Role.COORDINATOR, Role.AUDITOR)


class NotificationOut(BaseModel):
    id: str
    case_id: str
    task_id: str | None
    event: str
    recipient: str
    channel: str
    address: str | None
    subject: str
    status: str
    attempts: int
    last_error: str | None
    uncertain: bool
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None


@router.get("", response_model=list[NotificationOut])
def list_notifications(
    principal: CurrentUser,
    session: SessionDep,
    case_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    status: Literal["pending", "sending", "sent", "failed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[NotificationOut]:
    if principal.role not in OUTBOX_READERS:
        raise HTTPException(403, "only coordinators and auditors may see the notification outbox")
    query = (
        select(NotificationOutbox)
        .join(Case, col(Case.id) == col(NotificationOutbox.case_id))
        .where(audited_cases(principal))
    )
    if case_id is not None:
        case = scoped_case(session, principal, case_id)  # 404 outside the caller's scope
        if not may_audit(principal, case):
            raise HTTPException(403, "only the case's own zorgkantoor and auditors see this")
        query = query.where(NotificationOutbox.case_id == case_id)
    if status is not None:
        query = query.where(NotificationOutbox.status == status)
    query = query.order_by(col(NotificationOutbox.created_at).desc(), col(NotificationOutbox.id))
    rows = session.exec(query.limit(limit)).all()
    return [NotificationOut.model_validate(row, from_attributes=True) for row in rows]
