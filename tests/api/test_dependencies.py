"""The route dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def``
dependency in its thread pool, one hand-off to a thread and back per dependency and
request (bench/e2e.py: the API's CPU was the bottleneck of a completion)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.deps import scoped_task
from api.routes import cases, tasks

# the only plain ``def`` dependencies a change may use: they query the database
QUERYING = {"get_scoped_case", "get_scoped_signal"}


def dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for dep in dependant.dependencies:
        yield dep
        yield from dependencies(dep)


def route(path: str, method: str) -> APIRoute:
    return next(
        r
        for r in (*tasks.router.routes, *cases.router.routes)
        if isinstance(r, APIRoute) and r.path == path and method in r.methods
    )


def sync_dependencies(path: str, method: str) -> set[str]:
    found = set()
    for dep in dependencies(route(path, method).dependant):
        call = dep.call
        if call is None or getattr(call, "__module__", "").startswith("fastapi"):
            continue
        name = getattr(call, "__name__", repr(call))
        if not (inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call)):
            found.add(name)
    return found


def test_a_completion_never_hands_off_to_a_thread():
    """Its task lookup (one indexed read) runs on the event loop: cheaper than the
    hand-off, which also made the loop wait for the GIL under load (bench/e2e.py)."""
    assert sync_dependencies("/api/tasks/{task_id}/complete", "POST") == set()
    assert sync_dependencies("/api/tasks/{task_id}/claim", "POST") == set()
    assert sync_dependencies("/api/cases", "POST") == set()
    assert sync_dependencies("/api/cases/{case_id}/actions", "POST") <= QUERYING


def test_the_inbox_has_no_sync_dependency():
    assert sync_dependencies("/api/tasks", "GET") == set()


def test_scoped_task_is_still_a_plain_function():
    """The sync pages call it in their thread; the JSON routes through the async
    dependency."""
    assert not inspect.iscoroutinefunction(scoped_task)


async def test_one_temporal_client_for_all_requests(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The API connects once and every request reuses that client (concurrent first
    requests included); a failed connection is retried by the next request."""
    import asyncio

    from api import temporal
    from api.deps import get_temporal_provider

    connects: list[object] = []

    async def connect(_settings: object) -> object:
        await asyncio.sleep(0.01)
        connects.append(client := object())
        return client

    monkeypatch.setattr(temporal, "connect_client", connect)

    class App:
        class state:  # noqa: N801 - as FastAPI's app.state
            temporal = None

    class Request:
        app = App

    first = await get_temporal_provider(Request())  # type: ignore[arg-type]
    assert await get_temporal_provider(Request()) is first  # type: ignore[arg-type]
    clients = await asyncio.gather(*(first.client() for _ in range(5)))
    assert len(connects) == 1 and all(c is connects[0] for c in clients)
