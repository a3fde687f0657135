"""The auditor's page of a case (Dutch): replay verdict, read-model check and downloads
of the history and the dossier. Same rights as the JSON endpoints in api/routes/audit.py:
auditors (every case) and the coordinators of the case's own zorgkantoor organisation."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlmodel import Session

from api.deps import EngineDep, SessionDep, SettingsDep, TemporalDep, scoped_case
from api.errors import ApiError
from api.pages.deps import PageUser
from api.pages.render import render
from api.routes.audit import AUDIT_ROLES, get_dossier, get_history
from api.scoping import Principal, may_audit
from audit.reconcile import verify_case
from audit.replay import replay_case, shared_replayer
from db.models import Case
from workflows.registry import WORKFLOWS

router = APIRouter(include_in_schema=False)


def _audited(session: Session, principal: Principal, case_id: str) -> Case:
    case = scoped_case(session, principal, case_id)
    if principal.role not in AUDIT_ROLES or not may_audit(principal, case):
        raise ApiError(
            403,
            "only auditors and coordinators of the case's own zorgkantoor see its history",
            dutch="Alleen toezichthouders en zorgbemiddelaars van het eigen zorgkantoor "
            "zien de controle.",
        )
    return case


@router.get("/cases/{case_id}/controle")
async def audit_page(
    request: Request,
    case_id: str,
    principal: PageUser,
    session: SessionDep,
    client: TemporalDep,
    engine: EngineDep,
    settings: SettingsDep,
) -> Response:
    case = _audited(session, principal, case_id)
    verdicts = await replay_case(client, case.id, shared_replayer(settings, WORKFLOWS))
    check = await verify_case(client, engine, case.id)
    return render(
        request,
        "dossier.html",
        {
            "active": "cases",
            "case": case,
            "verdicts": verdicts,
            "check": check,
        },
    )


@router.get("/cases/{case_id}/controle/history.json")
async def history_download(
    case_id: str, principal: PageUser, session: SessionDep, client: TemporalDep
) -> Response:
    case = _audited(session, principal, case_id)
    doc = await get_history(case, client)
    return JSONResponse(
        doc, headers={"Content-Disposition": f'attachment; filename="history-{case.id}.json"'}
    )


@router.get("/cases/{case_id}/controle/dossier.zip")
async def dossier_download(
    case_id: str,
    principal: PageUser,
    session: SessionDep,
    client: TemporalDep,
    engine: EngineDep,
    settings: SettingsDep,
) -> Response:
    case = _audited(session, principal, case_id)
    return await get_dossier(case, client, engine, settings)
