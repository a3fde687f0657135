"""Strict replay: besides the command sequence Temporal checks, compare what the
replayed code hands to its activities with what the history recorded.

Temporal's replay verifies the *kind* and order of commands (timers, activities,
markers), not their arguments: a change in, say, how a due date is computed replays
"ok" while the replayed case would write a different read model and audit log. The
read-model batches carry every state change, so comparing activity inputs proves that
the current code, fed the recorded inputs, writes exactly what was written.

A divergence names the activity, its position and the first differing field path;
never a value (values are client data).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter, WorkflowSerializationContext
from temporalio.worker import (
    Interceptor,
    StartActivityInput,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

Call = tuple[str, Any]  # activity name, JSON value of its arguments


class ActivityRecorder(Interceptor):
    """Records, per run id, the activities the replayed workflow schedules."""

    def __init__(self) -> None:
        self.calls: dict[str, list[Call]] = defaultdict(list)

    def workflow_interceptor_class(
        self,
        input: WorkflowInterceptorClassInput,  # noqa: A002 (the SDK's parameter name)
    ) -> type[WorkflowInboundInterceptor]:
        recorder = self

        class Outbound(WorkflowOutboundInterceptor):
            def start_activity(
                self,
                input: StartActivityInput,  # noqa: A002 (the SDK's parameter name)
            ) -> workflow.ActivityHandle[Any]:
                payloads = workflow.payload_converter().to_payloads(input.args)
                recorder.calls[workflow.info().run_id].append(
                    (input.activity, [json.loads(p.data) for p in payloads])
                )
                return super().start_activity(input)

        class Inbound(WorkflowInboundInterceptor):
            def init(self, outbound: WorkflowOutboundInterceptor) -> None:
                super().init(Outbound(outbound))

        return Inbound

    def pop(self, run_id: str) -> list[Call]:
        return self.calls.pop(run_id, [])


async def scheduled_activities(history: WorkflowHistory, converter: DataConverter) -> list[Call]:
    """The activities the history scheduled, with their decoded JSON arguments."""
    calls: list[Call] = []
    for event in history.events:
        if not event.HasField("activity_task_scheduled_event_attributes"):
            continue
        attrs = event.activity_task_scheduled_event_attributes
        payloads = list(attrs.input.payloads)
        codec = converter.with_context(
            WorkflowSerializationContext(namespace="", workflow_id=history.workflow_id)
        ).payload_codec
        if codec:
            payloads = await codec.decode(payloads)
        calls.append((attrs.activity_type.name, [json.loads(p.data) for p in payloads]))
    return calls


def first_divergence(replayed: list[Call], recorded: list[Call]) -> str | None:
    for n, (mine, theirs) in enumerate(zip(replayed, recorded, strict=False), start=1):
        if mine[0] != theirs[0]:
            return f"activity #{n}: code calls {mine[0]}, history has {theirs[0]}"
        path = _first_difference(mine[1], theirs[1], "")
        if path is not None:
            return f"activity #{n} ({mine[0]}): argument differs at {path or '(root)'}"
    if len(replayed) != len(recorded):
        return f"code schedules {len(replayed)} activities, history has {len(recorded)}"
    return None


def _first_difference(a: Any, b: Any, path: str) -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        # keys only the code has are fields added since (with defaults): not a divergence
        for key in b:
            if key not in a:
                return f"{path}.{key} (missing)"
            found = _first_difference(a[key], b[key], f"{path}.{key}")
            if found is not None:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path} (length)"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = _first_difference(x, y, f"{path}[{i}]")
            if found is not None:
                return found
        return None
    return None if a == b else path
