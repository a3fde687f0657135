"""``Idempotency-Key`` on changes (complete, claim, unclaim, case actions): a retry with
the same key by the same user gets the first definite answer back (same status, same
body), whether the first attempt finished, is still running or was interrupted.

Two layers:

- the Temporal update id is derived from (user, key): the workflow de-duplicates, so
  an attempt that was applied is never applied again, and a retry gets its outcome
  (a running attempt is joined; one that never reached a worker is refused as late);
- ``idempotent_requests`` keeps the first definite answer (2xx and 4xx; never a 503),
  so a retry after the read model moved on still gets it without asking Temporal.

A retry of an attempt without a definite answer skips the read-model pre-check: the
read model may already show the first attempt's effect ("no longer open").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from db.models import IdempotentRequest, utcnow

MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class Attempt:
    """How to send one change: its Temporal update id, and whether an earlier attempt
    with the same key may already have been applied."""

    update_id: str | None = None
    retry: bool = False


FIRST = Attempt()


def fingerprint(method: str, path: str, body: Any) -> str:
    """What the key was first used for: a retry must be the same request."""
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    return f"{method} {path} {digest}"


def request_id_for(user_id: str, key: str) -> str:
    return hashlib.sha256(f"{user_id}\n{key}".encode()).hexdigest()


def _begin(session: Session, row_id: str, user_id: str, fp: str) -> IdempotentRequest | None:
    """The earlier request with this key, or None after recording this one as the first."""
    row = session.get(IdempotentRequest, row_id)
    if row is None:
        session.add(IdempotentRequest(id=row_id, user_id=user_id, fingerprint=fp))
        try:
            session.commit()
            return None
        except IntegrityError:  # the same key, concurrently: that one is the first
            session.rollback()
            row = session.get(IdempotentRequest, row_id)
            assert row is not None
    if row.fingerprint != fp:
        raise HTTPException(
            422, "Idempotency-Key: this key was already used for a different request"
        )
    return row


def _finish(session: Session, row_id: str, status: int, body: dict[str, Any]) -> None:
    """Record the first definite answer (a concurrent retry may have recorded it too)."""
    session.exec(
        update(IdempotentRequest)
        .where(col(IdempotentRequest.id) == row_id, col(IdempotentRequest.status_code).is_(None))
        .values(status_code=status, response=body, completed_at=utcnow())
    )
    session.commit()


async def once(
    session: Session,
    user_id: str,
    key: str | None,
    fp: str,
    call: Callable[[Attempt], Awaitable[dict[str, Any]]],
) -> tuple[int, dict[str, Any]]:
    """Run ``call`` (which returns the JSON body of a 200) at most once per (user, key).

    Returns (status, body); a refusal (4xx) is raised as ``HTTPException``, the first
    time and on every retry alike. Without a key it simply runs ``call``."""
    session.commit()  # no connection held while ``call`` waits (commands.release)
    if key is None:
        return 200, await call(FIRST)
    if not 0 < len(key) <= MAX_KEY_LENGTH:
        raise HTTPException(422, f"Idempotency-Key: 1 to {MAX_KEY_LENGTH} characters")
    row_id = request_id_for(user_id, key)
    earlier = _begin(session, row_id, user_id, fp)
    if earlier is not None and earlier.status_code is not None:
        if earlier.status_code >= 400:
            raise HTTPException(earlier.status_code, (earlier.response or {}).get("detail"))
        return earlier.status_code, earlier.response or {}
    attempt = Attempt(update_id=f"idem-{row_id}", retry=earlier is not None)
    session.commit()
    try:
        body = await call(attempt)
    except HTTPException as refused:
        if refused.status_code < 500:  # definite: a retry gets the same refusal
            _finish(session, row_id, refused.status_code, {"detail": refused.detail})
        raise
    _finish(session, row_id, 200, body)
    return 200, body


async def json_once(
    request: Request,
    session: Session,
    user_id: str,
    key: str | None,
    body: BaseModel | None,
    call: Callable[[Attempt], Awaitable[BaseModel]],
) -> JSONResponse:
    """``once`` for a JSON route: the fingerprint is the method, path and body."""

    async def run(attempt: Attempt) -> dict[str, Any]:
        return (await call(attempt)).model_dump(mode="json")

    payload = body.model_dump(mode="json") if body is not None else None
    fp = fingerprint(request.method, request.url.path, payload)
    status, out = await once(session, user_id, key, fp, run)
    return JSONResponse(out, status_code=status)
