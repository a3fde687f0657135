"""Least privilege (issue 13, item 5): every role × organisation × resource of one case,
including a second zorgkantoor organisation of the same region and an adviser taking
part without the client's consent."""

from __future__ import annotations

from sqlmodel import Session

from db.accounts import add_user
from tests.api.conftest import CASE_BODY, Api
from tests.api.test_pages import sign_in

NOTE = "Moeder belt dagelijks, zie gespreksverslag"
ADVISER_ORG = "CCE Noord"

# extra users: a second zorgkantoor organisation in the case's region, and the adviser
EXTRA = {
    "coordinator_same_region": ("coordinator", "Zorgkantoor Groningen-Oost", "Groningen"),
    "zorgkantoor_same_region": ("zorgkantoor", "Zorgkantoor Groningen-Oost", "Groningen"),
    "adviser": ("aanbieder", ADVISER_ORG, None),
}

FULL, ANON, HIDDEN = "full", "anonymous", "404"
# user -> (case detail, history/dossier/outbox of the case)
EXPECTED = {
    "coordinator": (FULL, 200),
    "zorgkantoor": (FULL, 403),
    "coordinator_same_region": ("no summary", 403),
    "zorgkantoor_same_region": ("no summary", 403),
    "aanbieder": (FULL, 403),
    "oco": (FULL, 403),
    "auditor": ("no summary", 200),
    "adviser": (ANON, 403),
    "coordinator_other": (HIDDEN, 404),
    "zorgkantoor_other": (HIDDEN, 404),
    "aanbieder_other": (HIDDEN, 404),
    "oco_other": (HIDDEN, 404),
}


def _detail_kind(status: int, body: dict) -> str:
    if status == 404:
        return HIDDEN
    assert status == 200, body
    if body["client_ref"] == "(anoniem)":
        assert body["summary"] is None
        return ANON
    assert body["client_ref"] == CASE_BODY["client_ref"]
    return FULL if body["summary"] == CASE_BODY["summary"] else "no summary"


async def test_every_role_and_organisation_sees_only_what_it_may(api: Api, engine) -> None:
    with Session(engine) as session:
        for name, (role, org, region) in EXTRA.items():
            new = add_user(session, name=name, role=role, org=org, region=region)
            api.tokens[name] = new.token
        session.commit()
    case = await api.start_case()
    case_id = case["id"]
    r = await api.as_(
        "coordinator",
        "POST",
        f"/api/cases/{case_id}/participants",
        json={"org": ADVISER_ORG, "capacity": "adviser", "consent": False},
    )
    assert r.status_code in (200, 201), r.text
    decision = await api.open_task(case_id, "decide_dossierhouder", user="aanbieder")
    r = await api.as_(
        "aanbieder",
        "POST",
        f"/api/tasks/{decision['id']}/complete",
        json={"outcome": "accepted", "note": NOTE},
    )
    assert r.status_code == 200, r.text

    seen: dict[str, tuple[str, int]] = {}
    for user in EXPECTED:
        detail = await api.as_(user, "GET", f"/api/cases/{case_id}")
        kind = _detail_kind(detail.status_code, detail.json())
        statuses = set()
        for path in (f"/api/cases/{case_id}/history", f"/api/cases/{case_id}/dossier"):
            statuses.add((await api.as_(user, "GET", path)).status_code)
        outbox = await api.as_(user, "GET", "/api/notifications", params={"case_id": case_id})
        assert outbox.status_code in statuses | {403}, (user, outbox.status_code)
        assert len(statuses) == 1, (user, statuses)
        seen[user] = (kind, statuses.pop())

        # the timeline: motivations only for those who see client data
        timeline = await api.as_(user, "GET", f"/api/cases/{case_id}/timeline")
        if kind == HIDDEN:
            assert timeline.status_code == 404
        elif kind == ANON:
            assert NOTE not in timeline.text and CASE_BODY["client_ref"] not in timeline.text
        # the case list: the adviser gets the anonymous reference
        listed = (await api.as_(user, "GET", "/api/cases")).json()["items"]
        refs = {c["client_ref"] for c in listed if c["id"] == case_id}
        assert refs == {
            HIDDEN: set(),
            ANON: {"(anoniem)"},
        }.get(kind, {CASE_BODY["client_ref"]}), user
    assert seen == EXPECTED

    # the outbox without a case filter: only the cases of one's own zorgkantoor
    for user, allowed in (("coordinator", True), ("coordinator_same_region", False)):
        rows = (await api.as_(user, "GET", "/api/notifications")).json()
        assert any(row["case_id"] == case_id for row in rows) is allowed, user

    # the adviser's pages: the task page and the case page name no client
    await sign_in(api, "adviser")
    page = await api.http.get(f"/cases/{case_id}")
    assert page.status_code == 200
    assert CASE_BODY["client_ref"] not in page.text and NOTE not in page.text
    assert CASE_BODY["summary"] not in page.text
    task_page = await api.http.get(f"/tasks/{decision['id']}")
    assert task_page.status_code == 200
    assert CASE_BODY["client_ref"] not in task_page.text and NOTE not in task_page.text


async def test_exact_search_by_client_ref_uses_the_keyed_hash(api: Api, engine) -> None:
    case = await api.start_case(client_ref="CR-ZOEK-1")
    await api.start_case(client_ref="CR-ZOEK-2")
    found = await api.as_("coordinator", "GET", "/api/cases", params={"client_ref": "CR-ZOEK-1"})
    assert [c["id"] for c in found.json()["items"]] == [case["id"]]
    assert found.json()["total"] == 1
    none = await api.as_("coordinator", "GET", "/api/cases", params={"client_ref": "CR-ZOEK"})
    assert none.json()["items"] == []
    from sqlalchemy import text

    with engine.connect() as conn:
        hashes = [r[0] for r in conn.execute(text("SELECT client_ref_hash FROM cases"))]
    assert all(h and len(h) == 64 and "ZOEK" not in h for h in hashes)
