"""The data converter remembers the type hints of the dataclasses it decodes and encodes
dataclasses without ``dataclasses.asdict`` (``core.temporal``): payloads still decode to
the same objects and encode to the same JSON, and a newer SDK that no longer looks the
hints up the same way is noticed here."""

from __future__ import annotations

import typing
import uuid
from datetime import UTC, datetime

import temporalio.converter._payload_converter as payload_converter
from temporalio.converter import DefaultPayloadConverter

from core.config import get_settings
from core.temporal import PayloadConverter, data_converter
from domain.messages import Actor, AuditEntry, CaseState, ReadModelChanges, TaskState
from domain.vocabulary import TaskStatus

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_the_converter_looks_up_type_hints_through_the_remembering_function():
    hints = payload_converter.get_type_hints
    assert hasattr(hints, "remembered"), "temporalio changed: core.temporal no longer applies"
    assert hints(TaskState) == typing.get_type_hints(TaskState)
    hints(TaskState)["status"] = int  # a caller changing its copy changes nothing after it
    assert hints(TaskState)["status"] is str
    assert hints.remembered.cache_info().hits > 0  # type: ignore[attr-defined]


async def test_payloads_decode_to_the_same_objects_every_time():
    converter = data_converter(get_settings())
    task = TaskState(
        id="c:t1",
        key="decide_dossierhouder",
        phase="dossierhouder_search",
        title="Besluiten",
        owner_role="aanbieder",
        owner_org="Zorggroep Noord",
        supports=[],
        allowed_outcomes=["accepted", "declined"],
        created_at=NOW,
        due_at=NOW,
        completed_by=Actor("u1", "Ada", "aanbieder", "Zorggroep Noord"),
        data={"reason_code": "no_capacity"},
    )
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
    task = TaskState(
        id="c:t1",
        key="decide_dossierhouder",
        phase="dossierhouder_search",
        title="Besluiten",
        owner_role="aanbieder",
        owner_org="Zorggroep Noord",
        supports=["oco"],
        allowed_outcomes=["accepted", "declined"],
        created_at=NOW,
        completed_by=actor,
        data={"reason_code": "no_capacity", "when": NOW, "orgs": {"b", "a"}, "nested": [actor]},
        contributions=[{"by": actor, "at": NOW, "data": {"x": (1, 2)}}],
    )
    changes = ReadModelChanges(
        case_id="c",
        phase="dossierhouder_search",
        status=TaskStatus.OPEN,
        phase_since=NOW,
        provider_org="Zorggroep Noord",
        oco_org=None,
        participants={"provider": ["Zorggroep Noord"]},
        meetings=0,
        tasks=[task, task],
        events=[AuditEntry("c:e1", "c", 1, NOW, "Ada", "task_completed", detail={"a": [task]})],
        bridging={"since": NOW.isoformat(), "uuid": uuid.UUID(int=7)},
    )
    ours = PayloadConverter().to_payloads([changes, task, actor, {"k": [task]}, None, b"x"])
    sdk = DefaultPayloadConverter().to_payloads([changes, task, actor, {"k": [task]}, None, b"x"])
    assert ours == sdk and b"no_capacity" in ours[0].data
    assert data_converter(get_settings()).payload_converter_class is PayloadConverter
