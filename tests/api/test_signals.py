"""Early intake over HTTP (issue 11, part 1): a signal to the region's zorgkantoor, its
inbox and scope, each outcome of ``assess_signal``, bad input, one case per signal."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from db.models import Case, Signal, Task
from tests.api.conftest import OCO_ORG, PROVIDER, ZK, Api

SIGNAL = {
    "kind": "early_information",
    "mode": "sparring",
    "sector": "GZ",
    "region": "Groningen",
    "client_ref": "CR-VROEG-7",
    "provider_org": PROVIDER,
    "oco_org": OCO_ORG,
    "note": "Toenemende incidenten op de groep; wij willen sparren.",
}


async def send(api: Api, user: str = "aanbieder", **overrides) -> dict:
    r = await api.as_(user, "POST", "/api/signals", json=SIGNAL | overrides)
    assert r.status_code == 201, r.text
    return r.json()


async def complete(api: Api, user: str, task_id: str, outcome: str, **body):
    return await api.as_(
        user, "POST", f"/api/tasks/{task_id}/complete", json={"outcome": outcome, **body}
    )


async def test_a_signal_reaches_the_region_zorgkantoor_inbox(api, engine):
    signal = await send(api)
    assert signal["status"] == "open" and signal["zorgkantoor_org"] == ZK
    assert signal["client_ref"] == "CR-VROEG-7" and signal["note"] == SIGNAL["note"]
    assert (signal["sender_org"], signal["sent_by"]) == (PROVIDER, "aanbieder")
    assert signal["task_id"] and signal["case_id"] is None

    for user in ("coordinator", "zorgkantoor"):  # both see their zorgkantoor's task
        r = await api.as_(user, "GET", "/api/tasks")
        tasks = [t for t in r.json()["items"] if t["key"] == "assess_signal"]
        assert [t["id"] for t in tasks] == [signal["task_id"]], user
        assert tasks[0]["signal_id"] == signal["id"] and tasks[0]["case_id"] is None
        assert tasks[0]["owner_org"] == ZK and tasks[0]["phase"] == "intake"
    r = await api.as_("coordinator", "GET", f"/api/tasks/{signal['task_id']}")
    assert r.status_code == 200 and r.json()["allowed_outcomes"] == [
        "start_case",
        "advice_given",
        "not_needed",
    ]
    # the free text is encrypted at rest; nothing of it in the task row
    with Session(engine) as session:
        row = session.get(Signal, signal["id"])
        assert row is not None and "CR-VROEG-7" not in row.client_ref_encrypted
        assert "incidenten" not in row.note_encrypted


async def test_only_the_sender_and_the_zorgkantoor_see_a_signal(api):
    signal = await send(api, user="oco", oco_org=OCO_ORG)
    url, task_url = f"/api/signals/{signal['id']}", f"/api/tasks/{signal['task_id']}"
    for user in ("oco", "coordinator", "zorgkantoor"):
        r = await api.as_(user, "GET", url)
        assert r.status_code == 200 and r.json()["note"] == SIGNAL["note"], user
    for user in ("aanbieder", "aanbieder_other", "oco_other", "coordinator_other"):
        assert (await api.as_(user, "GET", url)).status_code == 404, user
        assert (await api.as_(user, "GET", task_url)).status_code == 404, user
        listed = await api.as_(user, "GET", "/api/signals")
        assert listed.json()["total"] == 0, user
        inbox = await api.as_(user, "GET", "/api/tasks")
        assert all(t["key"] != "assess_signal" for t in inbox.json()["items"]), user
    # auditors read every signal, without its free text
    audited = (await api.as_("auditor", "GET", url)).json()
    assert audited["note"] is None and audited["client_ref"] == "CR-VROEG-7"
    # a colleague of the sender sees the status of the organisation's signals
    mine = await api.as_("oco", "GET", "/api/signals")
    assert [s["id"] for s in mine.json()["items"]] == [signal["id"]]
    # another organisation cannot complete the task
    r = await complete(api, "coordinator_other", signal["task_id"], "not_needed", note="x")
    assert r.status_code == 404


async def test_advice_given_needs_advice_and_starts_nothing(api, engine):
    signal = await send(api, mode="for_information")
    r = await complete(api, "zorgkantoor", signal["task_id"], "advice_given")
    assert r.status_code == 422 and "data.advice" in str(r.json()["detail"])
    r = await complete(
        api, "zorgkantoor", signal["task_id"], "advice_given", data={"advice": "Bel het CCE."}
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "advice_given" and r.json()["case_id"] is None
    seen = (await api.as_("aanbieder", "GET", f"/api/signals/{signal['id']}")).json()
    assert (seen["status"], seen["outcome"], seen["advice"]) == (
        "advice_given",
        "advice_given",
        "Bel het CCE.",
    )
    assert seen["assessed_by"] == "zorgkantoor" and seen["assessed_by_org"] == ZK
    with Session(engine) as session:
        assert session.exec(select(Case)).all() == []
        task = session.get(Task, signal["task_id"])
        assert task is not None and task.status == "done" and "advice" not in task.data
        row = session.get(Signal, signal["id"])
        assert row is not None and row.advice_encrypted and "CCE" not in row.advice_encrypted
    # the task is done: the inbox no longer shows it, a second outcome is refused
    assert (await api.as_("zorgkantoor", "GET", "/api/tasks")).json()["total"] == 0
    r = await complete(api, "zorgkantoor", signal["task_id"], "not_needed", note="toch niet")
    assert r.status_code == 409


async def test_not_needed_requires_a_motivation(api):
    signal = await send(api, kind="request_mediation", mode=None)
    r = await complete(api, "coordinator", signal["task_id"], "not_needed")
    assert r.status_code == 422 and "note" in str(r.json()["detail"])
    r = await complete(
        api, "coordinator", signal["task_id"], "not_needed", note="Aanbieder lost het op."
    )
    assert r.status_code == 200 and r.json()["status"] == "not_needed"
    seen = (await api.as_("aanbieder", "GET", f"/api/signals/{signal['id']}")).json()
    assert seen["motivation"] == "Aanbieder lost het op." and seen["case_id"] is None
    r = await complete(api, "coordinator", signal["task_id"], "advice_given")
    assert r.status_code == 409  # done: no outcome is possible any more


async def test_start_case_links_signal_and_case_and_never_starts_two(api, engine):
    signal = await send(api)
    # starting a case is a coordinator's decision
    r = await complete(api, "zorgkantoor", signal["task_id"], "start_case")
    assert r.status_code == 403

    r = await complete(api, "coordinator", signal["task_id"], "start_case")
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "case_started" and done["case_id"]
    assert done["task"]["status"] == "done" and done["task"]["outcome"] == "start_case"

    case = (await api.as_("coordinator", "GET", f"/api/cases/{done['case_id']}")).json()
    assert case["signal_id"] == signal["id"]
    assert (case["client_ref"], case["sector"], case["region"]) == ("CR-VROEG-7", "GZ", "Groningen")
    assert (case["provider_org"], case["oco_org"], case["zorgkantoor_org"]) == (
        PROVIDER,
        OCO_ORG,
        ZK,
    )
    # an early signal is about the current place; its text is the case's summary
    assert case["entry"] == "care_not_suitable" and case["summary"] == SIGNAL["note"]
    seen = (await api.as_("aanbieder", "GET", f"/api/signals/{signal['id']}")).json()
    assert (seen["status"], seen["case_id"]) == ("case_started", done["case_id"])
    timeline = (await api.as_("coordinator", "GET", f"/api/cases/{case['id']}/timeline")).json()
    assert timeline[0]["action"] == "case_started"
    assert timeline[0]["detail"]["signal_id"] == signal["id"]

    # completing again (a retry, a second click, a colleague) answers with the same case
    for user in ("coordinator", "coordinator"):
        again = await complete(api, user, signal["task_id"], "start_case")
        assert again.status_code == 200 and again.json()["case_id"] == done["case_id"]
    with Session(engine) as session:
        cases = session.exec(select(Case).where(Case.signal_id == signal["id"])).all()
        assert [c.id for c in cases] == [done["case_id"]]
        assert len(session.exec(select(Case)).all()) == 1


async def test_a_request_for_mediation_starts_a_search_unless_told_otherwise(api):
    first = await send(api, kind="request_mediation", mode=None)
    r = await complete(api, "coordinator", first["task_id"], "start_case")
    case = (await api.as_("coordinator", "GET", f"/api/cases/{r.json()['case_id']}")).json()
    assert case["entry"] == "no_dossierhouder"
    second = await send(api, client_ref="CR-VROEG-8")
    r = await complete(
        api, "coordinator", second["task_id"], "start_case", data={"entry": "no_dossierhouder"}
    )
    case = (await api.as_("coordinator", "GET", f"/api/cases/{r.json()['case_id']}")).json()
    assert case["entry"] == "no_dossierhouder"
    r = await complete(
        api, "coordinator", (await send(api))["task_id"], "start_case", data={"entry": "x"}
    )
    assert r.status_code == 422 and "no_dossierhouder" in str(r.json()["detail"])


@pytest.mark.parametrize(
    ("change", "names"),
    [
        ({"kind": "gossip"}, ["kind", "early_information", "request_mediation"]),
        ({"sector": "XX"}, ["sector", "VV", "GZ", "GGZ"]),
        ({"region": "Atlantis"}, ["region", "Groningen", "Twente"]),
        ({"mode": "loud"}, ["mode", "for_information", "sparring"]),
        ({"mode": None}, ["mode", "for_information", "sparring"]),
        ({"kind": "request_mediation"}, ["mode", "early_information"]),
        ({"client_ref": "123 456 789"}, ["client_ref", "BSN"]),
        ({"note": ""}, ["note"]),
        ({"provider_org": OCO_ORG}, ["provider_org", "oco"]),
        ({"region": "Utrecht"}, ["region", "zorgkantoor", "Utrecht"]),  # no zorgkantoor there
    ],
)
async def test_bad_input_is_a_422_naming_the_field(api, engine, change, names):
    r = await api.as_("aanbieder", "POST", "/api/signals", json=SIGNAL | change)
    assert r.status_code == 422, r.text
    for name in names:
        assert name in r.text, name
    with Session(engine) as session:
        assert session.exec(select(Signal)).all() == []


async def test_who_may_send_and_idempotency(api):
    r = await api.as_("auditor", "POST", "/api/signals", json=SIGNAL)
    assert r.status_code == 403
    for user in ("coordinator", "zorgkantoor", "oco"):
        assert (await api.as_(user, "POST", "/api/signals", json=SIGNAL)).status_code == 201
    headers = {"Idempotency-Key": "vroeg-1"}
    first = await api.as_("aanbieder", "POST", "/api/signals", json=SIGNAL, headers=headers)
    again = await api.as_("aanbieder", "POST", "/api/signals", json=SIGNAL, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    listed = await api.as_("coordinator", "GET", "/api/signals", params={"status": "open"})
    assert listed.json()["total"] == 4
    r = await api.as_("coordinator", "GET", "/api/signals", params={"status": "nope"})
    assert r.status_code == 422
