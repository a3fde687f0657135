"""Reconciliation: does the read model say what the workflows say?

For a case, the expected read model comes from Temporal:

- the tasks and the case's phase/status/outcome from the workflow's ``state`` query
  (works on running and on closed workflows while a worker polls the task queue);
  without an answering worker, from the case's history instead: the read-model
  batches (``ReadModelChanges``) the workflow sent to ``apply_changes``, folded in
  order (the last version of each task wins);
- the audit event ids always from those batches.

``repair`` re-applies the history's batches, in order, through the read-model
activity's own ``write_changes``: the same code that wrote them the first time.
Audit events are only ever inserted (the log is append-only), so repairing restores
missing events and never rewrites existing ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.service import RPCError

from audit.divergence import local_activity_marker
from audit.history import fetch_runs
from core.keys import CaseShredded
from db.models import AuditEvent, Case, Task
from db.read_model import write_changes
from domain.messages import (
    APPLY_CHANGES,
    WRITE_READ_MODEL,
    WRITE_READ_MODEL_AND_OUTBOX,
    CaseState,
    ReadModelChanges,
    TaskState,
    workflow_id_for,
)
from domain.notification_messages import ReadModelAndOutboxWritten

QUERY_TIMEOUT = timedelta(seconds=5)
TASK_FIELDS = (
    "phase",
    "key",
    "status",
    "outcome",
    "owner_role",
    "owner_org",
    "overdue",
    "claimed_by",
)


@dataclass
class Expected:
    source: str  # "workflow" (state query) or "history" (folded batches)
    phase: str
    status: str
    outcome: str | None
    meetings: int
    tasks: dict[str, TaskState]
    event_ids: set[str]


@dataclass
class Difference:
    kind: str  # case, task, missing_task, unknown_task, missing_event, unknown_event
    ref: str  # the case, task or event id
    field: str = ""
    read_model: Any = None
    workflow: Any = None

    def describe(self) -> str:
        if self.field:
            return (
                f"{self.kind} {self.ref} {self.field}: read model {self.read_model!r}, "
                f"workflow {self.workflow!r}"
            )
        return f"{self.kind} {self.ref}"


@dataclass
class CaseCheck:
    case_id: str
    source: str = ""
    differences: list[Difference] = field(default_factory=list)
    repaired: bool = False
    remaining: list[Difference] = field(default_factory=list)  # after a repair
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Nothing wrong now: no differences, or a repair removed them all."""
        if self.error is not None:
            return False
        return not (self.remaining if self.repaired else self.differences)


async def history_batches(client: Client, case_id: str) -> list[ReadModelChanges]:
    """Every read-model batch the case's workflow scheduled, oldest first (all runs):
    the arguments of ``apply_changes``, the results of the local ``write_read_model``
    (the batch) and ``write_read_model_and_outbox`` (the batch beside its outbox rows)."""
    batches: list[ReadModelChanges] = []
    for run in await fetch_runs(client, case_id):
        for event in run.events:
            if event.HasField("activity_task_scheduled_event_attributes"):
                attrs = event.activity_task_scheduled_event_attributes
                if attrs.activity_type.name != APPLY_CHANGES:
                    continue
                payloads = attrs.input.payloads
            elif local_activity_marker(event):
                details = event.marker_recorded_event_attributes.details
                data = json.loads(details["data"].payloads[0].data)
                if data.get("activity_type") == WRITE_READ_MODEL_AND_OUTBOX:
                    [written] = await client.data_converter.decode(
                        details["result"].payloads, [ReadModelAndOutboxWritten]
                    )
                    batches.append(written.batch.changes)
                    continue
                if data.get("activity_type") != WRITE_READ_MODEL:
                    continue
                payloads = details["result"].payloads
            else:
                continue
            [batch] = await client.data_converter.decode(payloads, [ReadModelChanges])
            batches.append(batch)
    return batches


def fold(batches: list[ReadModelChanges]) -> Expected:
    if not batches:
        raise ValueError("the history holds no read-model batches")
    tasks: dict[str, TaskState] = {}
    for batch in batches:
        tasks.update({t.id: t for t in batch.tasks})
    last = batches[-1]
    return Expected(
        source="history",
        phase=last.phase,
        status=last.status,
        outcome=last.outcome,
        meetings=last.meetings,
        tasks=tasks,
        event_ids={e.id for b in batches for e in b.events},
    )


async def query_state(client: Client, case_id: str) -> CaseState | None:
    """The workflow's own state, or None when no worker answers in time."""
    handle = client.get_workflow_handle(workflow_id_for(case_id))
    try:
        state: CaseState = await handle.query(
            "state", result_type=CaseState, rpc_timeout=QUERY_TIMEOUT
        )
    except (RPCError, WorkflowQueryFailedError):
        return None
    return state


def with_state(expected: Expected, state: CaseState) -> Expected:
    return Expected(
        source="workflow",
        phase=state.phase,
        status=state.status,
        outcome=state.outcome,
        meetings=state.meetings,
        tasks={t.id: t for t in state.tasks},
        event_ids=expected.event_ids,
    )


def compare(engine: Engine, case_id: str, expected: Expected) -> list[Difference]:
    with Session(engine) as session:
        case = session.get(Case, case_id)
        rows = {t.id: t for t in session.exec(select(Task).where(Task.case_id == case_id))}
        events = set(session.exec(select(AuditEvent.id).where(AuditEvent.case_id == case_id)))
    if case is None:
        return [Difference("missing_case", case_id)]
    diffs = [
        Difference("case", case_id, name, got, want)
        for name, got, want in (
            ("phase", case.phase, expected.phase),
            ("status", case.status, expected.status),
            ("outcome", case.outcome, expected.outcome),
            ("meetings_held", case.meetings_held, expected.meetings),
        )
        if got != want
    ]
    for task_id, task in expected.tasks.items():
        row = rows.get(task_id)
        if row is None:
            diffs.append(Difference("missing_task", task_id))
            continue
        want = _task_values(task)
        diffs += [
            Difference("task", task_id, name, getattr(row, name), want[name])
            for name in TASK_FIELDS
            if getattr(row, name) != want[name]
        ]
    diffs += [Difference("unknown_task", t) for t in sorted(set(rows) - set(expected.tasks))]
    diffs += [Difference("missing_event", e) for e in sorted(expected.event_ids - events)]
    diffs += [Difference("unknown_event", e) for e in sorted(events - expected.event_ids)]
    return diffs


def repair(engine: Engine, batches: list[ReadModelChanges]) -> None:
    """Re-apply the batches in order, in one transaction."""
    with Session(engine) as session:
        for batch in batches:
            write_changes(session, batch)
            session.flush()
        session.commit()


async def verify_case(
    client: Client, engine: Engine, case_id: str, *, fix: bool = False, query: bool = True
) -> CaseCheck:
    check = CaseCheck(case_id)
    try:
        batches = await history_batches(client, case_id)
        expected = fold(batches)
        state = await query_state(client, case_id) if query else None
    except (RPCError, ValueError) as exc:
        check.error = f"{type(exc).__name__}: {exc}"
        return check
    except CaseShredded:
        check.error = "shredded: the case's data key was destroyed (retention)"
        return check
    if state is not None:
        expected = with_state(expected, state)
    check.source = expected.source
    check.differences = compare(engine, case_id, expected)
    if fix and check.differences:
        repair(engine, batches)
        check.repaired = True
        check.remaining = compare(engine, case_id, expected)
    return check


def _task_values(task: TaskState) -> dict[str, Any]:
    return {name: getattr(task, name) for name in TASK_FIELDS if name != "claimed_by"} | {
        "claimed_by": task.claimed_by.name if task.claimed_by else None
    }
