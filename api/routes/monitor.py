"""``/api/monitor`` and the page ``/monitor``: the zorgplicht monitor of a zorgkantoor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from api.deps import CurrentUser, SessionDep
from api.openapi import API_ERRORS
from api.pages.deps import PageUser
from api.pages.render import render
from api.schemas import MonitorOut
from api.scoping import Principal
from api.services.monitor import monitor
from domain.vocabulary import REGIONS, Role

router = APIRouter(tags=["monitor"], responses=API_ERRORS)
MONITOR_ROLES = (Role.ZORGKANTOOR, Role.COORDINATOR, Role.AUDITOR)


def _may_monitor(principal: Principal, region: str | None) -> None:
    if principal.role not in MONITOR_ROLES:
        raise HTTPException(403, "the monitor is for the zorgkantoor, coordinators and auditors")
    if region is not None and region not in REGIONS:
        raise HTTPException(
            422, f"region: unknown region {region!r}; allowed: {', '.join(REGIONS)}"
        )


@router.get("/api/monitor", response_model=MonitorOut)
def get_monitor(
    principal: CurrentUser,
    session: SessionDep,
    region: Annotated[str | None, Query(description="one of the 31 regions")] = None,
) -> MonitorOut:
    """Open cases by phase (count, median and p90 days in phase), tasks past their
    deadline and the cases they hold up, clients in bridging care, stalled cases, skipped
    steps, dossierhoudership decisions in time and late, missed progress reports. Each
    number's cases: ``GET /api/cases?cohort=<name>`` (``links``)."""
    _may_monitor(principal, region)
    return MonitorOut.model_validate(monitor(session, principal, region), from_attributes=True)


@router.get("/monitor", include_in_schema=False)
def monitor_page(
    request: Request, principal: PageUser, session: SessionDep, regio: str | None = None
) -> Response:
    region = regio if regio in REGIONS else None
    _may_monitor(principal, region)
    return render(request, "monitor.html", {"m": monitor(session, principal, region)})
