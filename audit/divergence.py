"""Strict replay: besides the command sequence Temporal checks, compare what the
replayed code hands to its activities with what the history recorded.

Temporal's replay verifies the *kind* and order of commands (timers, activities,
markers), not their arguments: a change in, say, how a due date is computed replays
"ok" while the replayed case would write a different read model and audit log. The
read-model batches carry every state change, so comparing activity inputs proves that
the current code, fed the recorded inputs, writes exactly what was written.

The case workflow writes its batches with a local activity (``write_read_model``,
since the ``read-model-local-activity`` patch): the history then keeps no arguments
but the activity's marker with its result, which is the batch it was given (the result
of ``write_read_model_and_outbox`` holds its argument, the batch and its notifications,
beside the outbox rows it wrote). Those are compared as a sequence of their own ("local
activity #n"): a marker is recorded when the activity completes, so its place among the
scheduled activities may differ.

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
    StartLocalActivityInput,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

from domain.messages import WRITE_READ_MODEL_AND_OUTBOX

Call = tuple[str, Any]  # activity name, JSON value of its arguments
LOCAL = "local:"  # name prefix of a local activity's call
LOCAL_ACTIVITY_MARKER = "core_local_activity"  # the SDK's marker of a local activity


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

            def start_local_activity(
                self,
                input: StartLocalActivityInput,  # noqa: A002 (the SDK's parameter name)
            ) -> workflow.ActivityHandle[Any]:
                payloads = workflow.payload_converter().to_payloads(input.args)
                recorder.calls[workflow.info().run_id].append(
                    (LOCAL + input.activity, [json.loads(p.data) for p in payloads])
                )
                return super().start_local_activity(input)

        class Inbound(WorkflowInboundInterceptor):
            def init(self, outbound: WorkflowOutboundInterceptor) -> None:
                super().init(Outbound(outbound))

        return Inbound

    def pop(self, run_id: str) -> list[Call]:
        return self.calls.pop(run_id, [])


async def scheduled_activities(history: WorkflowHistory, converter: DataConverter) -> list[Call]:
    """The activities the history scheduled, with their decoded JSON arguments; a
    local activity (its marker) with its result, which is its argument (or holds it)."""
    calls: list[Call] = []
    codec = converter.with_context(
        WorkflowSerializationContext(namespace="", workflow_id=history.workflow_id)
    ).payload_codec
    for event in history.events:
        if event.HasField("activity_task_scheduled_event_attributes"):
            attrs = event.activity_task_scheduled_event_attributes
            payloads = list(attrs.input.payloads)
            name = attrs.activity_type.name
        elif local_activity_marker(event):
            details = event.marker_recorded_event_attributes.details
            data = json.loads(details["data"].payloads[0].data)
            payloads = list(details["result"].payloads)
            name = LOCAL + str(data.get("activity_type"))
        else:
            continue
        if codec:
            payloads = await codec.decode(payloads)
        values = [json.loads(p.data) for p in payloads]
        if name == LOCAL + WRITE_READ_MODEL_AND_OUTBOX:  # its argument beside the outbox rows
            values = [value["batch"] for value in values]
        calls.append((name, values))
    return calls


def local_activity_marker(event: Any) -> bool:
    """A completed local activity's marker (with its result)."""
    if not event.HasField("marker_recorded_event_attributes"):
        return False
    attrs = event.marker_recorded_event_attributes
    return attrs.marker_name == LOCAL_ACTIVITY_MARKER and "result" in attrs.details


def first_divergence(replayed: list[Call], recorded: list[Call]) -> str | None:
    """The first difference; activities and local activities each in their own order."""
    for local, what in ((False, "activity"), (True, "local activity")):
        found = _sequence_divergence(
            [c for c in replayed if c[0].startswith(LOCAL) is local],
            [c for c in recorded if c[0].startswith(LOCAL) is local],
            what,
        )
        if found:
            return found
    return None


def _sequence_divergence(replayed: list[Call], recorded: list[Call], what: str) -> str | None:
    for n, (mine, theirs) in enumerate(zip(replayed, recorded, strict=False), start=1):
        names = mine[0].removeprefix(LOCAL), theirs[0].removeprefix(LOCAL)
        if names[0] != names[1]:
            return f"{what} #{n}: code calls {names[0]}, history has {names[1]}"
        path = _first_difference(mine[1], theirs[1], "")
        if path is not None:
            return f"{what} #{n} ({names[0]}): argument differs at {path or '(root)'}"
    if len(replayed) != len(recorded):
        plural = what.removesuffix("y") + "ies"
        return f"code schedules {len(replayed)} {plural}, history has {len(recorded)}"
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
