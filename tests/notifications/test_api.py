"""``GET /api/notifications``: coordinators and auditors see the outbox of the cases in
their scope (no bodies); other roles get 403."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session, select

from api.deps import get_db_engine
from api.main import create_app
from core.config import get_settings
from db.accounts import add_user
from db.models import Case, Organisation
from notifications import outbox
from tests.notifications.conftest import CASE_ID, PROVIDER, ZK, intent

USERS = {  # name -> role, organisation, region
    "coordinator": ("coordinator", ZK, "Groningen"),
    "zorgkantoor": ("zorgkantoor", ZK, "Groningen"),
    "aanbieder": ("aanbieder", PROVIDER, None),
    "auditor": ("auditor", "Inspectie", None),
    "coordinator_other": ("coordinator", "Zorgkantoor Twente", "Twente"),
}


@pytest.fixture
async def client(engine):
    with Session(engine) as session:
        tokens = {
            name: add_user(session, name=name, role=role, org=org, region=region).token
            for name, (role, org, region) in USERS.items()
        }
        for org in session.exec(select(Organisation)).all():
            org.email = f"{org.id}@example.test"
            session.add(org)
        session.add(
            Case(
                id=CASE_ID,
                workflow_id=f"case-{CASE_ID}",
                client_ref="CR-1",
                sector="VV",
                region="Groningen",
                entry="no_dossierhouder",
                provider_org=PROVIDER,
                zorgkantoor_org=ZK,
                phase="dossierhouder_search",
                workflow_state="running",
            )
        )
        outbox.enqueue(
            session, [intent("case_closed", [ZK, PROVIDER], outcome="placed")], get_settings()
        )
        session.commit()
    app = create_app()
    app.dependency_overrides[get_db_engine] = lambda: engine
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:

        async def get(user: str | None, **params) -> httpx.Response:
            headers = {"Authorization": f"Bearer {tokens[user]}"} if user else {}
            return await http.get("/api/notifications", params=params, headers=headers)

        yield get


@pytest.mark.parametrize("user", ["coordinator", "auditor"])
async def test_coordinator_and_auditor_see_the_outbox(client, user) -> None:
    response = await client(user, case_id=CASE_ID)
    assert response.status_code == 200, response.text
    rows = response.json()
    assert sorted(r["recipient"] for r in rows) == sorted([ZK, PROVIDER])
    assert {r["status"] for r in rows} == {"pending"} and {r["attempts"] for r in rows} == {0}
    assert all(r["subject"].startswith(f"Casus {CASE_ID[:8]} afgesloten") for r in rows)
    assert not any(key.startswith("body") or key == "webhook_body" for key in rows[0])
    assert (await client(user, case_id=CASE_ID, status="sent")).json() == []


@pytest.mark.parametrize("user", ["zorgkantoor", "aanbieder"])
async def test_other_roles_are_refused(client, user) -> None:
    assert (await client(user, case_id=CASE_ID)).status_code == 403


async def test_scope_and_authentication(client) -> None:
    assert (await client("coordinator_other", case_id=CASE_ID)).status_code == 404
    assert (await client("coordinator_other")).json() == []
    assert len((await client("coordinator")).json()) == 2
    assert (await client(None, case_id=CASE_ID)).status_code == 401
    assert (await client("coordinator", status="bogus")).status_code == 422
