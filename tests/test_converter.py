"""The data converter remembers the type hints of the dataclasses it decodes and encodes
dataclasses without ``dataclasses.asdict`` (``core.temporal``): payloads still decode to
the same objects and encode to the same JSON, and a newer SDK that no longer looks the
hints up the same way is noticed here."""

from __future__ import annotations

import typing
import uuid
from dataclasses import replace
from datetime import UTC, datetime

import temporalio.converter._payload_converter as payload_converter
from temporalio.converter import DefaultPayloadConverter

from activities.read_model import written_with_outbox
from core.config import get_settings
from core.temporal import PayloadConverter, data_converter
from domain.messages import (
    Actor,
    AuditEntry,
    CaseState,
    NotificationIntent,
    ReadModelChanges,
    TaskState,
)
from domain.notification_messages import (
    EnqueueNotificationsResult,
    OutboxItem,
    ReadModelAndOutbox,
    ReadModelAndOutboxEnqueued,
    ReadModelAndOutboxWritten,
)
from domain.vocabulary import TaskStatus

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def task_with(data: dict, **more) -> TaskState:
    """A decided dossierhouder task of case ``c`` with ``data`` (and other fields)."""
    return TaskState(
        id="c:t1",
        key="decide_dossierhouder",
        phase="dossierhouder_search",
        title="Besluiten",
        owner_role="aanbieder",
        owner_org="Zorggroep Noord",
        supports=["oco"],
        allowed_outcomes=["accepted", "declined"],
        created_at=NOW,
        completed_by=Actor("u1", "Ada", "aanbieder", "Zorggroep Noord"),
        data=data,
        **more,
    )


def changes_with(tasks: list[TaskState], events: list[AuditEntry], **more) -> ReadModelChanges:
    return ReadModelChanges(
        case_id="c",
        phase="dossierhouder_search",
        status=TaskStatus.OPEN,
        phase_since=NOW,
        provider_org="Zorggroep Noord",
        oco_org=None,
        participants={"provider": ["Zorggroep Noord"]},
        meetings=0,
        tasks=tasks,
        events=events,
        **more,
    )


def test_the_converter_looks_up_type_hints_through_the_remembering_function():
    hints = payload_converter.get_type_hints
    assert hasattr(hints, "remembered"), "temporalio changed: core.temporal no longer applies"
    assert hints(TaskState) == typing.get_type_hints(TaskState)
    hints(TaskState)["status"] = int  # a caller changing its copy changes nothing after it
    assert hints(TaskState)["status"] is str
    assert hints.remembered.cache_info().hits > 0  # type: ignore[attr-defined]


async def test_payloads_decode_to_the_same_objects_every_time():
    converter = data_converter(get_settings())
    task = task_with({"reason_code": "no_capacity"}, due_at=NOW)
    state = CaseState(
        case_id="c",
        phase="dossierhouder_search",
        phase_since=NOW,
        provider_org="Zorggroep Noord",
        zorgkantoor_org="Zorgkantoor Groningen",
        tasks=[task, task],
    )
    payloads = await converter.encode([state])
    for _ in range(3):
        assert await converter.decode(payloads, [CaseState]) == [state]


def test_dataclasses_encode_to_the_json_of_the_sdk_encoder():
    """``core.temporal`` hands dataclasses to the JSON encoder field by field instead of
    through ``dataclasses.asdict``: the payloads are the SDK's, byte for byte."""
    actor = Actor("u1", "Ada", "aanbieder", "Zorggroep Noord")
    task = task_with(
        {"reason_code": "no_capacity", "when": NOW, "orgs": {"b", "a"}, "nested": [actor]},
        contributions=[{"by": actor, "at": NOW, "data": {"x": (1, 2)}}],
    )
    changes = changes_with(
        [task, task],
        [AuditEntry("c:e1", "c", 1, NOW, "Ada", "task_completed", detail={"a": [task]})],
        bridging={"since": NOW.isoformat(), "uuid": uuid.UUID(int=7)},
    )
    ours = PayloadConverter().to_payloads([changes, task, actor, {"k": [task]}, None, b"x"])
    sdk = DefaultPayloadConverter().to_payloads([changes, task, actor, {"k": [task]}, None, b"x"])
    assert ours == sdk and b"no_capacity" in ours[0].data
    assert data_converter(get_settings()).payload_converter_class is PayloadConverter


def test_the_local_write_returns_the_json_the_converter_wrote_before():
    """``write_read_model_and_outbox`` returns its batch as it came beside the outbox
    rows, spliced instead of encoded again: the marker in the history holds the same
    bytes as when it returned a ``ReadModelAndOutboxWritten`` (the audit tools read it),
    and the workflow decodes only the rows from it."""
    task = task_with({"reason_code": "no_capacity", "when": NOW, "orgs": ["a", "b"], "n": 1.5})
    changes = changes_with(
        [task], [AuditEntry("c:e1", "c", 1, NOW, "Ada", "task_completed", detail={"a": 1})]
    )
    intent = NotificationIntent("i1", "task_assigned", "c", NOW, ["Zorggroep Noord"], "c:t1")
    batch = ReadModelAndOutbox(changes, [intent])
    item = OutboxItem("o1", "Zorggroep Noord", "email", "task_assigned", "a@example.org")
    enqueued = EnqueueNotificationsResult(deliveries=[item], failed=[replace(item, error="x")])
    converter = PayloadConverter()
    sent = converter.to_payload(batch)  # what the workflow schedules
    # what the activity returned before: its argument decoded, and encoded again
    before = converter.to_payload(
        ReadModelAndOutboxWritten(converter.from_payload(sent, ReadModelAndOutbox), enqueued)
    )
    now = written_with_outbox(sent, converter.to_payload(enqueued))
    assert now == before
    assert converter.from_payload(now, ReadModelAndOutboxEnqueued).enqueued == enqueued
    assert converter.from_payload(now, ReadModelAndOutboxWritten).batch.changes.tasks[0].id == (
        "c:t1"
    )
