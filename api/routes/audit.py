"""Auditor endpoints of a case: the Temporal history, the dossier bundle, the replay
verdict and the reconciliation of the read model. Auditors see every case; a
coordinator only the cases its own zorgkantoor organisation runs (not every case of
its region, which ``ScopedCase`` would allow): ``may_audit``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Response
from pydantic import BaseModel
from temporalio.service import RPCError, RPCStatusCode

from api.deps import CurrentUser, EngineDep, ScopedCase, SettingsDep, TemporalDep
from api.openapi import API_ERRORS
from api.scoping import may_audit
from audit.dossier import collect_dossier
from audit.history import DECODED, export_history
from audit.reconcile import verify_case
from audit.replay import replay_case, shared_replayer
from core.keys import CaseShredded
from db.models import Case
from domain.vocabulary import Role
from workflows.registry import WORKFLOWS

router = APIRouter(prefix="/api/cases", tags=["audit"], responses=API_ERRORS)

AUDIT_ROLES = (Role.AUDITOR, Role.COORDINATOR)
SHREDDED_DETAIL = "de gegevens van deze casus zijn vernietigd (retention: the case is shredded)"


def get_audited_case(case: ScopedCase, principal: CurrentUser) -> Case:
    if principal.role not in AUDIT_ROLES:
        raise HTTPException(403, "only auditors and coordinators see case histories")
    if not may_audit(principal, case):
        raise HTTPException(
            403, "only auditors and the coordinators of the case's own zorgkantoor see this"
        )
    return case


AuditedCase = Annotated[Case, Depends(get_audited_case)]


class ReplayVerdictOut(BaseModel):
    case_id: str
    workflow_id: str
    run_id: str | None
    verdict: Literal["ok", "nondeterministic", "diverged", "error", "unavailable", "shredded"]
    error: str | None = None


class ReplayOut(BaseModel):
    case_id: str
    ok: bool
    runs: list[ReplayVerdictOut]


class DifferenceOut(BaseModel):
    kind: str
    ref: str
    field: str = ""
    read_model: Any = None
    workflow: Any = None


class VerifyOut(BaseModel):
    case_id: str
    ok: bool
    compared_with: str  # "workflow" (state query) or "history"
    differences: list[DifferenceOut]
    error: str | None = None


def _history_error(exc: RPCError, case_id: str) -> HTTPException:
    if exc.status == RPCStatusCode.NOT_FOUND:
        return HTTPException(404, f"no workflow history for case {case_id}")
    return HTTPException(503, "Temporal is niet bereikbaar (Temporal is unreachable)")


@router.get("/{case_id}/history")
async def get_history(
    case: AuditedCase,
    client: TemporalDep,
    payloads: Literal["decoded", "encrypted"] = DECODED,
) -> dict[str, Any]:
    """The Temporal event history; payloads decrypted unless ``payloads=encrypted``."""
    try:
        return await export_history(client, case.id, decode=payloads == DECODED)
    except RPCError as exc:
        raise _history_error(exc, case.id) from None
    except CaseShredded:
        raise HTTPException(410, SHREDDED_DETAIL) from None


@router.get(
    "/{case_id}/dossier",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
async def get_dossier(
    case: AuditedCase,
    client: TemporalDep,
    engine: EngineDep,
    settings: SettingsDep,
    replay: bool = True,
) -> Response:
    """Zip: history.json, audit-log.json/.csv, tijdlijn.html (and replay.json)."""
    try:
        data = await collect_dossier(
            client, engine, case, shared_replayer(settings, WORKFLOWS) if replay else None
        )
    except RPCError as exc:
        raise _history_error(exc, case.id) from None
    except CaseShredded:
        raise HTTPException(410, SHREDDED_DETAIL) from None
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="dossier-{case.id}.zip"'},
    )


@router.get("/{case_id}/replay", response_model=ReplayOut)
async def get_replay(case: AuditedCase, client: TemporalDep, settings: SettingsDep) -> ReplayOut:
    """Replays the case's history against the current workflow code."""
    verdicts = await replay_case(client, case.id, shared_replayer(settings, WORKFLOWS))
    return ReplayOut(
        case_id=case.id,
        ok=all(v.ok for v in verdicts),
        runs=[ReplayVerdictOut(**v.to_dict()) for v in verdicts],
    )


@router.get("/{case_id}/verify", response_model=VerifyOut)
async def get_verify(case: AuditedCase, client: TemporalDep, engine: EngineDep) -> VerifyOut:
    """Does the read model agree with the workflow? (``casusregie audit verify``)"""
    check = await verify_case(client, engine, case.id)
    return VerifyOut(
        case_id=case.id,
        ok=check.ok,
        compared_with=check.source,
        error=check.error,
        differences=[DifferenceOut(**vars(d)) for d in check.differences],
    )
