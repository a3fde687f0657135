"""The error shapes of the published OpenAPI: one for every error, and the 422 list.

Every JSON error is ``{"detail": <English sentence>, "code": <stable code>}``; a 422 has
a list of ``{loc, msg, type}`` as ``detail``. Routers declare their possible statuses
with ``error_responses(...)``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.errors import CODE_BY_STATUS

DESCRIPTIONS = {
    400: "Malformed request",
    401: "Missing, unknown or expired bearer token (code `unauthenticated`, `token_expired`)",
    403: "Your role or organisation may not do this (`forbidden`, `read_only`, ...)",
    404: "Not found, or not in your scope (its existence is not revealed)",
    409: "No longer possible: task done, case closed, claimed by someone else",
    413: "Request body larger than CASUSREGIE_MAX_BODY_BYTES",
    422: "Invalid input: one item per field, naming the allowed values",
    429: "Too many requests; retry after the seconds in `Retry-After`",
    503: "Temporal or the database is unreachable; nothing was changed",
}


class ErrorOut(BaseModel):
    """Every error but a 422."""

    detail: str = Field(description="what went wrong, in English")
    code: str = Field(description="stable machine code; the pages translate it into Dutch")
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"detail": "case 3f2b… not found", "code": "not_found"}]}
    )


class ValidationIssue(BaseModel):
    loc: list[str | int] = Field(description="where: body/query/path, then the field")
    msg: str
    type: str


class ValidationErrorOut(BaseModel):
    detail: list[ValidationIssue]
    code: Literal["invalid_input", "unknown_organisation"] = Field(
        description="`unknown_organisation`: a name that is not in the registry"
    )
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "detail": [
                        {
                            "loc": ["body", "region"],
                            "msg": "Input should be 'Drenthe', 'Zwolle', ...",
                            "type": "enum",
                        }
                    ],
                    "code": "invalid_input",
                }
            ]
        }
    )


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        model = ValidationErrorOut if status == 422 else ErrorOut
        entry: dict[str, Any] = {"model": model, "description": DESCRIPTIONS[status]}
        if status == 429:
            entry["headers"] = {
                "Retry-After": {
                    "description": "seconds to wait before trying again",
                    "schema": {"type": "integer"},
                }
            }
        out[status] = entry
    return out


# every /api route: authentication, scope, body and parameter checks, Temporal or DB
API_ERRORS = error_responses(400, 401, 403, 404, 409, 413, 422, 429, 503)
KNOWN_CODES = sorted(set(CODE_BY_STATUS.values()))
