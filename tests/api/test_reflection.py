"""The reflection report and the anonymised digest on a hand-built read model: numbers
equal hand-computed ones, the CSV parses, the PDF renders (its text read back), every
report is region-scoped, and the digest leaks no client reference or free text."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pypdf import PdfReader
from sqlmodel import Session

from db.models import AuditEvent
from tests.api.conftest import ZK_OTHER, bearer, build_app
from tests.api.test_monitor import case, task

NOW = datetime.now(UTC)
SECRET_NOTE = "Cliënt slaat medebewoners (geheim-7731)"


@pytest.fixture
def read_model(engine) -> None:
    with Session(engine) as s:
        dementia = {"care_need_type": "dementia", "escalation_cause": "incidents_client"}
        for i in range(6):  # six placed dementia cases: above the digest's threshold
            case(
                s,
                f"p{i}",
                "closed",
                0,
                status="closed",
                outcome="placed",
                case_data=dementia,
                meetings_held=i % 2,
                created_at=NOW - timedelta(days=30),
            )
        case(
            s,
            "w",
            "closed",
            0,
            status="closed",
            outcome="withdrawn",
            case_data={"care_need_type": "addiction"},
            created_at=NOW - timedelta(days=10),
        )
        case(
            s,
            "o",
            "whole_system_meeting",
            5,
            case_data={"care_need_type": "addiction"},
            created_at=NOW - timedelta(days=20),
            stalled=True,
        )
        case(
            s,
            "t",
            "dossierhouder_search",
            1,
            region="Twente",
            zk=ZK_OTHER,
            case_data={"care_need_type": "dementia"},
        )
        case(
            s,
            "old",
            "closed",
            0,
            status="closed",
            outcome="placed",
            created_at=NOW - timedelta(days=800),
        )
        s.flush()
        for i in range(6):
            task(
                s,
                f"p{i}",
                1,
                "first_registration_round",
                "done",
                outcome="placed",
                data={"solution_kind": "regular_place" if i < 4 else "custom_arrangement"},
                note=SECRET_NOTE,
            )
        task(
            s,
            "o",
            1,
            "decide_dossierhouder",
            "done",
            outcome="declined",
            data={"reason_code": "no_capacity"},
            note=SECRET_NOTE,
        )
        task(
            s,
            "o",
            2,
            "first_registration_round",
            "done",
            outcome="no_place",
            data={
                "round_results": [
                    {
                        "provider": "Zorg West",
                        "result": "declined",
                        "reason_code": "expertise_lacking",
                    },
                    {"provider": "Zorg Oost", "result": "waiting_list"},
                ]
            },
        )
        task(s, "o", 3, "update_overview", "skipped", phase="whole_system_meeting")
        s.add(
            AuditEvent(
                id="o:e9",
                case_id="o",
                seq=9,
                at=NOW,
                actor="systeem",
                action="phase_stalled",
                detail={"phase": "whole_system_meeting"},
                phase="whole_system_meeting",
                motivation=SECRET_NOTE,
            )
        )
        s.commit()


@pytest.fixture
async def http(engine, tokens, read_model) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_app(engine, None))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        client.tokens = tokens  # type: ignore[attr-defined]
        yield client


async def get(http: httpx.AsyncClient, user: str, url: str) -> httpx.Response:
    return await http.get(url, headers=bearer(http.tokens[user]))  # type: ignore[attr-defined]


def row(report: dict, dimension: str, value: str) -> dict:
    return next(o for o in report["outcomes"] if (o["dimension"], o["value"]) == (dimension, value))


async def test_reflection_numbers_equal_the_hand_computed_ones(http):
    r = await get(http, "zorgkantoor", "/api/reports/reflection")
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["cases"], report["closed"]) == (8, 7)  # Groningen, last year
    dementia = row(report, "care_need_type", "dementia")
    assert (dementia["cases"], dementia["placed"], dementia["open"]) == (6, 6, 0)
    assert dementia["median_days_to_close"] == pytest.approx(30, abs=0.1)
    addiction = row(report, "care_need_type", "addiction")
    assert (addiction["cases"], addiction["withdrawn"], addiction["open"]) == (2, 1, 1)
    assert report["stalled_by_phase"] == {"whole_system_meeting": 1}
    assert report["skipped_by_task"] == {"update_overview": 1}
    assert report["declines_by_care_need"] == {
        "addiction": {"no_capacity": 1, "expertise_lacking": 1}
    }
    assert report["solutions"] == {"regular_place": 4, "custom_arrangement": 2}
    assert report["rounds_per_placement"] == 1.0
    assert report["meetings_per_placement"] == 0.5


async def test_the_csv_parses_and_the_pdf_renders(http):
    r = await get(http, "coordinator", "/api/reports/reflection?format=csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["section", "dimension", "value", "measure", "number"]
    assert ["solutions", "solution_kind", "regular_place", "placements", "4"] in rows
    pdf = await get(http, "coordinator", "/api/reports/reflection?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Reflectie op complexe casuïstiek" in text
    flat = " ".join(text.split())
    assert "Dementie met probleemgedrag" in flat and "Reguliere plek bij een aanbieder" in flat


async def test_reports_are_scoped_to_the_region(http):
    other = (await get(http, "zorgkantoor_other", "/api/reports/reflection")).json()
    assert other["cases"] == 1 and row(other, "care_need_type", "dementia")["cases"] == 1
    assert (await get(http, "aanbieder", "/api/reports/reflection")).status_code == 403
    assert (await get(http, "aanbieder", "/api/reports/digest")).status_code == 403
    r = await get(http, "auditor", "/api/reports/reflection?from=2026-12-01&to=2026-01-01")
    assert r.status_code == 422


async def test_the_digest_has_counts_only_and_suppresses_small_cells(http):
    r = await get(http, "zorgkantoor", "/api/reports/digest")
    assert r.status_code == 200
    text = r.text
    for leak in ("CR-", SECRET_NOTE, "geheim-7731", "Zorg West", "Zorggroep Noord"):
        assert leak not in text, leak
    cells = {(c["dimension"], c["value"]): c for c in r.json()["cells"]}
    assert cells[("care_need_type", "dementia")]["placed"] == 6
    assert cells[("care_need_type", "addiction")]["cases"] is None  # 2 < 5: suppressed
    assert not any(c["dimension"] == "sub_region" for c in r.json()["cells"])


async def test_working_agreements_are_recorded_and_shown(http):
    body = {
        "region": "Groningen",
        "agreed_on": NOW.date().isoformat(),
        "text": "Wachtlijstbemiddeling binnen vijf werkdagen",
    }
    r = await http.post(
        "/api/reports/reflection/agreements", json=body, headers=bearer(http.tokens["zorgkantoor"])
    )  # type: ignore[attr-defined]
    assert r.status_code == 201, r.text
    denied = await http.post(
        "/api/reports/reflection/agreements", json=body, headers=bearer(http.tokens["auditor"])
    )  # type: ignore[attr-defined]
    assert denied.status_code == 403
    report = (await get(http, "coordinator", "/api/reports/reflection")).json()
    assert [a["text"] for a in report["agreements"]] == [body["text"]]


async def test_only_registration_rounds_count_the_answers_of_providers(http, engine):
    """The declines of providers approached come from the rounds' answers: the same
    field on another task (no form asks for it there) is not counted."""
    with Session(engine) as s:
        stray = [{"provider": "Zorg Zuid", "result": "declined", "reason_code": "other"}]
        task(s, "w", 1, "arrange_care", "done", outcome="placed", data={"round_results": stray})
        s.commit()
    report = (await get(http, "zorgkantoor", "/api/reports/reflection")).json()
    assert report["declines_by_care_need"] == {
        "addiction": {"no_capacity": 1, "expertise_lacking": 1}
    }
