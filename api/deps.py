"""Dependencies of the routes, as ``Annotated`` aliases: routes declare what they need.

Tests replace ``get_db_engine``, ``get_temporal_provider`` (and ``get_app_settings``)
through ``app.dependency_overrides`` instead of patching globals.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio.client import Client

from api.auth import cached_principal, check_token
from api.errors import ApiError
from api.scoping import Principal, visible_cases, visible_signals
from api.temporal import TemporalProvider, TemporalUnavailable
from core.config import Settings, get_settings
from db.engine import get_engine
from db.models import Case, Signal, Task

TEMPORAL_DOWN = "Temporal is unreachable; nothing was changed, retry later"
# ids of cases (UUIDs) and tasks ("<case id>:t<n>"): anything else cannot exist
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9:_\-]{0,99}$"


# The dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def``
# dependency in its thread pool, a hand-off to a thread and back for every one of them
# on every request (tests/api/test_dependencies.py keeps them so). So is the task
# lookup of a change: one short indexed read, cheaper on the event loop than the
# hand-off (the inbox read does the same, ``api/routes/tasks.list_tasks``).


async def get_app_settings() -> Settings:
    return get_settings()


async def get_db_engine() -> Engine:
    return get_engine()


async def get_session(
    engine: Annotated[Engine, Depends(get_db_engine)],
) -> AsyncIterator[Session]:
    """A session per request; it connects only when a query runs (in the route's thread
    for a sync route) and gives the connection back when its transaction ends."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


async def get_temporal_provider(request: Request) -> TemporalProvider:
    provider = getattr(request.app.state, "temporal", None)
    if provider is None:  # app used without its lifespan (e.g. an in-process client)
        provider = request.app.state.temporal = TemporalProvider(get_settings())
    return provider


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
EngineDep = Annotated[Engine, Depends(get_db_engine)]
SessionDep = Annotated[Session, Depends(get_session)]
TemporalProviderDep = Annotated[TemporalProvider, Depends(get_temporal_provider)]


async def get_temporal_client(provider: TemporalProviderDep) -> Client:
    try:
        return await provider.client()
    except TemporalUnavailable:
        raise HTTPException(503, TEMPORAL_DOWN) from None


TemporalDep = Annotated[Client, Depends(get_temporal_client)]

_bearer = HTTPBearer(auto_error=False)


def _unauthenticated(detail: str, code: str = "unauthenticated") -> ApiError:
    return ApiError(401, detail, code=code, headers={"WWW-Authenticate": "Bearer"})


async def get_principal(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller of an API route: an API token (``casusregie user add``), or a token
    of the organisation's identity provider when single sign-on is configured."""
    if credentials is None:
        raise _unauthenticated("missing bearer token")
    token = credentials.credentials
    if settings.oidc_enabled and token.count(".") == 2:
        from api.oidc import principal_for_jwt  # only with single sign-on configured

        return await principal_for_jwt(request, session, settings, token)
    cached = cached_principal(settings, token)  # checked moments ago: no thread, no query
    if cached is not None:
        return cached
    check = await run_in_threadpool(check_token, session, settings, token)
    if check.expired:
        raise _unauthenticated(
            "bearer token expired; ask an administrator for a new one "
            "(casusregie user rotate-token)",
            code="token_expired",
        )
    if check.principal is None:
        raise _unauthenticated("missing or unknown bearer token")
    return check.principal


CurrentUser = Annotated[Principal, Depends(get_principal)]


def known_id(value: str) -> bool:
    """An id of ours can only look like this (the pages' paths are not checked by a
    pattern; NUL and other controls must never reach the database)."""
    return re.fullmatch(ID_PATTERN, value) is not None


def scoped_case(session: Session, principal: Principal, case_id: str) -> Case:
    """The case if the principal may see it; 404 otherwise (foreign cases do not exist)."""
    if not known_id(case_id):
        raise HTTPException(404, "case not found")
    case = session.exec(select(Case).where(Case.id == case_id, visible_cases(principal))).first()
    if case is None:
        raise HTTPException(404, f"case {case_id} not found")
    return case


def scoped_signal(session: Session, principal: Principal, signal_id: str) -> Signal:
    """The early signal if the principal may see it; 404 otherwise."""
    if not known_id(signal_id):
        raise HTTPException(404, "signal not found")
    signal = session.exec(
        select(Signal).where(Signal.id == signal_id, visible_signals(principal))
    ).first()
    if signal is None:
        raise HTTPException(404, f"signal {signal_id} not found")
    return signal


def scoped_task(session: Session, principal: Principal, task_id: str) -> tuple[Task, Case | Signal]:
    """The task and what it belongs to (its case, or the early signal it assesses) if
    the principal may see that; 404 otherwise."""
    if not known_id(task_id):
        raise HTTPException(404, "task not found")
    # a case's task the principal may see, with its case: one query (the usual case)
    found = session.exec(
        select(Task, Case)
        .join(Case, col(Case.id) == col(Task.case_id))
        .where(col(Task.id) == task_id, visible_cases(principal))
    ).first()
    if found is not None:
        return found[0], found[1]
    task = session.get(Task, task_id)
    owner: Case | Signal | None = None
    if task is not None and task.case_id is not None:
        owner = session.exec(
            select(Case).where(col(Case.id) == task.case_id, visible_cases(principal))
        ).first()
    elif task is not None and task.signal_id is not None:
        owner = session.exec(
            select(Signal).where(col(Signal.id) == task.signal_id, visible_signals(principal))
        ).first()
    if task is None or owner is None:
        raise HTTPException(404, f"task {task_id} not found")
    return task, owner


def get_scoped_case(
    session: SessionDep,
    principal: CurrentUser,
    case_id: Annotated[
        str, Path(pattern=ID_PATTERN, examples=["3f2b8c1e-6a8d-4c4e-9a57-2d0c5b1e9f10"])
    ],
) -> Case:
    return scoped_case(session, principal, case_id)


async def get_scoped_task(
    session: SessionDep,
    principal: CurrentUser,
    task_id: Annotated[
        str, Path(pattern=ID_PATTERN, examples=["3f2b8c1e-6a8d-4c4e-9a57-2d0c5b1e9f10:t1"])
    ],
) -> tuple[Task, Case | Signal]:
    return scoped_task(session, principal, task_id)


def get_scoped_signal(
    session: SessionDep, principal: CurrentUser, signal_id: Annotated[str, Path()]
) -> Signal:
    return scoped_signal(session, principal, signal_id)


ScopedCase = Annotated[Case, Depends(get_scoped_case)]
ScopedTask = Annotated[tuple[Task, Case | Signal], Depends(get_scoped_task)]
ScopedSignal = Annotated[Signal, Depends(get_scoped_signal)]


async def get_writer(principal: CurrentUser) -> Principal:
    """Any principal that may change something: auditors read everything and beheerders
    manage addresses only; neither changes a case."""
    if principal.read_only:
        raise ApiError(403, "your role has read-only access", code="read_only")
    return principal


Writer = Annotated[Principal, Depends(get_writer)]
# a retry with the same key returns the first answer (api/services/idempotency.py)
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
