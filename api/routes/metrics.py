"""``GET /metrics``: operational metrics in the Prometheus text format.

Counts come from the read model at scrape time (so every API process reports the same
totals); the update latency histogram is this process's own. The Temporal SDK's worker
metrics are served by the worker itself (``CASUSREGIE_WORKER_METRICS_PORT``, see
docs/operations.md). Counts and durations only: no identifiers, no client data.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.deps import EngineDep
from api.metrics import REGISTRY
from db.models import Case, NotificationOutbox, Task
from domain.vocabulary import TaskStatus

router = APIRouter(tags=["operations"])


class ReadModelCollector(Collector):
    """Gauges read from the read model on each scrape."""

    def __init__(self) -> None:
        self.engine: Engine | None = None

    def collect(self) -> Iterator[Metric]:
        if self.engine is None:
            return
        with Session(self.engine) as session:
            yield from self._cases(session)
            yield from self._tasks(session)
            yield from self._notifications(session)

    def _cases(self, session: Session) -> Iterator[Metric]:
        cases = GaugeMetricFamily(
            "casusregie_cases", "Cases by status and outcome", labels=["status", "outcome"]
        )
        rows = session.exec(
            select(Case.status, Case.outcome, func.count())
            .where(Case.workflow_state != "pending")
            .group_by(col(Case.status), col(Case.outcome))
        ).all()
        for status, outcome, n in rows:
            cases.add_metric([status, outcome or ""], n)
        yield cases

    def _tasks(self, session: Session) -> Iterator[Metric]:
        open_tasks = GaugeMetricFamily(
            "casusregie_open_tasks", "Open tasks by phase", labels=["phase"]
        )
        for phase, n in session.exec(
            select(Task.phase, func.count())
            .where(Task.status == TaskStatus.OPEN.value)
            .group_by(col(Task.phase))
        ).all():
            open_tasks.add_metric([phase], n)
        yield open_tasks
        late = session.exec(
            select(func.count())
            .select_from(Task)
            .where(
                Task.status == TaskStatus.OPEN.value,
                or_(col(Task.overdue).is_(True), col(Task.due_at) < datetime.now(UTC)),
            )
        ).one()
        yield GaugeMetricFamily(
            "casusregie_overdue_tasks", "Open tasks past their deadline", value=late
        )

    def _notifications(self, session: Session) -> Iterator[Metric]:
        outbox = GaugeMetricFamily(
            "casusregie_notifications", "Notification outbox rows by status", labels=["status"]
        )
        for status, n in session.exec(
            select(NotificationOutbox.status, func.count()).group_by(col(NotificationOutbox.status))
        ).all():
            outbox.add_metric([status], n)
        yield outbox


READ_MODEL = ReadModelCollector()
REGISTRY.register(READ_MODEL)


@router.get("/metrics", include_in_schema=False)
def metrics(engine: EngineDep) -> Response:
    READ_MODEL.engine = engine
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
