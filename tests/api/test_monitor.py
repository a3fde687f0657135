"""The zorgplicht monitor on a small hand-built read model: each number equals what was
computed by hand, its link lists exactly its cases, and it is scoped by region."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import Session

from db.models import Case, Task
from domain.definitions import CURRENT_VERSION, coded_facts
from tests.api.conftest import ZK, ZK_OTHER, bearer, build_app

NOW = datetime.now(UTC)


def case(session: Session, cid: str, phase: str, days_in_phase: float, **extra) -> Case:
    """A case row as the read model writes it (``db/read_model.py``): the bridging start
    beside the sealed bridging arrangement."""
    if extra.get("bridging"):
        extra["bridging_since"] = datetime.fromisoformat(extra["bridging"]["since"])
    row = Case(
        id=cid,
        workflow_id=f"case-{cid}",
        client_ref=f"CR-{cid}",
        sector=extra.pop("sector", "GGZ"),
        region=extra.pop("region", "Groningen"),
        entry="no_dossierhouder",
        provider_org="Zorggroep Noord",
        zorgkantoor_org=extra.pop("zk", ZK),
        phase=phase,
        phase_since=NOW - timedelta(days=days_in_phase),
        workflow_state="running",
        **extra,
    )
    session.add(row)
    return row


def task(session: Session, cid: str, n: int, key: str, status: str = "open", **extra) -> None:
    """A task row as the read model writes it: the codes of its data beside the data."""
    extra.setdefault("codes", coded_facts(CURRENT_VERSION, key, extra.get("data") or {}))
    session.add(
        Task(
            id=f"{cid}:t{n}",
            case_id=cid,
            phase=extra.pop("phase", "dossierhouder_search"),
            key=key,
            title=key,
            owner_role="zorgkantoor",
            owner_org=ZK,
            status=status,
            **extra,
        )
    )


@pytest.fixture
def read_model(engine) -> None:
    with Session(engine) as s:
        # four open cases in Groningen, one closed, one in another region
        case(s, "a", "dossierhouder_search", 2)
        case(s, "b", "dossierhouder_search", 10, overdue=True)
        case(s, "c", "whole_system_meeting", 40, stalled=True)
        case(
            s,
            "d",
            "search_other_provider",
            5,
            bridging={"since": (NOW - timedelta(days=20)).isoformat(), "arrangement": "x"},
        )
        case(s, "e", "closed", 1, status="closed", outcome="placed")
        case(s, "f", "dossierhouder_search", 3, region="Twente", zk=ZK_OTHER)
        s.flush()
        task(s, "a", 1, "decide_dossierhouder", "done", due_at=NOW + timedelta(days=3))
        task(s, "b", 1, "decide_dossierhouder", overdue=True, due_at=NOW - timedelta(days=1))
        task(s, "b", 2, "follow_up_overdue_decision")
        task(s, "c", 1, "organise_meeting", "skipped", phase="regular_steps_failed")
        task(s, "c", 2, "update_overview", "skipped", phase="regular_steps_failed")
        task(s, "d", 1, "monitor_bridging", due_at=NOW - timedelta(hours=1))  # late, not flagged
        task(s, "e", 1, "report_progress", "done", overdue=True, phase="plan_of_action")
        task(s, "f", 1, "decide_dossierhouder", overdue=True)
        s.commit()


@pytest.fixture
async def http(engine, tokens, read_model) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_app(engine, None))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        client.tokens = tokens  # type: ignore[attr-defined]
        yield client


async def get(http: httpx.AsyncClient, user: str, url: str) -> httpx.Response:
    return await http.get(url, headers=bearer(http.tokens[user]))  # type: ignore[attr-defined]


async def test_the_numbers_equal_the_hand_computed_ones(http):
    r = await get(http, "zorgkantoor", "/api/monitor")
    assert r.status_code == 200, r.text
    m = r.json()
    assert m["open_cases"] == 4
    dossier = m["by_phase"]["dossierhouder_search"]
    assert dossier["count"] == 2 and dossier["median_days"] == 6.0  # 2 and 10 days
    assert dossier["p90_days"] == pytest.approx(9.2, abs=0.1)
    assert m["by_phase"]["whole_system_meeting"]["count"] == 1
    assert m["by_phase"]["plan_of_action"] == {"count": 0, "median_days": None, "p90_days": None}
    # b: the decision (flagged) and its follow-up task is not late; d: past due, not flagged
    assert (m["overdue_tasks"], m["cases_held_up"]) == (2, 2)
    assert m["bridging"]["count"] == 1 and m["bridging"]["median_days"] == pytest.approx(20, 0.1)
    assert m["stalled"] == 1
    assert (m["skipped_tasks"], m["cases_with_skipped"]) == (2, 1)
    assert (m["decisions_in_time"], m["decisions_late"]) == (1, 1)
    assert m["missed_reports"] == 1  # the closed case's report was late once


@pytest.mark.parametrize(
    ("cohort", "cases"),
    [
        ("overdue", {"b", "d"}),
        ("stalled", {"c"}),
        ("bridging", {"d"}),
        ("skipped", {"c"}),
        ("decision_late", {"b"}),
        ("decision_in_time", {"a"}),
        ("missed_report", {"e"}),
        ("phase:dossierhouder_search", {"a", "b"}),
        ("open", {"a", "b", "c", "d"}),
    ],
)
async def test_every_number_links_to_its_cases(http, cohort, cases):
    m = (await get(http, "coordinator", "/api/monitor")).json()
    r = await get(http, "coordinator", m["links"][cohort].replace("/cases", "/api/cases"))
    assert r.status_code == 200, r.text
    assert {c["id"] for c in r.json()["items"]} == cases


async def test_scoped_to_the_region_and_closed_to_providers(http):
    other = (await get(http, "zorgkantoor_other", "/api/monitor")).json()
    assert other["open_cases"] == 1 and other["decisions_late"] == 1
    auditor = (await get(http, "auditor", "/api/monitor")).json()
    assert auditor["open_cases"] == 5
    assert (await get(http, "auditor", "/api/monitor?region=Twente")).json()["open_cases"] == 1
    assert (await get(http, "aanbieder", "/api/monitor")).status_code == 403
    r = await get(http, "auditor", "/api/monitor?region=Atlantis")
    assert r.status_code == 422 and "region" in r.text
    r = await get(http, "coordinator", "/api/cases?cohort=nonsense")
    assert r.status_code == 422 and "stalled" in r.text


async def test_the_page_shows_the_numbers_as_a_chart_and_a_table(http, tokens):
    from tests.api.test_pages import csrf_of

    page = await http.get("/")
    r = await http.post(
        "/login", data={"token": tokens["zorgkantoor"], "csrf_token": csrf_of(page.text)}
    )
    assert r.status_code == 303
    html = (await http.get("/monitor")).text
    assert "<svg" in html and 'role="img"' in html and "<table>" in html
    assert 'href="/cases?cohort=stalled">1</a>' in html
    listed = (await http.get("/cases?cohort=stalled")).text
    assert "CR-c" in listed and "CR-a" not in listed
