"""The command sequence of a workflow history: what the code asked Temporal to do, in
order, without ids, times or payloads. Two runs of the same scenario on the same code
give the same sequence; a history and its re-recording are compared by it.

Notification deliveries run in the background, so where their activities fall among
the case's own commands depends on timing: they are compared as a sorted list."""

from __future__ import annotations

import json
from dataclasses import dataclass

from temporalio.client import WorkflowHistory

from audit.history import decode_history
from core.config import get_settings
from core.temporal import data_converter

NOTIFICATION_ACTIVITIES = {
    "enqueue_notifications",
    "deliver_notification",
    "record_notification_failure",
}
Command = tuple[str, ...]


@dataclass
class Commands:
    main: list[Command]  # the case's own commands, in order
    notifications: list[Command]  # the notification activities, sorted

    @property
    def patches(self) -> set[str]:
        return {c[1] for c in self.main if c[0] == "marker"}

    def without_patches(self, patch_ids: set[str]) -> Commands:
        """Without the markers of ``patch_ids`` and the search-attribute upsert that
        follows each (``workflow.patched`` records both)."""
        main: list[Command] = []
        dropped = False
        for command in self.main:
            if command[0] == "marker" and command[1] in patch_ids:
                dropped = True
                continue
            if dropped and command == ("upsert_search_attributes",):
                dropped = False
                continue
            dropped = False
            main.append(command)
        return Commands(main, self.notifications)


async def command_sequence(history: WorkflowHistory) -> Commands:
    decoded = await decode_history(history, data_converter(get_settings()))
    main: list[Command] = []
    notifications: list[Command] = []
    for event in decoded.events:
        kind = event.WhichOneof("attributes")
        if kind == "activity_task_scheduled_event_attributes":
            name = event.activity_task_scheduled_event_attributes.activity_type.name
            target = notifications if name in NOTIFICATION_ACTIVITIES else main
            target.append(("activity", name))
        elif kind == "timer_started_event_attributes":
            main.append(("timer",))
        elif kind == "timer_canceled_event_attributes":
            main.append(("cancel_timer",))
        elif kind == "marker_recorded_event_attributes":
            details = event.marker_recorded_event_attributes.details.values()
            ids = [json.loads(p.data).get("id") for d in details for p in d.payloads]
            main.append(("marker", *ids))
        elif kind == "upsert_workflow_search_attributes_event_attributes":
            main.append(("upsert_search_attributes",))
        elif kind == "workflow_execution_update_accepted_event_attributes":
            request = event.workflow_execution_update_accepted_event_attributes.accepted_request
            main.append(("update", request.input.name))
        elif kind in (
            "workflow_execution_completed_event_attributes",
            "workflow_execution_continued_as_new_event_attributes",
            "workflow_execution_failed_event_attributes",
        ):
            main.append((kind.removesuffix("_event_attributes"),))
    return Commands(main, sorted(notifications))


async def patch_ids(history: WorkflowHistory) -> set[str]:
    """The ids of the ``workflow.patched`` markers in a history."""
    return (await command_sequence(history)).patches
