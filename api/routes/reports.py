"""``/api/reports``: the reflection report (JSON, CSV, PDF), its working agreements, the
anonymised digest; and the page ``/reflectie``."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select

from api.deps import CurrentUser, SessionDep, SettingsDep
from api.openapi import API_ERRORS
from api.pages.deps import CheckedForm, PageUser
from api.pages.render import render, templates
from api.pages.taskform import text_value
from api.schemas import AgreementCreate
from api.scoping import Principal
from api.services.reflection import Period, Reflection, csv_rows, digest_cells, reflection
from core.config import Settings
from core.crypto import decrypt_text, encrypt_text
from db.models import ReflectionAgreement
from domain.vocabulary import REGIONS, Role, Sector

router = APIRouter(tags=["reports"], responses=API_ERRORS)
REPORT_ROLES = (Role.ZORGKANTOOR, Role.COORDINATOR, Role.AUDITOR)


def _check(principal: Principal, region: str | None, sector: str | None) -> None:
    if principal.role not in REPORT_ROLES:
        raise HTTPException(403, "reports are for the zorgkantoor, coordinators and auditors")
    if region is not None and region not in REGIONS:
        raise HTTPException(
            422, f"region: unknown region {region!r}; allowed: {', '.join(REGIONS)}"
        )
    if sector is not None and sector not in set(Sector):
        raise HTTPException(422, f"sector: allowed: {', '.join(Sector)}")


def _period(start: date | None, end: date | None) -> Period:
    end = end or datetime.now(UTC).date()
    start = start or end - timedelta(days=365)
    if start > end:
        raise HTTPException(422, "from must not be after to")
    return Period(start, end)


def _agreements(
    session: Session, region: str | None, period: Period, settings: Settings
) -> list[dict[str, Any]]:
    query = select(ReflectionAgreement).where(
        col(ReflectionAgreement.agreed_on) >= period.start,
        col(ReflectionAgreement.agreed_on) <= period.end,
    )
    if region:
        query = query.where(ReflectionAgreement.region == region)
    return [
        {
            "region": a.region,
            "agreed_on": a.agreed_on.isoformat(),
            "text": decrypt_text(a.text_encrypted, settings),
        }
        for a in session.exec(query.order_by(col(ReflectionAgreement.agreed_on))).all()
    ]


def build_report(
    session: Session,
    principal: Principal,
    settings: Settings,
    start: date | None,
    end: date | None,
    region: str | None,
    sector: str | None,
) -> Reflection:
    _check(principal, region, sector)
    period = _period(start, end)
    report = reflection(session, principal, period, region, sector)
    report.agreements = _agreements(session, region or principal.org_region, period, settings)
    return report


def render_pdf(report: Reflection) -> bytes:
    from weasyprint import HTML  # imported on use: it loads Pango

    html = templates.get_template("reports/reflection_pdf.html").render(r=report)
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


@router.get(
    "/api/reports/reflection",
    response_model=None,
    responses={
        200: {
            "description": "the report as JSON, CSV or PDF (format)",
            "content": {"application/json": {}, "text/csv": {}, "application/pdf": {}},
        }
    },
)
def get_reflection(
    principal: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    region: str | None = None,
    sector: str | None = None,
    format: Literal["json", "csv", "pdf"] = "json",  # noqa: A002 (the API's parameter name)
) -> Response | dict[str, Any]:
    """The step plan's four reflection questions for cases started in the period
    (default: the last year): outcomes and durations by sector, care-need type, cause,
    domain and sub-region; where cases stalled; decline reasons per care need (a shortage
    signal); registration rounds and meetings per placement; the solutions that worked;
    the working agreements made in reflection meetings."""
    report = build_report(session, principal, settings, start, end, region, sector)
    if format == "csv":
        out = io.StringIO()
        csv.writer(out).writerows(csv_rows(report))
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="reflectie.csv"'},
        )
    if format == "pdf":
        return Response(
            render_pdf(report),
            media_type="application/pdf",
            headers={"Content-Disposition": 'attachment; filename="reflectie.pdf"'},
        )
    return asdict(report)


@router.post("/api/reports/reflection/agreements", status_code=201)
def add_agreement(
    body: AgreementCreate, principal: CurrentUser, session: SessionDep, settings: SettingsDep
) -> dict[str, str]:
    """Record a working agreement (werkafspraak) made in a reflection meeting."""
    _check(principal, body.region, None)
    if principal.role == Role.AUDITOR:
        raise HTTPException(403, "auditors have read-only access")
    row = ReflectionAgreement(
        region=body.region,
        agreed_on=body.agreed_on,
        text_encrypted=encrypt_text(body.text, settings),
        created_by=principal.user_id,
        created_by_org=principal.org,
    )
    session.add(row)
    session.commit()
    return {"id": row.id, "region": row.region, "agreed_on": row.agreed_on.isoformat()}


@router.get("/api/reports/digest")
def get_digest(
    principal: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    region: str | None = None,
    sector: str | None = None,
) -> dict[str, Any]:
    """Anonymised counts for the Praktijkteam VWS and the NZa: no client references, no
    free text, every count under 5 suppressed (null)."""
    report = build_report(session, principal, settings, start, end, region, sector)
    return {
        "period": {"from": report.period.start.isoformat(), "to": report.period.end.isoformat()},
        "region": region,
        "sector": sector,
        "suppressed_below": 5,
        "cells": digest_cells(report),
    }


@router.get("/reflectie", include_in_schema=False)
def reflection_page(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    settings: SettingsDep,
    van: str | None = None,
    tot: str | None = None,
    regio: str | None = None,
) -> Response:
    region = regio if regio in REGIONS else None
    start, end = _dates(van), _dates(tot)
    report = build_report(session, principal, settings, start, end, region, None)
    return render(request, "reflection.html", {"r": report, "region": region})


def _dates(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.post("/reflectie/afspraken", include_in_schema=False)
def add_agreement_page(
    principal: PageUser, session: SessionDep, settings: SettingsDep, form: CheckedForm
) -> Response:
    body = AgreementCreate(
        region=text_value(form, "region") or principal.org_region or "",
        agreed_on=_dates(text_value(form, "agreed_on")) or datetime.now(UTC).date(),
        text=text_value(form, "text"),
    )
    add_agreement(body, principal, session, settings)
    return RedirectResponse("/reflectie", status_code=303)
