"""The Temporal UI's codec endpoint (issue 13, item 6): decode only, only for auditors and
the coordinators of the case's own zorgkantoor, CORS only for the configured UI."""

from __future__ import annotations

import base64

from google.protobuf.json_format import MessageToDict
from sqlmodel import Session

from api.deps import get_app_settings
from core.config import Settings, get_settings
from db.accounts import add_user
from tests.api.conftest import CASE_BODY, Api

UI = "https://temporal-ui.zorgkantoor.example"


async def _payloads(api: Api, case: dict) -> list[dict]:
    history = await api.temporal.get_workflow_handle(case["workflow_id"]).fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    return [MessageToDict(p) for p in started.input.payloads]


def _decoded(response) -> bool:
    [payload] = response.json()["payloads"]
    return payload["metadata"]["encoding"] != "YmluYXJ5L2VuY3J5cHRlZA=="


async def test_codec_decodes_only_for_those_who_may_read_the_case(api: Api, engine) -> None:
    with Session(engine) as session:
        other = add_user(
            session,
            name="same region",
            role="coordinator",
            org="Zorgkantoor Groningen-Oost",
            region="Groningen",
        )
        session.commit()
        api.tokens["coordinator_same_region"] = other.token
    case = await api.start_case()
    body = {"payloads": await _payloads(api, case)}
    assert body["payloads"][0]["metadata"]["encryption-key-id"]  # encrypted, per case

    for user, readable in (
        ("coordinator", True),
        ("auditor", True),
        ("coordinator_same_region", False),
        ("coordinator_other", False),
    ):
        r = await api.as_(user, "POST", "/codec/decode", json=body)
        assert r.status_code == 200, (user, r.text)
        assert _decoded(r) is readable, user
        if readable:
            plain = base64.b64decode(r.json()["payloads"][0]["data"]).decode()
            assert case["id"] in plain and CASE_BODY["client_ref"] not in plain
    for user in ("aanbieder", "oco", "zorgkantoor"):
        assert (await api.as_(user, "POST", "/codec/decode", json=body)).status_code == 403
    assert (await api.http.post("/codec/decode", json=body)).status_code == 401
    encode = await api.as_("auditor", "POST", "/codec/encode", json=body)
    assert encode.status_code in (404, 405)  # nothing can be encoded through the API
    bad = await api.as_("auditor", "POST", "/codec/decode", json={"nope": 1})
    assert bad.status_code == 422


async def test_codec_cors_only_for_the_configured_temporal_ui(api: Api) -> None:
    case = await api.start_case()
    body = {"payloads": await _payloads(api, case)}
    headers = {"Origin": UI}
    # no UI origin configured: no browser may call it
    r = await api.as_("auditor", "POST", "/codec/decode", json=body, headers=headers)
    assert r.status_code == 403

    api.app.dependency_overrides[get_app_settings] = lambda: Settings(
        **(get_settings().model_dump() | {"temporal_ui_origin": UI})
    )
    preflight = await api.http.options(
        "/codec/decode",
        headers={"Origin": UI, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == UI
    assert "Authorization" in preflight.headers["access-control-allow-headers"]
    r = await api.as_("auditor", "POST", "/codec/decode", json=body, headers=headers)
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == UI
    assert _decoded(r)
    evil = {"Origin": "https://evil.example"}
    assert (await api.http.options("/codec/decode", headers=evil)).status_code == 403
    r = await api.as_("auditor", "POST", "/codec/decode", json=body, headers=evil)
    assert r.status_code == 403 and "access-control-allow-origin" not in r.headers


async def test_codec_errors_are_json_naming_the_field(api: Api) -> None:
    r = await api.as_("coordinator", "POST", "/codec/decode", json={"payloads": [{"x": 1}]})
    assert r.status_code == 422 and r.headers["content-type"] == "application/json"
    assert r.json()["detail"][0]["loc"] == ["body", "payloads"]
