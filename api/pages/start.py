"""``/start``: the start page of each role. The zorgkantoor, coordinators, providers and
OCOs see what asks for attention (overdue, not yet picked up, claimed by them; for the
zorgkantoor also new signals and cases that stand still); the auditor sees the cases to
review; the functional administrator the management pages. Every number links to the
list behind it (filters in the query, so a link keeps them)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import SessionDep, SettingsDep
from api.pages.deps import PageUser
from api.pages.render import render
from api.services.cases import CaseFilter, list_cases
from api.services.signals import SignalFilter, list_signals
from api.services.tasks import InboxFilter, inbox
from domain.permissions import ZORGKANTOOR_ROLES
from domain.vocabulary import Role

router = APIRouter()


@dataclass(frozen=True)
class Count:
    title: str
    count: int
    link: str
    hint: str = ""


def _tasks(session: SessionDep, principal: PageUser, **kwargs: object) -> int:
    return inbox(session, principal, InboxFilter(limit=1, **kwargs)).total  # type: ignore[arg-type]


def _cases(session: SessionDep, principal: PageUser, **kwargs: object) -> int:
    return list_cases(session, principal, CaseFilter(limit=1, **kwargs)).total  # type: ignore[arg-type]


@router.get("/start")
def start_page(
    request: Request, principal: PageUser, session: SessionDep, settings: SettingsDep
) -> Response:
    counts: list[Count] = []
    review: list[Count] = []
    if principal.role == Role.AUDITOR:
        review = [
            Count(
                "Afgesloten casussen",
                _cases(session, principal, status="closed"),
                "/cases?status=closed",
                "Controleer of het stappenplan is gevolgd.",
            ),
            Count(
                "Casussen met overgeslagen stappen",
                _cases(session, principal, cohort="skipped"),
                "/cases?cohort=skipped",
                "Stappen die niet zijn gedaan toen de fase eindigde.",
            ),
            Count(
                "Casussen die stilstaan",
                _cases(session, principal, cohort="stalled"),
                "/cases?cohort=stalled",
                "Langer in een fase dan het stappenplan toestaat.",
            ),
            Count(
                "Besluit over dossierhouderschap te laat",
                _cases(session, principal, cohort="decision_late"),
                "/cases?cohort=decision_late",
                "De beslistermijn van 5 of 10 dagen is verstreken.",
            ),
        ]
    elif principal.role != Role.BEHEERDER:
        counts = [
            Count(
                "Te laat",
                _tasks(session, principal, overdue=True),
                "/inbox?te_laat=1",
                "Taken waarvan de termijn voorbij is.",
            ),
            Count(
                "Nieuw: nog door niemand opgepakt",
                _tasks(session, principal, unclaimed=True),
                "/inbox?opgepakt=niemand&sorteer=nieuw",
                "Nieuwste eerst.",
            ),
            Count(
                "Door mij opgepakt",
                _tasks(session, principal, claimed_by_id=principal.user_id),
                "/inbox?opgepakt=ik",
            ),
        ]
        if principal.role in ZORGKANTOOR_ROLES:
            signals = list_signals(
                session, principal, SignalFilter(status="open", limit=1), settings
            )
            counts += [
                Count("Nieuwe signalen om te beoordelen", signals.total, "/signalen?status=open"),
                Count(
                    "Casussen die stilstaan",
                    _cases(session, principal, cohort="stalled"),
                    "/cases?cohort=stalled",
                    "Langer in een fase dan het stappenplan toestaat.",
                ),
                Count(
                    "Casussen met te late taken",
                    _cases(session, principal, cohort="overdue"),
                    "/cases?cohort=overdue",
                ),
            ]
    return render(
        request,
        "start.html",
        {"active": "start", "counts": counts, "review": review},
    )
