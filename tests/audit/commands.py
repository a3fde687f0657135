"""The commands of a workflow history: what the code asked Temporal to do, without ids,
times or payloads. Two runs of the same scenario on the same code give the same
commands; a golden history and its re-recording are compared by them.

Some interleavings depend on timing, not on the code: an update sent right after the
start may be taken before or after the first read-model write, and notification
deliveries run in the background. So the commands are compared per kind: updates,
activities of the case and markers each in their order, timers counted, notification
activities sorted."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from temporalio.client import WorkflowHistory

from audit.divergence import local_activity_marker
from audit.history import decode_history
from core.config import get_settings
from core.temporal import data_converter
from domain.messages import APPLY_CHANGES, WRITE_READ_MODEL, WRITE_READ_MODEL_AND_OUTBOX
from workflows.case_workflow import OUTBOX_WITH_READ_MODEL, READ_MODEL_LOCAL

NOTIFICATION_ACTIVITIES = {
    "enqueue_notifications",
    "deliver_notification",
    "record_notification_failure",
}


@dataclass
class Commands:
    updates: list[str] = field(default_factory=list)  # accepted updates, in order
    activities: list[str] = field(default_factory=list)  # the case's own, in order
    markers: list[str] = field(default_factory=list)  # patch ids, in order
    timers_started: int = 0
    timers_cancelled: int = 0
    search_attribute_upserts: int = 0  # workflow.patched records one with each marker
    notifications: list[str] = field(default_factory=list)  # sorted
    end: str = ""  # completed, continued_as_new, failed

    @property
    def patches(self) -> set[str]:
        return set(self.markers)

    def net_timers(self) -> Commands:
        """Timers as started minus cancelled: a timer started and cancelled within one
        workflow task never becomes a command, and with the read model written by a
        local activity (``READ_MODEL_LOCAL``) an update and the wait it ends share one."""
        started = self.timers_started - self.timers_cancelled
        return replace(self, timers_started=started, timers_cancelled=0)

    def without_patches(self, patch_ids: set[str]) -> Commands:
        """As if the code had not known ``patch_ids``: without their markers (and the
        search-attribute upsert that comes with each)."""
        dropped = sum(1 for m in self.markers if m in patch_ids)
        activities, notifications = self.activities, self.notifications
        if OUTBOX_WITH_READ_MODEL in patch_ids:  # before it, each such batch was enqueued
            enqueued = activities.count(WRITE_READ_MODEL_AND_OUTBOX)
            activities = [
                WRITE_READ_MODEL if a == WRITE_READ_MODEL_AND_OUTBOX else a for a in activities
            ]
            notifications = sorted(notifications + ["enqueue_notifications"] * enqueued)
        if READ_MODEL_LOCAL in patch_ids:  # before it, the batches went to apply_changes
            activities = [APPLY_CHANGES if a == WRITE_READ_MODEL else a for a in activities]
        return replace(
            self,
            activities=activities,
            notifications=notifications,
            markers=[m for m in self.markers if m not in patch_ids],
            search_attribute_upserts=self.search_attribute_upserts - dropped,
        )


async def command_sequence(history: WorkflowHistory) -> Commands:
    decoded = await decode_history(history, data_converter(get_settings()))
    commands = Commands()
    for event in decoded.events:
        kind = event.WhichOneof("attributes")
        if kind == "activity_task_scheduled_event_attributes":
            name = event.activity_task_scheduled_event_attributes.activity_type.name
            if name in NOTIFICATION_ACTIVITIES:
                commands.notifications.append(name)
            else:
                commands.activities.append(name)
        elif kind == "timer_started_event_attributes":
            commands.timers_started += 1
        elif kind == "timer_canceled_event_attributes":
            commands.timers_cancelled += 1
        elif local_activity_marker(event):  # the case's read-model write, run locally
            data = event.marker_recorded_event_attributes.details["data"].payloads[0].data
            commands.activities.append(json.loads(data)["activity_type"])
        elif kind == "marker_recorded_event_attributes":
            details = event.marker_recorded_event_attributes.details.values()
            commands.markers += [json.loads(p.data).get("id") for d in details for p in d.payloads]
        elif kind == "upsert_workflow_search_attributes_event_attributes":
            commands.search_attribute_upserts += 1
        elif kind == "workflow_execution_update_accepted_event_attributes":
            request = event.workflow_execution_update_accepted_event_attributes.accepted_request
            commands.updates.append(request.input.name)
        elif kind in (
            "workflow_execution_completed_event_attributes",
            "workflow_execution_continued_as_new_event_attributes",
            "workflow_execution_failed_event_attributes",
        ):
            commands.end = kind.removeprefix("workflow_execution_").split("_event")[0]
    commands.notifications.sort()
    return commands


async def patch_ids(history: WorkflowHistory) -> set[str]:
    """The ids of the ``workflow.patched`` markers in a history."""
    return (await command_sequence(history)).patches
