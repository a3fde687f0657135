"""Every role x every case endpoint x own/foreign organisation, with exact status codes.

The case runs in Groningen (zorgkantoor "Zorgkantoor Groningen") with provider
"Zorggroep Noord" and OCO "MEE Groningen"; the *_other users belong to Twente and to
organisations that take no part in it."""

from __future__ import annotations

from sqlmodel import Session

from db.models import Case
from tests.api.conftest import messages

OWN = ("coordinator", "zorgkantoor", "aanbieder", "oco", "auditor")
FOREIGN = ("coordinator_other", "zorgkantoor_other", "aanbieder_other", "oco_other")

CONSENT = {
    "given_by": "client",
    "scope": "casusinformatie",
    "date": "2026-11-20",
    "recorded_how": "getekend formulier in het dossier",
}
PARTICIPANT = {
    "org": "Stichting Oost",
    "capacity": "round_provider",
    "consent": True,
    "consent_record": CONSENT,
}
# an organisation none of the users belongs to, so the matrix's foreign users stay foreign
UNRELATED = PARTICIPANT | {"org": "Zorg West"}
STAGNATION = {"action": "signal_stagnation", "note": "geen voortgang"}
ADVICE = {"action": "request_praktijkteam_advice", "note": "vraag over Wlz/Wmo"}
ACCEPT = {"outcome": "accepted", "note": ""}


def endpoints(case_id: str, task_id: str) -> list[tuple[str, str, dict | None, dict]]:
    """(method, url, body, expected status per own user); foreign users always get 404.
    Successful changes run in this order; withdraw (which closes the case) comes last."""
    c, t = f"/api/cases/{case_id}", f"/api/tasks/{task_id}"
    read = dict.fromkeys(OWN, 200)
    return [
        ("GET", c, None, read),
        ("GET", f"{c}/timeline", None, read),
        ("GET", t, None, read),
        (
            "POST",
            f"{c}/participants",
            UNRELATED,
            {"coordinator": 200, "zorgkantoor": 403, "aanbieder": 403, "oco": 403, "auditor": 403},
        ),
        (
            "POST",
            f"{c}/actions",
            STAGNATION,
            {"coordinator": 403, "zorgkantoor": 403, "aanbieder": 200, "oco": 200, "auditor": 403},
        ),
        (
            "POST",
            f"{c}/actions",
            ADVICE,
            {"coordinator": 200, "zorgkantoor": 200, "aanbieder": 200, "oco": 200, "auditor": 403},
        ),
        (
            "POST",
            f"{t}/claim",
            {},
            {"coordinator": 403, "zorgkantoor": 403, "aanbieder": 200, "oco": 403, "auditor": 403},
        ),
        (
            "POST",
            f"{t}/unclaim",
            {},
            {"coordinator": 403, "zorgkantoor": 403, "aanbieder": 200, "oco": 403, "auditor": 403},
        ),
        (
            "POST",
            f"{t}/complete",
            ACCEPT,
            {"coordinator": 403, "zorgkantoor": 403, "aanbieder": 200, "oco": 403, "auditor": 403},
        ),
        (
            "POST",
            f"{c}/withdraw",
            {"reason": "test"},
            {"coordinator": 200, "zorgkantoor": 403, "aanbieder": 403, "oco": 403, "auditor": 403},
        ),
    ]


async def test_role_by_endpoint_by_organisation_matrix(api):
    case = await api.start_case()
    task = await api.open_task(case["id"], "decide_dossierhouder")
    seen: dict[tuple[str, str, str], int] = {}
    expected: dict[tuple[str, str, str], int] = {}
    for method, url, body, by_role in endpoints(case["id"], task["id"]):
        label = f"{url} {body.get('action', '') if body else ''}".strip()
        for user in FOREIGN:  # before any change, and again after: never visible
            r = await api.as_(user, method, url, json=body)
            seen[(user, method, label)], expected[(user, method, label)] = r.status_code, 404
        # the ones that succeed last, so that a refused request meets the same state
        for user in sorted(OWN, key=lambda u: by_role[u] == 200):
            r = await api.as_(user, method, url, json=body)
            seen[(user, method, label)], expected[(user, method, label)] = (
                r.status_code,
                by_role[user],
            )
    assert seen == expected


async def test_case_lists_are_scoped(api):
    case = await api.start_case()
    for user in OWN:
        listed = (await api.as_(user, "GET", "/api/cases")).json()
        assert [c["id"] for c in listed["items"]] == [case["id"]], user
    for user in FOREIGN:
        listed = (await api.as_(user, "GET", "/api/cases")).json()
        assert listed == {"items": [], "total": 0, "limit": 50, "offset": 0}, user


async def test_participant_added_by_the_coordinator_gains_access(api):
    case = await api.start_case()
    url = f"/api/cases/{case['id']}"
    assert (await api.as_("aanbieder_other", "GET", url)).status_code == 404
    r = await api.as_("coordinator", "POST", f"{url}/participants", json=PARTICIPANT)
    assert r.status_code == 200, r.text
    detail = await api.as_("aanbieder_other", "GET", url)
    assert detail.status_code == 200
    assert detail.json()["participants"]["round_provider"] == ["Stichting Oost"]
    assert detail.json()["summary"] is None  # a round provider does not get the summary


async def test_participant_without_consent_is_422(api):
    case = await api.start_case()
    r = await api.as_(
        "coordinator",
        "POST",
        f"/api/cases/{case['id']}/participants",
        json=PARTICIPANT | {"consent": False},
    )
    assert r.status_code == 422 and "consent" in messages(r)
    r = await api.as_(
        "coordinator",
        "POST",
        f"/api/cases/{case['id']}/participants",
        json=PARTICIPANT | {"capacity": "friend"},
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "capacity"]


async def test_own_zorgkantoor_sees_its_case_in_another_region(api, engine):
    """The zorgkantoor of a case keeps it when the case lies outside its region (e.g. the
    client moved); nobody else gains it by that."""
    case = await api.start_case()
    with Session(engine) as session:
        row = session.get(Case, case["id"])
        row.region = "Drenthe"
        session.add(row)
        session.commit()
    for user in ("coordinator", "zorgkantoor"):
        assert (await api.as_(user, "GET", f"/api/cases/{case['id']}")).status_code == 200, user
        listed = (await api.as_(user, "GET", "/api/cases")).json()
        assert [c["id"] for c in listed["items"]] == [case["id"]], user
    for user in ("coordinator_neighbour", "coordinator_other"):
        assert (await api.as_(user, "GET", f"/api/cases/{case['id']}")).status_code == 404, user


async def test_another_coordinator_of_the_region_sees_but_does_not_steer(api):
    case = await api.start_case()
    url = f"/api/cases/{case['id']}"
    assert (await api.as_("coordinator_neighbour", "GET", url)).status_code == 200
    listed = (await api.as_("coordinator_neighbour", "GET", "/api/cases")).json()
    assert [c["id"] for c in listed["items"]] == [case["id"]]
    r = await api.as_("coordinator_neighbour", "POST", f"{url}/withdraw", json={"reason": "x"})
    assert r.status_code == 403
    r = await api.as_("coordinator_neighbour", "POST", f"{url}/participants", json=UNRELATED)
    assert r.status_code == 403
    assert (await api.as_("coordinator_neighbour", "GET", f"{url}")).json()["summary"] is None
