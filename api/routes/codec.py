"""The codec endpoint for the Temporal UI: ``POST /codec/decode`` (Temporal's remote codec
protocol), so that the UI shows decrypted payloads to those who may read them. There is
no ``/codec/encode``: nothing can be made to look authentic through this API.

- Authentication: the API's bearer tokens (the UI sends ``Authorization`` when its codec
  setting "pass access token" is on, or a user enters the endpoint in the UI's
  settings with the token).
- A payload is decoded only for auditors, and for the coordinators of the zorgkantoor
  organisation that runs the payload's case; every other payload (another case, a
  payload of no case, a shredded case, anything not authentic) comes back unchanged,
  i.e. still encrypted. Other roles get 403.
- CORS: only ``CASUSREGIE_TEMPORAL_UI_ORIGIN`` may call it from a browser; without that
  setting no cross-origin call is allowed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from google.protobuf.json_format import MessageToDict, ParseDict, ParseError
from pydantic import BaseModel, Field
from sqlmodel import col, select
from temporalio.api.common.v1 import Payload

from api.deps import CurrentUser, SessionDep, SettingsDep
from api.errors import invalid
from api.openapi import error_responses
from api.scoping import Principal, may_audit
from core.codec import ENCODING, EncryptionCodec, case_of_payload, is_rejected
from core.config import Settings
from core.keys import CaseShredded
from core.temporal import data_converter
from db.models import Case
from domain.vocabulary import Role

router = APIRouter(
    prefix="/codec", tags=["codec"], responses=error_responses(400, 401, 403, 413, 422, 429)
)

CODEC_ROLES = (Role.AUDITOR, Role.COORDINATOR)
ALLOWED_HEADERS = "Authorization, Content-Type, X-Namespace"
MAX_PAYLOADS = 1000


def _cors(request: Request, response: Response, settings: Settings) -> None:
    origin = request.headers.get("origin")
    if origin is None:
        return  # not a browser's cross-origin call (curl, the CLI, tests)
    if not settings.temporal_ui_origin or origin != settings.temporal_ui_origin.rstrip("/"):
        raise HTTPException(403, "origin not allowed")
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Allow-Credentials"] = "true"
    response.headers["Vary"] = "Origin"


@router.options("/decode", include_in_schema=False)
def decode_preflight(request: Request, settings: SettingsDep) -> Response:
    response = Response(status_code=204)
    _cors(request, response, settings)
    response.headers["Access-Control-Allow-Methods"] = "POST"
    response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
    response.headers["Access-Control-Max-Age"] = "600"
    return response


def _readable_cases(session: SessionDep, principal: Principal, case_ids: set[str]) -> set[str]:
    if not case_ids:
        return set()
    rows = session.exec(select(Case).where(col(Case.id).in_(case_ids))).all()
    return {case.id for case in rows if may_audit(principal, case)}


class CodecPayloads(BaseModel):
    """Temporal's remote codec protocol: payloads in their protobuf JSON form."""

    payloads: list[dict[str, Any]] = Field(max_length=MAX_PAYLOADS)


@router.post("/decode")
async def decode(
    body: CodecPayloads,
    request: Request,
    response: Response,
    principal: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> CodecPayloads:
    _cors(request, response, settings)
    if principal.role not in CODEC_ROLES:
        raise HTTPException(403, "only auditors and coordinators decode payloads")
    try:
        payloads = [ParseDict(p, Payload()) for p in body.payloads]
    except (ValueError, TypeError, ParseError):
        raise invalid(["body", "payloads"], "not a Temporal Payload in JSON form") from None
    cases = {c for c in map(case_of_payload, payloads) if c is not None}
    readable = _readable_cases(session, principal, cases)
    codec = data_converter(settings).payload_codec
    assert isinstance(codec, EncryptionCodec)
    out = []
    for payload in payloads:
        out.append(await _decode_one(codec, payload, principal, readable))
    return CodecPayloads(payloads=[MessageToDict(p) for p in out])


async def _decode_one(
    codec: EncryptionCodec, payload: Payload, principal: Principal, readable: set[str]
) -> Payload:
    if payload.metadata.get("encoding") != ENCODING:
        return payload
    case_id = case_of_payload(payload)
    allowed = principal.role == Role.AUDITOR if case_id is None else case_id in readable
    if not allowed:
        return payload
    try:
        [plain] = await codec.decode([payload])
    except CaseShredded:
        return payload
    return payload if is_rejected(plain) else plain
